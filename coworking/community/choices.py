"""The fixed lists of the community feature, with their French labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PARTNER_KINDS = {
    "collectivite": _l("Collectivité"),
    "entreprise": _l("Entreprise"),
    "association": _l("Association"),
    "ecole": _l("École / université"),
    "lieu": _l("Lieu / bar"),
    "media": _l("Média"),
}

# Partner roles are boolean columns of Partner: several can be true.
PARTNER_ROLES = {
    "hosts_events": _l("Accueille des événements"),
    "funds": _l("Finance"),
    "supports": _l("Soutient"),
    "founding_member": _l("Membre fondateur"),
}

OUTCOME_KINDS = {
    "stage": _l("Stage"),
    "emploi": _l("Emploi"),
    "mission": _l("Mission / contrat"),
    "entreprise": _l("Entreprise créée"),
    "collaboration": _l("Collaboration"),
    "autre": _l("Autre"),
}

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


def label(choices: dict, key: str | None) -> str:
    """Return the label of a key, or the key itself when unknown."""
    return str(choices.get(key or "", key or ""))
