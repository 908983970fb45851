// Roll call: the box at the top narrows the list as you type (three letters, accents ignored)
// and finds members to add; the page works without this file (the box is a search form).
"use strict";

(() => {
  const form = document.querySelector("form[data-roll-filter]");
  if (!form) {
    return;
  }
  const input = form.querySelector("input[type=search]");
  const count = document.getElementById("roll-filter-count");
  const MIN_LETTERS = 3;
  // The same folding as the server's (coworking.csvio.fold_text): no accents, no case.
  const fold = (text) =>
    text
      .toLowerCase()
      .replace(/œ/g, "oe")
      .replace(/æ/g, "ae")
      .replace(/ß/g, "ss")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^0-9a-z]+/g, " ")
      .trim();
  const words = () => {
    const folded = fold(input.value);
    return folded.replace(/ /g, "").length >= MIN_LETTERS ? folded.split(" ") : [];
  };

  const applyFilter = () => {
    const wanted = words();
    const rows = document.querySelectorAll("#roll-list > li[data-name]");
    let shown = 0;
    rows.forEach((row) => {
      const match = wanted.every((word) => row.dataset.name.includes(word));
      row.hidden = !match;
      shown += match ? 1 : 0;
    });
    if (count) {
      const template = form.dataset[`count-${Math.min(shown, 2)}`];
      count.textContent = wanted.length && template ? template.replace("%n", shown) : "";
    }
  };

  // Members not on the list yet: the page's own search, fetched while typing.
  let timer = null;
  let latest = 0;
  const searchMembers = async () => {
    const ticket = ++latest;
    const url = new URL(form.action, window.location.href);
    url.hash = "";
    const query = words().length ? input.value.trim() : "";
    url.searchParams.set("q", query);
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || ticket !== latest) {
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("member-results");
      const current = document.getElementById("member-results");
      if (fresh && current) {
        current.replaceWith(document.adoptNode(fresh));
      }
    } catch (error) {
      // Offline: the list is still filtered, the search button still submits the form.
    }
  };

  input.addEventListener("input", () => {
    applyFilter();
    window.clearTimeout(timer);
    timer = window.setTimeout(searchMembers, 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilter();
    searchMembers();
  });
  document.addEventListener("inplace:updated", applyFilter);
  applyFilter();
})();
