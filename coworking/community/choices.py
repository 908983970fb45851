"""The fixed lists of the community feature, with their French labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coworking.kinds import OUTCOME_KINDS, PARTNER_KINDS, PARTNER_ROLES, label_of

__all__ = [
    "ANNEX_KINDS",
    "DOCUMENT_KINDS",
    "IMAGE_TYPES",
    "OUTCOME_KINDS",
    "PARTNER_KINDS",
    "PARTNER_ROLES",
    "PLATFORMS",
    "SERVED_TYPES",
    "label",
]

# Documents of these kinds are annexed to the dossier as pages (statutes, support letters).
ANNEX_KINDS = ("statutes", "support_letter")

DOCUMENT_KINDS = {
    "support_letter": _l("Lettre de soutien"),
    "statutes": _l("Statuts"),
    "agreement": _l("Convention"),
    "press_clipping": _l("Coupure de presse"),
    "photo": _l("Photo"),
    "logo": _l("Logo"),
    "other": _l("Autre"),
}

PLATFORMS = {
    "twitter": _l("Twitter / X"),
    "mastodon": _l("Mastodon"),
    "linkedin": _l("LinkedIn"),
    "facebook": _l("Facebook"),
    "instagram": _l("Instagram"),
    "other": _l("Autre"),
}

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
SERVED_TYPES = IMAGE_TYPES | {"application/pdf"}


label = label_of
