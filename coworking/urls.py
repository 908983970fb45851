"""Check and clean outside links (http/https with a host) typed or imported."""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from flask_babel import gettext as _

from coworking.errors import ServiceError

ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 2048


def clean_url(url: str | None) -> str | None:
    """Return the URL stripped, scheme lowercased, or None if it is no safe web link.

    Accepted: absolute ``http``/``https`` URLs with a valid host name or IP address.
    Refused: other schemes (``javascript:``, ``data:``, ``file:``…), scheme-relative
    ``//host`` links, credentials in the URL (``https://bank.fr@evil.example``, a
    classic disguise), whitespace or control characters anywhere, bad ports, and
    URLs longer than ``MAX_URL_LENGTH``.
    """
    if not url:
        return None
    candidate = url.strip()
    if not candidate or len(candidate) > MAX_URL_LENGTH or _has_forbidden_chars(candidate):
        return None
    try:
        parts = urlsplit(candidate)
        hostname = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return None
    if not hostname or parts.username is not None or parts.password is not None:
        return None
    if not _is_valid_host(hostname, bracketed="[" in parts.netloc):
        return None
    return parts.scheme.lower() + candidate[len(parts.scheme) :]


def checked_url(value: str | None, field: str = "url", max_length: int = 500) -> str | None:
    """Return a cleaned http(s) link typed in a form, None when empty; refuse anything else."""
    value = (value or "").strip()
    if not value:
        return None
    cleaned = clean_url(value)
    if cleaned is None:
        raise ServiceError(
            _("Lien refusé : seules les adresses web en http:// ou https:// sont acceptées."),
            field,
        )
    if len(cleaned) > max_length:
        raise ServiceError(_("Lien trop long (%(n)d caractères au plus).", n=max_length), field)
    return cleaned


def _has_forbidden_chars(text: str) -> bool:
    """Tell whether the text holds whitespace, control, bidi or backslash characters."""
    return any(
        ch.isspace() or ch == "\\" or unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}
        for ch in text
    )


def _is_valid_host(hostname: str, *, bracketed: bool) -> bool:
    """Tell whether the host is an IP address or a well-formed (maybe IDN) domain."""
    if bracketed:
        try:
            return ipaddress.ip_address(hostname).version == 6
        except ValueError:
            return False
    labels = hostname.removesuffix(".").split(".")
    return all(_is_valid_label(label) for label in labels)


def _is_valid_label(label: str) -> bool:
    """Tell whether one dot-separated part of a domain name is well formed."""
    if not 1 <= len(label) <= 63 or label.startswith("-") or label.endswith("-"):
        return False
    return all(ch.isalnum() or ch == "-" for ch in label)
