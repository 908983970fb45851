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
