"""The applicant's Markdown, rendered the same way for the page preview and the PDF.

markdown-it-py in its ``js-default`` preset: CommonMark with raw HTML off (``<script>`` is shown
as text), links kept only to ``http(s)`` and ``mailto`` (others stay text), and images rendered
as their alternative text: nothing a text names is ever fetched, neither by the browser nor by
WeasyPrint. Headings are shifted down so that a text's « # » sits under its section's heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

__all__ = ["MAX_TEXT_CHARS", "render_markdown", "safe_link"]

MAX_TEXT_CHARS = 20_000
LINK_SCHEMES = ("http://", "https://", "mailto:")
# A text's level-1 heading becomes an <h4>: the dossier's section is an <h2>, its parts <h3>.
HEADING_SHIFT = 3


def safe_link(url: str) -> bool:
    """Tell whether a link may stay a link: http(s) or mailto, nothing else."""
    return url.strip().lower().startswith(LINK_SCHEMES)


def _image_as_text(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Render an image as its alternative text, in brackets: never an <img>, never fetched."""
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return f"[{escapeHtml(alt)}]" if alt else ""


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    level = min(6, int(token.tag[1:]) + HEADING_SHIFT)
    return f"<h{level}>"


def _heading_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    level = min(6, int(tokens[idx].tag[1:]) + HEADING_SHIFT)
    return f"</h{level}>\n"


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = safe_link  # type: ignore[method-assign]  # markdown-it-py's documented hook
    md.add_render_rule("image", _image_as_text)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


def render_markdown(text: str | None) -> Markup:
    """Render the applicant's Markdown to safe HTML (no raw HTML, no image, safe links only)."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_parser().render(text))  # noqa: S704  # markdown-it escapes; raw HTML is off
