// The statistics filters: show the fields of the period kind chosen (年度, 月 or 期間).
// Without script every field shows and the server reads those of the kind chosen.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.querySelector(".stats-filters select[name=period]");
  if (!kind) return;
  const fields = { fiscal_year: ["fiscal_year"], month: ["month"], range: ["date_from", "date_to"] };
  const show = () => {
    const chosen = kind.value || "fiscal_year";
    for (const [value, names] of Object.entries(fields)) {
      for (const name of names) {
        const field = document.getElementById(`field-${name}`);
        if (field) field.hidden = value !== chosen;
      }
    }
  };
  kind.addEventListener("change", show);
  show();
});
