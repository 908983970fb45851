// Forms sent in place: <form data-inplace> is posted with fetch and the server answers with the
// parts of the page that changed (coworking/inplace.py). The page does not reload: the scroll
// position and the focus stay, the change is announced in #live-status with « Annuler » for
// ten seconds. Without this file, or when anything goes wrong, the form is sent as usual.
"use strict";

(() => {
  const status = document.getElementById("live-status");
  const UNDO_SECONDS = 10;
  // A second tap on the same button this soon is a double tap, not a wish to toggle back.
  const DOUBLE_TAP_MS = 700;
  let undoTimer = null;
  const busy = new WeakSet();
  const lastTap = new Map();

  // The element whose position on screen must not move: the nearest ancestor with an id.
  const anchorOf = (element) => element.closest("[id]") || element;

  const replaceFragments = (fragments) => {
    Object.entries(fragments || {}).forEach(([id, html]) => {
      const old = document.getElementById(id);
      if (!old) {
        return;
      }
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      const fresh = template.content.firstElementChild;
      if (fresh) {
        old.replaceWith(fresh);
      }
    });
  };

  const clearUndo = () => {
    window.clearTimeout(undoTimer);
    undoTimer = null;
  };

  // The undo form stays ten seconds, and longer while the pointer or the focus is on it.
  const scheduleUndoRemoval = (undo) => {
    clearUndo();
    let expired = false;
    const remove = () => {
      if (undo.isConnected) {
        undo.remove();
      }
    };
    undoTimer = window.setTimeout(() => {
      expired = true;
      if (!undo.matches(":hover, :focus-within")) {
        remove();
      }
    }, UNDO_SECONDS * 1000);
    ["mouseleave", "focusout"].forEach((name) =>
      undo.addEventListener(name, () => {
        window.setTimeout(() => {
          if (expired && !undo.matches(":hover, :focus-within")) {
            remove();
          }
        }, 0);
      }),
    );
  };

  const announce = (message, undoHtml, ok) => {
    if (!status) {
      return;
    }
    clearUndo();
    status.replaceChildren();
    status.classList.toggle("live-status--error", !ok);
    if (!message) {
      return;
    }
    const text = document.createElement("p");
    text.className = "live-status__message";
    text.textContent = message;
    status.append(text);
    if (undoHtml) {
      const template = document.createElement("template");
      template.innerHTML = undoHtml.trim();
      const undo = template.content.firstElementChild;
      if (undo) {
        status.append(undo);
        scheduleUndoRemoval(undo);
      }
    }
  };

  const focusAfter = (data, previousId) => {
    const target =
      (data.focus && document.getElementById(data.focus)) ||
      (previousId && document.getElementById(previousId));
    if (target) {
      target.focus({ preventScroll: true });
      if (target.matches("input[type=search]")) {
        target.select(); // the next name is typed over the last one
      }
    }
  };

  const send = async (form, submitter) => {
    const body = new FormData(form, submitter || undefined);
    if (submitter && submitter.name && !body.has(submitter.name)) {
      body.append(submitter.name, submitter.value); // browsers without FormData's submitter
    }
    const anchor = anchorOf(submitter || form);
    const anchorId = anchor.id;
    const before = anchor.getBoundingClientRect().top;
    const previousId = document.activeElement && document.activeElement.id;
    const response = await fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Inplace": "1", Accept: "application/json" },
    });
    const type = response.headers.get("Content-Type") || "";
    if (!type.startsWith("application/json")) {
      throw new Error("not an in-place answer");
    }
    const data = await response.json();
    replaceFragments(data.fragments);
    Object.entries(data.values || {}).forEach(([id, value]) => {
      const input = document.getElementById(id);
      if (input) {
        input.value = value;
      }
    });
    // Keep what the user was looking at in the same place on the screen.
    const moved = (anchorId && document.getElementById(anchorId)) || (anchor.isConnected && anchor);
    if (moved) {
      window.scrollBy(0, moved.getBoundingClientRect().top - before);
    }
    focusAfter(data, previousId);
    announce(data.message, data.undo, data.ok);
    document.dispatchEvent(new CustomEvent("inplace:updated", { detail: data }));
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-inplace]")) {
      return;
    }
    if (event.defaultPrevented) {
      return; // refused by a confirmation (app.js)
    }
    event.preventDefault();
    if (busy.has(form)) {
      return; // a second tap while the first is on its way
    }
    const submitter = event.submitter;
    if (submitter && submitter.id) {
      const now = Date.now();
      if (now - (lastTap.get(submitter.id) || 0) < DOUBLE_TAP_MS) {
        return;
      }
      lastTap.set(submitter.id, now);
    }
    busy.add(form);
    form.setAttribute("aria-busy", "true");
    send(form, submitter)
      .catch(() => {
        // Offline, an error page, a login page: send the form the ordinary way.
        if (submitter && submitter.name) {
          const carried = document.createElement("input");
          carried.type = "hidden";
          carried.name = submitter.name;
          carried.value = submitter.value;
          form.append(carried);
        }
        form.removeAttribute("data-inplace");
        form.submit();
      })
      .finally(() => {
        busy.delete(form);
        form.removeAttribute("aria-busy");
      });
  });
})();
