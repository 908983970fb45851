"""Answers to forms sent in place: the parts of the page that changed, as JSON.

Forms marked ``data-inplace`` (static/js/inplace.js) are sent with the header
``X-Inplace: 1``. The view answers with the fragments of the page to replace (by element
id), the sentence to announce, an optional « Annuler » form and where the focus goes; the page
does not reload, its scroll position and focus stay. The same forms still work without
JavaScript: the view then redirects as usual.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

INPLACE_HEADER = "X-Inplace"


def wants_inplace() -> bool:
    """Tell whether the form was sent in place (by inplace.js), not by the browser."""
    return request.headers.get(INPLACE_HEADER) == "1"


def inplace_response(
    message: str,
    fragments: dict[str, str],
    *,
    undo: str | None = None,
    focus: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """Return the JSON inplace.js applies: replace each element whose id is a key of
    ``fragments`` by its HTML, announce ``message`` (with the ``undo`` form's HTML for ten
    seconds), focus the element ``focus`` names and set the ``values`` of inputs by id."""
    body: dict[str, Any] = {"ok": status < 400, "message": message, "fragments": fragments}
    if undo:
        body["undo"] = undo
    if focus:
        body["focus"] = focus
    if values:
        body["values"] = values
    response = jsonify(body)
    response.status_code = status
    # The same URL answers a page or these fragments: caches must keep them apart.
    response.vary.add(INPLACE_HEADER)
    return response
