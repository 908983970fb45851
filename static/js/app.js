// Small progressive enhancements; every page works without this file.
"use strict";

// Ask before a destructive post: <button data-confirm="…">.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset ? button.dataset.confirm : null;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Pages that say <meta name="refresh-every" content="3"> reload themselves (dossier builds).
const refresh = document.querySelector('meta[name="refresh-every"]');
if (refresh) {
  const seconds = Math.max(1, parseInt(refresh.content, 10) || 3);
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}

// The phone bar's « Plus » menu closes on a tap elsewhere and on Escape (focus back on it).
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.nav-more[open]").forEach((menu) => {
    if (!menu.contains(event.target)) {
      menu.open = false;
    }
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") {
    return;
  }
  document.querySelectorAll("details.nav-more[open]").forEach((menu) => {
    menu.open = false;
    menu.querySelector("summary").focus();
  });
});

// A table or chart wider than its card scrolls inside it: keyboard users reach it with Tab
// and scroll it with the arrows, screen readers hear what it holds.
const markScrollable = () => {
  document.querySelectorAll(".table-wrap, .chart-scroll").forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        const caption = box.querySelector("caption, title");
        const label = box.dataset.label || (caption ? caption.textContent.trim() : "");
        box.setAttribute("aria-label", label || document.body.dataset.scrollLabel || "");
      }
    } else if (box.getAttribute("tabindex") === "0" && !box.dataset.keepFocusable) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
    }
  });
};
markScrollable();
let resizeTimer = null;
window.addEventListener("resize", () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(markScrollable, 150);
});
document.addEventListener("toggle", markScrollable, true);

// Long lists of checkboxes get a filter box (accents ignored); ticked ones stay in view.
const foldText = (text) =>
  text.toLowerCase().replace(/œ/g, "oe").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
document.querySelectorAll("fieldset[data-choice-filter]").forEach((group) => {
  const list = group.querySelector(".choice-list");
  if (!list || list.children.length < 8) {
    return;
  }
  const box = document.createElement("input");
  box.type = "search";
  box.className = "choices__filter";
  box.setAttribute("aria-label", group.dataset.choiceFilter);
  box.placeholder = group.dataset.choiceFilter;
  list.before(box);
  box.addEventListener("input", () => {
    const wanted = foldText(box.value.trim());
    list.querySelectorAll("li").forEach((item) => {
      const ticked = item.querySelector("input:checked");
      item.hidden = wanted !== "" && !ticked && !foldText(item.textContent).includes(wanted);
    });
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
    }
  });
});
