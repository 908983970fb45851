"""The fixed lists several features show: event, partner and outcome kinds, partner roles.

Event kinds are rows (admins add their own); these are the built-in ones every space starts
with, in French and English. The other lists are fixed; their labels are translated where shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flask_babel import lazy_gettext as _l

__all__ = [
    "EVENT_KINDS",
    "EVENT_KIND_LABELS",
    "OUTCOME_KINDS",
    "PARTNER_KINDS",
    "PARTNER_ROLES",
    "label_of",
]

# slug → (French label, English label), in the order they are shown.
EVENT_KINDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "twapero": ("Twapéro", "Twapero"),
        "conference": ("Conférence", "Talk"),
        "atelier": ("Atelier", "Workshop"),
        "formation": ("Formation", "Training"),
        "barcamp": ("Barcamp / hackathon", "Barcamp / hackathon"),
        "afterwork": ("Afterwork", "Afterwork"),
        "ag": ("Assemblée générale", "General assembly"),
        "autre": ("Autre", "Other"),
    }
)
# slug → French label of the built-in event kinds.
EVENT_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {slug: labels[0] for slug, labels in EVENT_KINDS.items()}
)

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


def label_of(choices: Mapping[str, object], key: str | None) -> str:
    """Return the label of a key, or the key itself when unknown."""
    return str(choices.get(key or "", key or ""))
