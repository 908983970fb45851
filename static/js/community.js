// Community pages: a filter box above the long member list of the outcome form.
// Without JavaScript the plain multiple select works the same.
"use strict";

document.querySelectorAll(".member-picker").forEach((picker) => {
  const select = picker.querySelector("select[multiple]");
  if (!select) {
    return;
  }
  const box = document.createElement("input");
  box.type = "search";
  box.placeholder = picker.dataset.filterPlaceholder;
  box.setAttribute("aria-label", box.placeholder);
  box.className = "member-picker__filter";
  select.before(box);
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  box.addEventListener("input", () => {
    const wanted = fold(box.value.trim());
    for (const option of select.options) {
      // Chosen members stay visible so nobody is unselected by surprise.
      option.hidden = wanted !== "" && !option.selected && !fold(option.text).includes(wanted);
    }
  });
});
