"""The platforms mentions come from, with their labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

__all__ = ["PLATFORMS"]

PLATFORMS = {
    "twitter": _l("Twitter / X"),
    "mastodon": _l("Mastodon"),
    "linkedin": _l("LinkedIn"),
    "facebook": _l("Facebook"),
    "instagram": _l("Instagram"),
    "other": _l("Autre"),
}
