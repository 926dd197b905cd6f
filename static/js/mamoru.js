/* mamoru: the live clock, the resident picker, confirmations. No inline scripts (CSP). */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function formatElapsed(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
  }

  function startClock(el) {
    var started = Date.parse(el.dataset.started);
    // Offset between the server's clock and this device's, so every device shows the same time.
    var offset = Date.parse(el.dataset.serverNow) - Date.now();
    var warning = parseFloat(el.dataset.warning), limit = parseFloat(el.dataset.limit);
    var scale = 60 / parseFloat(el.dataset.secondsPerMinute || "60");
    var timeEl = el.querySelector("[data-clock-time]");

    function tick() {
      var elapsed = Math.max(0, (Date.now() + offset - started) / 1000);
      timeEl.textContent = formatElapsed(Math.floor(elapsed * scale));
      var state = elapsed >= limit ? "limit" : elapsed >= warning ? "warning" : "normal";
      if (el.dataset.state !== state) {
        el.dataset.state = state;
        el.querySelector("[data-clock-warning]").hidden = state !== "warning";
        el.querySelector("[data-clock-limit]").hidden = state !== "limit";
        el.querySelector("[data-clock-normal]").hidden = state !== "normal";
      }
    }

    function sync() {
      // Re-reads the server's time; also keeps the session of an open live page alive.
      fetch(el.dataset.clockUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          offset = Date.parse(data.server_now) - Date.now();
          if (data.ended_at) { window.location.reload(); }
        })
        .catch(function () {});
    }

    tick();
    setInterval(tick, 250);
    setInterval(sync, 60000);
  }

  function bindResidentPicker(root) {
    var hidden = document.querySelector("input[name=resident]");
    var nameEl = root.querySelector("[data-resident-name]");
    root.addEventListener("click", function (event) {
      var pick = event.target.closest("[data-pick-resident]");
      if (pick) {
        hidden.value = pick.dataset.pickResident;
        nameEl.textContent = pick.dataset.pickName;
        root.querySelector("#resident-results").innerHTML = "";
      }
      if (event.target.closest("[data-resident-clear]")) {
        hidden.value = "";
        nameEl.textContent = "不明（未選択）";
      }
    });
    // Enter in the search box searches instead of submitting the whole record.
    root.querySelector("#resident-search").addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-clock]").forEach(startClock);
    document.querySelectorAll("[data-resident-picker]").forEach(bindResidentPicker);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
