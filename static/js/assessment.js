// The suggestion panel of the contact form: "accept" ticks the category's
// checkbox (staff still save the form); "reject" only marks the suggestion.
// With a saved contact, htmx also stores each decision on the server.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-accept], [data-reject]");
    if (!button) { return; }
    var item = button.closest("[data-suggestion]");
    var code = button.getAttribute("data-accept") || button.getAttribute("data-reject");
    if (button.hasAttribute("data-accept")) {
      var box = document.querySelector('input[name="categories"][value="' + code + '"]');
      if (box) { box.checked = true; }
      if (item) { item.classList.add("decided-accepted"); item.classList.remove("decided-rejected"); }
    } else if (item) {
      item.classList.add("decided-rejected"); item.classList.remove("decided-accepted");
    }
    if (button.type === "button" && item) {
      var status = item.querySelector(".decision");
      if (status) { status.textContent = button.hasAttribute("data-accept") ? "採用" : "不採用"; }
    }
  });
})();
