// The suggestion panel of the contact form: "accept" ticks the category's
// checkbox (staff still save the form); "reject" only marks the suggestion.
// With a saved contact, htmx also stores each decision on the server. On the
// form of a contact not saved yet, each decision waits in a hidden field
// (suggestion_decisions = "code:accepted") and is stored with the contact.
(function () {
  "use strict";

  function mark(item, decision) {
    item.classList.toggle("decided-accepted", decision === "accepted");
    item.classList.toggle("decided-rejected", decision === "rejected");
    var status = item.querySelector(".decision");
    if (status) { status.textContent = decision === "accepted" ? "採用" : "不採用"; }
  }

  function keep(form, code, decision) {
    var field = form.querySelector('input[name="suggestion_decisions"][data-code="' + code + '"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "suggestion_decisions";
      field.setAttribute("data-code", code);
      form.appendChild(field);
    }
    field.value = code + ":" + decision;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-accept], [data-reject]");
    if (!button) { return; }
    var item = button.closest("[data-suggestion]");
    var accept = button.hasAttribute("data-accept");
    var code = button.getAttribute("data-accept") || button.getAttribute("data-reject");
    var decision = accept ? "accepted" : "rejected";
    if (accept) {
      var box = document.querySelector('input[name="categories"][value="' + code + '"]');
      if (box) { box.checked = true; }
    }
    if (item) { mark(item, decision); }
    var form = button.closest("form");
    if (form && !button.hasAttribute("hx-post")) { keep(form, code, decision); }
  });

  // The panel is drawn again as staff type: show the decisions still waiting.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.target;
    if (!panel || panel.id !== "assessment-suggestions") { return; }
    var form = panel.closest("form");
    if (!form) { return; }
    form.querySelectorAll('input[name="suggestion_decisions"]').forEach(function (field) {
      var parts = field.value.split(":");
      var item = panel.querySelector('[data-suggestion][data-code="' + parts[0] + '"]');
      if (item) { mark(item, parts[1]); }
    });
  });
})();
