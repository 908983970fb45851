"""French typography, done once: the spaces, apostrophes and ordinals a French reader expects.

`typeset(text, lang)` takes plain text and returns it with, in French:

- a narrow no-break space (U+202F) before « ; ! ? » and inside « », a no-break space
  (U+00A0) before « : » — never inside a time (18:30), a URL (https://) or a ratio;
- the typographic apostrophe (’) for the straight one between letters;
- « 1er » before a month (« 1er janvier »);
- SIRET and SIREN numbers grouped (« 853 643 237 00011 »), with no-break spaces.

In English, apostrophes only. `typeset_markup` does the same to the text of HTML (the
rendered Markdown of the applicant's texts), leaving tags and attributes alone.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

__all__ = ["NBSP", "NNBSP", "group_siret", "typeset", "typeset_markup"]

NBSP = "\u00a0"
NNBSP = "\u202f"

_MONTHS = (
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    "|janv\\.|févr\\.|avr\\.|juil\\.|sept\\.|oct\\.|nov\\.|déc\\."
)
_FIRST_OF_MONTH = re.compile(rf"(?<![\d,.])\b1(?:er)?[ {NBSP}{NNBSP}]+({_MONTHS})(?![\w])")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W_])")
# A space (or none) before ; ! ? — but not « ?? », not a URL's query (?a=b), not « !important ».
_BEFORE_HIGH = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}«(\[/=?!;])[ {NBSP}]?([;!?]+)(?=\s|$|[»)\].,])")
# A space (or none) before a colon followed by a space or the end: « Note : », never 18:30 nor
# https://, nor a colon at the very start of a line.
_BEFORE_COLON = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}])[ {NNBSP}]?:(?=\s|$)")
_OPENING_GUILLEMET = re.compile(rf"«[ {NBSP}{NNBSP}]*")
_CLOSING_GUILLEMET = re.compile(rf"[ {NBSP}{NNBSP}]*»")
# 14 digits alone (a SIRET), maybe already spaced as 3-3-3-5; 9 digits (a SIREN).
_SIRET = re.compile(
    r"(?<![\d])(\d{3})[ \u00a0\u202f]?(\d{3})[ \u00a0\u202f]?(\d{3})[ \u00a0\u202f]?(\d{5})(?![\d])"
)
_URL_OR_EMAIL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|mailto:|www\.)\S+|\S+@\S+\.\S+", re.I)


def group_siret(number: str) -> str:
    """Return a SIRET (14 digits) or SIREN (9 digits) grouped by three (and the last five)."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 14:
        return NBSP.join((digits[0:3], digits[3:6], digits[6:9], digits[9:14]))
    if len(digits) == 9:
        return NBSP.join((digits[0:3], digits[3:6], digits[6:9]))
    return number


def _french(text: str) -> str:
    text = _APOSTROPHE.sub("’", text)
    text = _OPENING_GUILLEMET.sub(f"«{NNBSP}", text)
    text = _CLOSING_GUILLEMET.sub(f"{NNBSP}»", text)
    text = _BEFORE_HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _BEFORE_COLON.sub(f"{NBSP}:", text)
    text = _FIRST_OF_MONTH.sub(lambda m: f"1er{NBSP}{m.group(1)}", text)
    return _SIRET.sub(lambda m: NBSP.join(m.groups()), text)


def typeset(text: str | None, lang: str = "fr") -> str:
    """Return plain text set to the language's rules (French by default); URLs untouched."""
    if not text:
        return text or ""
    # URLs and e-mails are set aside (each replaced by one private-use character, so that the
    # rules still see that something stands there) and put back afterwards.
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group())
        return chr(_KEPT + len(kept) - 1)

    text = _URL_OR_EMAIL.sub(keep, text)
    text = _french(text) if lang == "fr" else _APOSTROPHE.sub("’", text)
    if not kept:
        return text
    placeholders = f"[{chr(_KEPT)}-{chr(_KEPT + len(kept) - 1)}]"
    return re.sub(placeholders, lambda m: kept[ord(m.group()) - _KEPT], text)


_KEPT = 0xE000


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_ENTITY = re.compile(r"&(#39|#x27|quot|amp|lt|gt|#34|nbsp);")
_ENTITIES = {
    "#39": "'",
    "#x27": "'",
    "quot": '"',
    "#34": '"',
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "nbsp": NBSP,
}


def typeset_markup(html: str, lang: str = "fr") -> Markup:
    """Return HTML with the text between its tags set to the language's rules.

    The text of ``<code>``, ``<pre>`` and of link targets is left as it is (attributes are
    never touched).
    """
    out: list[str] = []
    verbatim = 0
    for part in _TAG_OR_TEXT.split(str(html)):
        if part.startswith("<"):
            name = (
                part[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            )
            if name in ("code", "pre"):
                verbatim += -1 if part.startswith("</") else 1
            out.append(part)
        elif verbatim > 0 or not part:
            out.append(part)
        else:
            text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], part)
            out.append(str(escape(typeset(text, lang))))
    return Markup("".join(out))  # noqa: S704 (tags kept as given, text re-escaped above)
