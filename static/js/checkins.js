// Front desk: results appear while typing (three letters or more); the page works without this.
"use strict";

(() => {
  const form = document.querySelector("[data-desk-search]");
  if (!form || !document.getElementById("desk-results")) {
    return;
  }
  const input = form.querySelector("input[name=q]");
  let timer = null;
  let controller = null;

  const refresh = () => {
    const query = input.value.trim();
    if (query.length > 0 && query.length < 3) {
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    const url = new URL(form.action, window.location.href);
    url.searchParams.set("q", query);
    fetch(url, { signal: controller.signal, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.getElementById("desk-results");
        const current = document.getElementById("desk-results");
        if (fresh && current) {
          current.replaceWith(document.adoptNode(fresh));
          window.history.replaceState(null, "", url);
        }
      })
      .catch(() => {});
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
})();
