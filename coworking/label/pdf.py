"""Turn HTML into PDF with WeasyPrint, reading nothing but our static files.

The URL fetcher is the security boundary: the dossier's HTML carries text typed
by users (event titles, testimonials, mention texts), so a stray
``<img src="file:///etc/passwd">`` or ``<link rel="attachment">`` must not
pull server files or internal URLs into the PDF.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import time
from collections.abc import Callable, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = [
    "INTERNAL_BASE_URL",
    "RefusedURLError",
    "StaticURLFetcher",
    "create_pdf_timed",
]

LOGGER = logging.getLogger(__name__)

# Base URL used when the caller gives none, so that "/static/…" links resolve.
# The .invalid top-level domain never resolves (RFC 2606): nothing is fetched
# from it, its /static/ paths are mapped to the static folder.
INTERNAL_BASE_URL = "https://coworking.invalid/"
STATIC_URL_PATH = "/static/"
STATIC_SCHEME = "static:"

CONTENT_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


# Name of the sRGB colour profile given to WeasyPrint for PDF/A output intents.
OUTPUT_INTENT = "--coworking-srgb"


class RefusedURLError(ValueError):
    """A resource URL points outside the static folder."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused {url[:200]!r}: {reason}")
        self.url = url
        self.reason = reason


class StaticURLFetcher(URLFetcher):
    """Serve files under the static folder and ``data:`` URLs; refuse the rest.

    Accepted forms: ``static:css/dossier.css``; ``/static/css/dossier.css``
    (resolved against the base URL's origin, never requested over the
    network); and ``file://`` URLs whose resolved path stays in the folder.
    """

    def __init__(self, static_folder: str | Path, base_url: str = INTERNAL_BASE_URL) -> None:
        super().__init__(allow_redirects=False, allowed_protocols=("data",), timeout=5)
        self.static_root = Path(static_folder).resolve(strict=True)
        self.base_url = base_url
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource of an allowed URL, raise RefusedURLError otherwise."""
        try:
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            path = self.static_path(url)
        except RefusedURLError as error:
            self.refused.append(url)
            LOGGER.warning("PDF resource refused: %s (%s)", url[:200], error.reason)
            raise
        content_type = CONTENT_TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def static_path(self, url: str) -> Path:
        """Map an URL to a regular file inside the static folder."""
        relative = self._relative_path(url)
        segments = relative.replace("\\", "/").split("/")
        if ".." in segments or "\x00" in relative:
            raise RefusedURLError(url, "path traversal")
        path = (self.static_root / relative.lstrip("/")).resolve()
        if not path.is_relative_to(self.static_root):
            raise RefusedURLError(url, "outside the static folder")
        if not path.is_file():
            raise RefusedURLError(url, "no such static file")
        return path

    def _relative_path(self, url: str) -> str:
        """Return the path inside the static folder that an URL names."""
        if url.lower().startswith(STATIC_SCHEME):
            return unquote(urlsplit(url[len(STATIC_SCHEME) :]).path)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        raw_path = unquote(parts.path)
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise RefusedURLError(url, "remote file URL")
            if ".." in raw_path.split("/"):
                raise RefusedURLError(url, "path traversal")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(self.static_root):
                raise RefusedURLError(url, "outside the static folder")
            return str(path.relative_to(self.static_root))
        if scheme in ("http", "https"):
            base = urlsplit(self.base_url)
            same_origin = (scheme, parts.netloc.lower()) == (
                base.scheme.lower(),
                base.netloc.lower(),
            )
            if same_origin and raw_path.startswith(STATIC_URL_PATH):
                return raw_path[len(STATIC_URL_PATH) :]
        raise RefusedURLError(url, f"scheme {scheme or '(none)'} not served")


def create_pdf_timed(
    html: str,
    *,
    static_folder: str | Path,
    base_url: str | None = None,
    pdf_variant: str | None = "pdf/a-3u",
    title: str | None = None,
    lang: str | None = None,
    authors: Sequence[str] | None = None,
    description: str | None = None,
    on_write: Callable[[], None] | None = None,
) -> tuple[bytes, dict[str, float]]:
    """Render HTML to tagged PDF bytes (resources only from the static folder), with the seconds
    spent in layout and writing, and the page count.

    Metadata (title, language, authors, description) come from ``<title>``,
    ``<html lang>`` and ``<meta name=author|description>``; the keyword
    arguments override them. The language defaults to French.
    """
    base_url = base_url or INTERNAL_BASE_URL
    fetcher = StaticURLFetcher(static_folder, base_url=base_url)
    font_config = FontConfiguration()
    options: dict[str, object] = {"pdf_tags": True, "pdf_variant": pdf_variant}
    color_profiles: dict[str, object] = {}
    if pdf_variant:
        options["stylesheets"] = [_srgb_profile_css(fetcher, color_profiles)]
        options["output_intent"] = OUTPUT_INTENT
    started = time.perf_counter()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        font_config=font_config, color_profiles=color_profiles, **options
    )
    laid_out = time.perf_counter()
    metadata = document.metadata
    metadata.title = title or metadata.title
    metadata.lang = lang or metadata.lang or "fr"
    metadata.authors = list(authors) if authors else metadata.authors
    metadata.description = description or metadata.description
    if on_write is not None:
        on_write()
    pdf = document.write_pdf(**options)
    written = time.perf_counter()
    timings = {
        "layout": laid_out - started,
        "write": written - laid_out,
        "total": written - started,
        # The page count, known here for free (pypdf needs ~0.5 s to count a tagged PDF's pages).
        "pages": len(document.pages),
    }
    return pdf, timings


@cache
def _srgb_profile_url() -> str:
    """Return WeasyPrint's bundled sRGB ICC profile as a data: URL."""
    profile = files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()
    return "data:application/vnd.iccprofile;base64," + base64.b64encode(profile).decode()


def _srgb_profile_css(fetcher: StaticURLFetcher, color_profiles: dict[str, object]) -> CSS:
    """Declare the sRGB profile used as the PDF/A output intent.

    WeasyPrint 70's own ``output_intent="srgb"`` opens the profile file and
    never closes it (a ResourceWarning, an error in our tests); declaring the
    same profile through ``@color-profile`` gives the same PDF without the leak.
    """
    rule = (
        f"@color-profile {OUTPUT_INTENT} {{ src: url({_srgb_profile_url()}); components: r, g, b }}"
    )
    return CSS(string=rule, url_fetcher=fetcher, color_profiles=color_profiles)
