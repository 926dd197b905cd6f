// Adding evidence: files dropped on the form join those chosen with the file input, and
// the chosen files are listed with their sizes before they are sent. Without JavaScript
// the form is a plain multi-file input and works the same.
(function () {
  "use strict";

  function size(bytes) {
    if (bytes < 1024) return bytes + " バイト";
    var units = ["KB", "MB", "GB", "TB"];
    var value = bytes;
    for (var i = 0; i < units.length; i++) {
      value = value / 1024;
      if (value < 1024 || i === units.length - 1) return value.toFixed(1) + " " + units[i];
    }
    return "";
  }

  function listChosen(form) {
    var input = form.querySelector('input[type="file"]');
    var list = form.querySelector("[data-chosen]");
    if (!input || !list) return;
    var limit = parseInt(form.dataset.maxBytes || "0", 10);
    var tooLarge = 0;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + "（" + size(file.size) + "）";
      if (limit && file.size > limit) {
        tooLarge += 1;
        item.className = "error";
        item.textContent += " 上限 " + size(limit) + " を超えているため登録できません。外してから登録してください。";
      }
      list.appendChild(item);
    });
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = tooLarge > 0;
  }

  function setUp(form) {
    if (form.dataset.evidenceReady) return;
    form.dataset.evidenceReady = "1";
    var zone = form.querySelector("[data-drop-zone]");
    var input = form.querySelector('input[type="file"]');
    if (!zone || !input) return;
    input.addEventListener("change", function () { listChosen(form); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      var all = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { all.items.add(file); });
      input.files = all.files;
      listChosen(form);
    });
    form.addEventListener("submit", function () {
      var button = form.querySelector('button[type="submit"]');
      if (button && input.files.length) {
        button.disabled = true;
        button.textContent = "登録しています（" + input.files.length + " 件）…";
      }
    });
  }

  function setUpAll() {
    document.querySelectorAll("form[data-evidence-drop]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
  document.addEventListener("htmx:afterSwap", setUpAll);
})();
