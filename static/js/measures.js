/* measures: the filter box over the designated-staff checkboxes of the measure form.
   Without JavaScript the box stays hidden and every checkbox is shown. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-filter-for]").forEach(function (holder) {
      var list = document.getElementById(holder.dataset.filterFor);
      var input = holder.querySelector("input");
      if (!list || !input) { return; }
      holder.hidden = false;
      input.addEventListener("input", function () {
        var needle = input.value.replace(/\s+/g, "").toLowerCase();
        list.querySelectorAll("[data-filter-group]").forEach(function (group) {
          var shown = 0;
          group.querySelectorAll("[data-filter-item]").forEach(function (item) {
            var checked = item.querySelector("input").checked;
            var match = !needle || checked || item.textContent.replace(/\s+/g, "").toLowerCase().indexOf(needle) !== -1;
            item.hidden = !match;
            if (match) { shown += 1; }
          });
          group.hidden = shown === 0;
        });
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
    });
  });
})();
