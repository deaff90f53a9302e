// Filters on the company page and the "unchanged" toggle on the year-over-year page.
(function () {
  const filter = document.getElementById("risk-filter");
  const chips = Array.from(document.querySelectorAll("[data-filter-category]"));
  let category = "";
  function apply() {
    const words = (filter ? filter.value : "").trim().toLowerCase();
    let shown = 0;
    document.querySelectorAll(".risk[data-category]").forEach(function (risk) {
      const visible = (!category || risk.dataset.category === category) &&
        (!words || risk.textContent.toLowerCase().includes(words));
      risk.hidden = !visible;
      if (visible) shown += 1;
    });
    document.querySelectorAll(".category-group").forEach(function (group) {
      group.hidden = !group.querySelector(".risk:not([hidden])");
    });
    const counter = document.getElementById("risk-count");
    if (counter) counter.textContent = String(shown);
  }
  if (filter) filter.addEventListener("input", apply);
  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      category = category === chip.dataset.filterCategory ? "" : chip.dataset.filterCategory;
      chips.forEach(function (other) { other.setAttribute("aria-pressed", String(other.dataset.filterCategory === category)); });
      apply();
    });
  });
  const toggle = document.getElementById("show-unchanged");
  const changes = document.getElementById("changes");
  if (toggle && changes) {
    toggle.addEventListener("change", function () { changes.classList.toggle("hide-unchanged", !toggle.checked); });
  }
})();
