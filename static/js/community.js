// The outcome form's member picker: members found while typing, ticked in place.
// Without this file the search has its own button, which sends the form back with the results.
"use strict";

document.querySelectorAll("[data-member-picker]").forEach((picker) => {
  const input = picker.querySelector("input[type=search]");
  const form = picker.closest("form");
  if (!input || !form) {
    return;
  }
  const chosen = picker.querySelector(".choice-list:not(.member-picker__found)");
  let timer = null;
  let latest = 0;

  // A member ticked among those found joins the chosen ones, so a new search keeps them.
  const keepTicked = () => {
    const found = document.getElementById("member-found");
    found.querySelectorAll("input:checked").forEach((box) => {
      chosen.append(box.closest("li"));
    });
  };

  const find = async () => {
    const ticket = ++latest;
    keepTicked();
    const url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("member_find", input.value.trim());
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || ticket !== latest) {
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("member-found");
      const current = document.getElementById("member-found");
      if (!fresh || !current) {
        return;
      }
      const ticked = new Set([...chosen.querySelectorAll("input:checked")].map((b) => b.value));
      fresh.querySelectorAll("input").forEach((box) => {
        if (ticked.has(box.value)) {
          box.closest("li").remove();
        }
      });
      current.replaceWith(document.adoptNode(fresh));
    } catch (error) {
      // Offline: the « Chercher » button still works.
    }
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    if (input.value.trim().length >= 2 || input.value.trim() === "") {
      timer = window.setTimeout(find, 250);
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches, it does not save the form
      find();
    }
  });
  picker.querySelector("button[name=find_members]").addEventListener("click", (event) => {
    event.preventDefault();
    find();
  });
  form.addEventListener("change", (event) => {
    if (event.target.closest("#member-found")) {
      keepTicked();
    }
  });
});
