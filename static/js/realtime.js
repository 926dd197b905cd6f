/* mamoru: real-time alerts (応援要請) and case reports on every page, and the
   応援要請 button of a live contact. No inline scripts (CSP); labels come
   translated from the page (#realtime-alerts data-label-*). The server stores
   every call before it sends it, and sends what is pending whenever this page
   (re)connects. Alerts dock at the bottom edge of the window, and the page gets
   as much room below its content, so no form field stays hidden under them. */
(function () {
  "use strict";

  var SOUND_KEY = "mamoru.backupSound";
  var root, dock, labels, me, socket, retries = 0, offset = 0, audio = null;
  var alerts = {};   // call id → banner element
  var ownCalls = {}; // call id → the caller's own status line (pages other than the contact's)
  var MAX_NOTICES = 3;

  function label(name) { return labels[name] || ""; }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function formatElapsed(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
  }
  function secondsSince(iso) { return (Date.now() + offset - Date.parse(iso)) / 1000; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* ---- sound: a short beep made with the Web Audio API (no file to download) ---- */
  function soundOn() { return window.localStorage.getItem(SOUND_KEY) !== "off"; }

  function beep() {
    if (!soundOn()) { return; }
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      audio = audio || new Context();
      if (audio.state === "suspended") { audio.resume().catch(function () {}); }
      [0, 0.25, 0.5].forEach(function (start) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.value = 0.08;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + 0.15);
      });
    } catch (e) { /* no sound on this device */ }
  }

  function soundToggle() {
    var button = el("button", "button sound-toggle");
    button.type = "button";
    button.dataset.soundToggle = "";
    function show() {
      button.textContent = soundOn() ? label("soundOn") : label("soundOff");
      button.setAttribute("aria-pressed", soundOn() ? "true" : "false");
    }
    button.addEventListener("click", function () {
      window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      show();
    });
    show();
    return button;
  }

  /* ---- alert banners ---- */
  function banner(call) {
    var box = alerts[call.id];
    if (box) { return box; }
    box = el("section", "backup-alert");
    box.dataset.backupAlert = call.id;
    box.setAttribute("role", "alert");
    var head = el("p", "backup-alert-title");
    head.appendChild(el("strong", "", label("title")));
    head.appendChild(el("span", "backup-alert-level"));
    box.appendChild(head);
    var who = el("p", "backup-alert-who");
    who.dataset.backupWho = "";
    box.appendChild(who);
    var where = el("p", "backup-alert-where");
    box.appendChild(where);
    var link = el("a", "backup-alert-contact");
    box.appendChild(el("p")).appendChild(link);
    var reason = el("p", "backup-alert-reason");
    box.appendChild(reason);
    var times = el("p", "backup-alert-times");
    times.dataset.backupElapsed = "";
    box.appendChild(times);
    var state = el("p", "backup-alert-state");
    state.dataset.backupState = "";
    box.appendChild(state);
    var actions = el("div", "backup-alert-actions");
    var take = el("button", "button danger backup-take", label("take"));
    take.type = "button";
    take.dataset.backupTake = "";
    take.addEventListener("click", function () { takeCall(box, take); });
    var close = el("button", "button backup-close", label("close"));
    close.type = "button";
    close.addEventListener("click", function () { removeBanner(box.dataset.backupAlert); });
    actions.appendChild(take);
    actions.appendChild(close);
    box.appendChild(actions);
    dock.insertBefore(box, dock.firstChild);
    alerts[call.id] = box;
    fitDock();
    return box;
  }

  /* The dock sits over the bottom of the window: the page gets the same room
     below its content, so whatever the alerts cover can be scrolled above them. */
  function fitDock() {
    var empty = !dock.firstChild;
    dock.hidden = empty;
    document.body.style.paddingBottom = empty ? "" : dock.offsetHeight + "px";
  }

  function fillBanner(box, call) {
    box.call = call;
    box.dataset.level = call.level;
    box.querySelector(".backup-alert-level").textContent = "（" + label("level") + ": " + call.level_label + "）";
    box.querySelector("[data-backup-who]").textContent = call.caller + "（" + call.department + "）";
    box.querySelector(".backup-alert-where").textContent = label("workplace") + ": " + (call.workplace || "—");
    var link = box.querySelector(".backup-alert-contact");
    link.href = call.contact_url;
    link.textContent = label("contact") + " No." + call.contact_number;
    box.querySelector(".backup-alert-reason").textContent = call.reason || "";
    box.querySelector(".backup-alert-reason").hidden = !call.reason;
    var state = box.querySelector("[data-backup-state]"), take = box.querySelector("[data-backup-take]");
    if (call.taken_by) {
      box.dataset.taken = "true";
      state.textContent = (String(call.taken_by_id) === me ? label("takenYou") + "（" : "") +
        label("takenBy") + ": " + call.taken_by + (String(call.taken_by_id) === me ? "）" : "");
      take.hidden = true;
    } else {
      box.dataset.taken = "false";
      state.textContent = "";
      take.hidden = false;
    }
    tickBanner(box);
  }

  function tickBanner(box) {
    var call = box.call;
    if (!call) { return; }
    box.querySelector("[data-backup-elapsed]").textContent =
      label("elapsed") + " " + formatElapsed(secondsSince(call.contact_started_at)) +
      "　" + label("waiting") + " " + formatElapsed(secondsSince(call.created_at));
  }

  function removeBanner(id) {
    var box = alerts[id];
    if (box) { box.remove(); delete alerts[id]; fitDock(); }
  }

  /* ---- case reports: a small notice linking to the case ---- */
  function caseNotice(event) {
    if (!event.url || !event.text) { return; }
    var notices = dock.querySelectorAll("[data-case-notice]");
    if (notices.length >= MAX_NOTICES) { notices[notices.length - 1].remove(); }
    var box = el("section", "case-notice");
    box.dataset.caseNotice = event.case_id;
    box.setAttribute("role", "status");
    box.appendChild(el("strong", "", label("case")));
    var link = el("a", "", event.text);
    link.href = event.url;
    box.appendChild(link);
    var close = el("button", "button case-notice-close", label("close"));
    close.type = "button";
    close.addEventListener("click", function () { box.remove(); fitDock(); });
    box.appendChild(close);
    dock.appendChild(box);
    fitDock();
  }

  function takeCall(box, button) {
    button.disabled = true;
    fetch(box.call.take_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.data.call) { fillBanner(box, result.data.call); }
      var state = box.querySelector("[data-backup-state]");
      if (!result.ok) {
        state.textContent = result.data.message || label("error");
        box.querySelector("[data-backup-take]").hidden = true;
      }
    }).catch(function () {
      box.querySelector("[data-backup-state]").textContent = label("error");
    }).then(function () { button.disabled = false; });
  }

  /* ---- the caller's side: the contact page's status line ---- */
  function callerText(call) {
    if (call.resolved_at) { return label("resolved"); }
    if (call.taken_by) { return call.taken_by + label("coming"); }
    // Nobody answered and the call moved up a level: say so, not just "waiting".
    return call.level_note ? call.level_note + "。" + label("waitingEscalated") : label("waitingCaller");
  }

  function callerStatus(call) {
    var section = document.querySelector('[data-backup-section][data-contact-id="' + call.contact_id + '"]');
    var status = section && section.querySelector("[data-backup-status]");
    if (status) {
      status.hidden = false;
      status.textContent = callerText(call);
      status.dataset.taken = call.taken_by ? "true" : "false";
      return true;
    }
    return false;
  }

  /* On any other page the caller sees a one-line status in the dock (a link back
     to the contact), not an alert to take their own call. */
  function ownCallLine(call) {
    var line = ownCalls[call.id];
    if (call.resolved_at) {
      if (line) { line.remove(); delete ownCalls[call.id]; fitDock(); }
      return;
    }
    if (!line) {
      line = el("a", "realtime-own-call");
      line.dataset.ownCall = call.id;
      line.setAttribute("role", "status");
      dock.appendChild(line);
      ownCalls[call.id] = line;
    }
    line.href = call.contact_url;
    line.dataset.taken = call.taken_by ? "true" : "false";
    line.textContent = label("ownCall") + " No." + call.contact_number + ": " + callerText(call);
    fitDock();
  }

  function handle(event) {
    var kind = String(event.kind || "");
    if (kind.indexOf("case.") === 0) { caseNotice(event); return; }
    if (kind === "backup_call.synced") {
      // After a reconnect: alerts no longer pending were taken or closed meanwhile.
      Object.keys(alerts).forEach(function (id) {
        var box = alerts[id];
        if (event.ids.indexOf(Number(id)) === -1 && box.dataset.taken !== "true") { removeBanner(id); }
      });
      Object.keys(ownCalls).forEach(function (id) {
        if (event.ids.indexOf(Number(id)) === -1) { ownCalls[id].remove(); delete ownCalls[id]; }
      });
      fitDock();
      return;
    }
    var call = event.call;
    if (!call) { return; }
    if (call.server_now) { offset = Date.parse(call.server_now) - Date.now(); }
    if (String(call.caller_id) === me) {
      if (!callerStatus(call)) { ownCallLine(call); }
      return;
    }
    if (kind === "backup_call.resolved" || call.resolved_at) {
      removeBanner(call.id);
      return;
    }
    if (kind === "backup_call.updated") {
      // Moved to another level's turn: the alert follows quietly (only that level is alerted again).
      var shown = alerts[call.id];
      if (shown) {
        fillBanner(shown, call);
        if (!call.taken_by && call.level_note) { shown.querySelector("[data-backup-state]").textContent = call.level_note; }
      }
      return;
    }
    var isNew = !alerts[call.id];
    var box = banner(call);
    fillBanner(box, call);
    if (!call.taken_by && (isNew || kind === "backup_call.escalated")) {
      if (kind === "backup_call.escalated") {
        box.querySelector("[data-backup-state]").textContent = label("escalated") + "（" + call.level_label + "）";
      }
      beep();
    }
  }

  /* ---- the connection, with reconnect and backoff ---- */
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.realtimeUrl);
    socket.addEventListener("open", function () {
      retries = 0;
      root.dataset.connected = "true";
      var notice = root.querySelector("[data-offline]");
      if (notice) { notice.hidden = true; }
    });
    socket.addEventListener("message", function (message) {
      try { handle(JSON.parse(message.data)); } catch (e) { /* ignore a malformed event */ }
    });
    socket.addEventListener("close", function (event) {
      root.dataset.connected = "false";
      // 4401: the session ended (signed out, expired): the page itself goes to the login screen.
      if (event.code === 4401) { window.location.reload(); return; }
      retries += 1;
      if (retries > 1) {
        var notice = root.querySelector("[data-offline]");
        if (notice) { notice.hidden = false; }
      }
      var delay = Math.min(10000, 500 * Math.pow(2, Math.min(retries - 1, 5))) * (0.75 + Math.random() / 2);
      window.setTimeout(connect, delay);
    });
  }

  /* ---- the 応援要請 button on a live contact ---- */
  function bindBackupForm(form) {
    var button = form.querySelector("[data-backup-button]");
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }   // a double click sends one request; the server also keeps one open call
      busy = true;
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: new FormData(form)
      }).then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.call) { callerStatus(data.call); }
          else {
            var status = form.parentNode.querySelector("[data-backup-status]");
            status.hidden = false;
            status.textContent = data.message || label("error");
          }
        })
        .catch(function () {
          var status = form.parentNode.querySelector("[data-backup-status]");
          status.hidden = false;
          status.textContent = label("error");
        })
        .then(function () { busy = false; button.disabled = false; });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "F9" || (event.altKey && (event.key === "b" || event.key === "B" || event.code === "KeyB"))) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("realtime-alerts");
    document.querySelectorAll("[data-backup-form]").forEach(bindBackupForm);
    if (!root || !root.dataset.realtimeUrl || !window.WebSocket) { return; }
    labels = {};
    Object.keys(root.dataset).forEach(function (key) {
      if (key.indexOf("label") === 0) {
        labels[key.charAt(5).toLowerCase() + key.slice(6)] = root.dataset[key];
      }
    });
    me = root.dataset.userId;
    dock = el("div", "realtime-dock no-print");
    dock.hidden = true;
    document.body.appendChild(dock);
    window.addEventListener("resize", fitDock);
    var bar = el("div", "realtime-bar");
    var offline = el("span", "realtime-offline", label("offline"));
    offline.dataset.offline = "";
    offline.hidden = true;
    bar.appendChild(offline);
    if (root.dataset.alerted === "true") { bar.appendChild(soundToggle()); }  // those alerted of calls
    root.appendChild(bar);
    window.setInterval(function () {
      Object.keys(alerts).forEach(function (id) { tickBanner(alerts[id]); });
    }, 1000);
    connect();
  });
})();
