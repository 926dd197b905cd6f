// The transcript (反訳書) editor: fast keyboard entry of rows (issue 14, transcripts).
// Enter in the words: next row (added when needed, its start = this row's end or start);
// Shift+Enter: a line break; Alt+Up / Alt+Down: the row above / below;
// in the speaker box, 1 → 職員 and 2 → 住民等.
(function () {
  "use strict";
  var QUICK_SPEAKERS = { "1": "職員", "2": "住民等" };

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.getElementById("transcript-form");
    if (!form) return;
    var body = form.querySelector(".transcript-rows tbody");
    if (!body || body.querySelector("input[disabled]")) return;

    function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr.transcript-row")); }
    function renumber() { rows().forEach(function (row, i) { row.querySelector(".n").textContent = i + 1; }); }
    function field(row, name) { return row.querySelector("[name='" + name + "']"); }

    function addRowAfter(row) {
      var template = rows()[rows().length - 1];
      var fresh = template.cloneNode(true);
      fresh.querySelectorAll("input, textarea").forEach(function (el) { el.value = ""; });
      if (row && row.nextSibling) body.insertBefore(fresh, row.nextSibling); else body.appendChild(fresh);
      if (row) {
        field(fresh, "start").value = field(row, "end").value || field(row, "start").value;
      }
      renumber();
      return fresh;
    }

    function isEmpty(row) {
      return !field(row, "start").value && !field(row, "end").value && !field(row, "text").value;
    }

    function grow(textarea) {
      textarea.style.height = "auto";
      textarea.style.height = textarea.scrollHeight + 2 + "px";
    }

    body.querySelectorAll("textarea").forEach(grow);
    body.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA") grow(event.target);
    });

    body.addEventListener("keydown", function (event) {
      var target = event.target;
      var row = target.closest("tr.transcript-row");
      if (!row) return;
      if (target.name === "speaker" && QUICK_SPEAKERS[event.key] && !target.value) {
        event.preventDefault();
        target.value = QUICK_SPEAKERS[event.key];
        field(row, "text").focus();
        return;
      }
      if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        var all = rows();
        var next = all[all.indexOf(row) + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) {
          event.preventDefault();
          field(next, target.name).focus();
        }
        return;
      }
      if (target.name === "text" && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        var following = row.nextElementSibling;
        if (!following || !isEmpty(following)) following = addRowAfter(row);
        else if (!field(following, "start").value) {
          field(following, "start").value = field(row, "end").value || field(row, "start").value;
        }
        field(following, "end").focus();
      }
    });

    body.addEventListener("click", function (event) {
      if (!event.target.matches("[data-transcript-remove]")) return;
      var row = event.target.closest("tr.transcript-row");
      if (rows().length > 1) row.remove(); else row.querySelectorAll("input, textarea").forEach(function (el) { el.value = ""; });
      renumber();
    });

    var add = form.querySelector("[data-transcript-add]");
    if (add) add.addEventListener("click", function () {
      var all = rows();
      field(addRowAfter(all[all.length - 1]), "start").focus();
    });
  });
})();
