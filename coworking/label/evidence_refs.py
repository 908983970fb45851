"""Where the dossier lists the records a metric criterion counts: its evidence in the annexes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

__all__ = ["RECORD_LISTS", "record_list"]

# anchor in the dossier → the list's name
RECORD_LISTS = {
    "annex-events": _l("Liste des événements"),
    "press-list": _l("Liste des articles de presse"),
    "annex-outcomes": _l("Liste des retombées"),
    "partners-list": _l("Liste des partenaires"),
    "assemblies": _l("Assemblées générales"),
    "community": _l("Chiffres de la communauté"),
    "visibility": _l("Mentions par mois"),
}

_BY_INDICATOR = {
    "events_held": "annex-events",
    "events_public": "annex-events",
    "events_public_share": "annex-events",
    "events_free": "annex-events",
    "events_free_share": "annex-events",
    "events_workshops_trainings": "annex-events",
    "events_co_organised": "annex-events",
    "months_with_8_events": "annex-events",
    "attendance_total": "annex-events",
    "attendance_average": "annex-events",
    "attendees_unique": "annex-events",
    "attendees_returning_share": "annex-events",
    "attendees_first_timers_share": "annex-events",
    "no_show_rate": "annex-events",
    "general_assemblies": "assemblies",
    "press_articles": "press-list",
    "outcomes": "annex-outcomes",
    "partners_active": "partners-list",
    "mentions": "visibility",
    "mentions_reach": "visibility",
}


def record_list(indicator_key: str | None) -> tuple[str, str] | None:
    """Return (anchor, name) of the list of records an indicator counts; the community's
    figures (members are never listed by name) for the others."""
    if not indicator_key:
        return None
    anchor = _BY_INDICATOR.get(indicator_key, "community")
    return anchor, str(RECORD_LISTS[anchor])
