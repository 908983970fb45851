// Roll call: search members as you type (the form still works without this file).
"use strict";

document.querySelectorAll("form[data-live-search]").forEach((form) => {
  const target = document.getElementById(form.dataset.liveSearch);
  const input = form.querySelector("input[type=search]");
  if (!target || !input) {
    return;
  }
  let timer = null;
  let latest = 0;
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const ticket = ++latest;
      const url = new URL(form.action, window.location.href);
      url.hash = "";
      url.searchParams.set("q", input.value);
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok || ticket !== latest) {
          return;
        }
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(target.id);
        if (fresh) {
          target.replaceChildren(...fresh.childNodes);
          window.history.replaceState(null, "", url.pathname + url.search + "#roll-call");
        }
      } catch (error) {
        // Offline or server error: the search button still submits the form.
      }
    }, 250);
  });
});
