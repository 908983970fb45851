"""What each indicator is: its key, labels, unit and one-line definition, French and English,
and how its value is written for people. `indicators` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_app_context, has_request_context
from flask_babel import get_locale

from coworking.stats.charts import french_number, french_percent

__all__ = [
    "INDICATORS",
    "UNITS",
    "IndicatorDef",
    "UnknownIndicatorError",
    "current_language",
    "format_value",
]

UNITS = ("count", "percent", "ratio", "euros", "days")


class UnknownIndicatorError(KeyError):
    """An indicator key that is not in the registry."""


@dataclass(frozen=True)
class IndicatorDef:
    """What an indicator is: key, labels, unit and one-line definitions (French and English)."""

    key: str
    label_fr: str
    label_en: str
    unit: str
    definition_fr: str
    definition_en: str
    # How the gap of a criterion is counted: French singular and plural nouns, English ones.
    noun_fr: tuple[str, str] = ("", "")
    noun_en: tuple[str, str] = ("", "")

    def label(self, lang: str | None = None) -> str:
        return self.label_en if (lang or current_language()) == "en" else self.label_fr

    def definition(self, lang: str | None = None) -> str:
        return self.definition_en if (lang or current_language()) == "en" else self.definition_fr

    def noun(self, count: float, lang: str | None = None) -> str:
        singular, plural = self.noun_en if (lang or current_language()) == "en" else self.noun_fr
        return singular if abs(count) < 2 else plural

    def as_dict(self, lang: str | None = None) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label(lang),
            "unit": self.unit,
            "definition": self.definition(lang),
        }


def current_language() -> str:
    """Return ``fr`` or ``en``: the request's language, French elsewhere."""
    if not has_request_context() and not has_app_context():
        return "fr"
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "fr"


def _def(
    key: str,
    label_fr: str,
    label_en: str,
    unit: str,
    definition_fr: str,
    definition_en: str,
    noun_fr: tuple[str, str] = ("", ""),
    noun_en: tuple[str, str] = ("", ""),
) -> IndicatorDef:
    return IndicatorDef(
        key, label_fr, label_en, unit, definition_fr, definition_en, noun_fr, noun_en
    )


_MEMBERS = (("membre", "membres"), ("member", "members"))
_EVENTS = (("événement", "événements"), ("event", "events"))

INDICATORS: dict[str, IndicatorDef] = {
    d.key: d
    for d in (
        _def(
            "members_active",
            "Membres actifs",
            "Active members",
            "count",
            "Membres dont une adhésion couvre au moins un jour de la période "
            "(membres effacés au titre du RGPD compris).",
            "Members with a membership covering at least one day of the period "
            "(members erased under the GDPR included).",
            *_MEMBERS,
        ),
        _def(
            "members_at_start",
            "Membres au début de la période",
            "Members at the start",
            "count",
            "Membres dont une adhésion commencée avant la période couvre son premier jour.",
            "Members with a membership begun before the period that covers its first day.",
            *_MEMBERS,
        ),
        _def(
            "members_new",
            "Nouveaux membres",
            "New members",
            "count",
            "Membres dont la toute première adhésion commence dans la période (la date "
            "d'inscription n'entre pas en compte).",
            "Members whose very first membership starts within the period (the sign-up date "
            "does not count).",
            *_MEMBERS,
        ),
        _def(
            "members_returning",
            "Retours de membres",
            "Returning members",
            "count",
            "Membres actifs sur la période, ni membres au début ni nouveaux : une adhésion "
            "passée s'était terminée, une nouvelle commence dans la période.",
            "Members active in the period, neither members at the start nor new: a past "
            "membership had ended, a new one starts in the period.",
            *_MEMBERS,
        ),
        _def(
            "members_left",
            "Départs",
            "Members who left",
            "count",
            "Membres actifs sur la période dont aucune adhésion ne couvre son dernier jour "
            "(adhésion terminée, non renouvelée).",
            "Members active in the period with no membership covering its last day "
            "(membership ended, not renewed).",
            *_MEMBERS,
        ),
        _def(
            "members_at_end",
            "Membres à la fin de la période",
            "Members at the end",
            "count",
            "Membres dont une adhésion couvre le dernier jour de la période. Membres au début "
            "+ nouveaux + retours − départs = membres à la fin.",
            "Members with a membership covering the last day of the period. Members at the "
            "start + new + returning − left = members at the end.",
            *_MEMBERS,
        ),
        _def(
            "members_retention",
            "Fidélisation des membres",
            "Member retention",
            "percent",
            "Part des membres actifs sur la période précédente de même durée qui sont encore "
            "actifs sur celle-ci.",
            "Share of the members active in the previous period of the same length who are "
            "still active in this one.",
        ),
        _def(
            "profession_categories",
            "Catégories professionnelles",
            "Profession categories",
            "count",
            "Nombre de catégories professionnelles (hors « autre ») parmi les membres actifs ; "
            "0 si une seule catégorie dépasse la moitié des membres actifs.",
            "Number of profession categories (« other » excluded) among active members; "
            "0 when one category holds more than half of the active members.",
            ("catégorie", "catégories"),
            ("category", "categories"),
        ),
        _def(
            "checkins_visitor_days",
            "Journées de coworking",
            "Coworking visitor-days",
            "count",
            "Passages enregistrés dans l'espace de coworking sur la période "
            "(une personne un jour = une journée, demi-journées comprises).",
            "Visits logged in the coworking space during the period "
            "(one person one day = one visitor-day, half days included).",
            ("journée", "journées"),
            ("visitor-day", "visitor-days"),
        ),
        _def(
            "visitors_unique",
            "Visiteurs uniques",
            "Unique visitors",
            "count",
            "Personnes différentes venues coworker sur la période (membres, et visiteurs "
            "ponctuels par leur nom).",
            "Different people who came to cowork during the period (members, and one-off "
            "visitors by name).",
            ("visiteur", "visiteurs"),
            ("visitor", "visitors"),
        ),
        _def(
            "occupancy_rate",
            "Taux d'occupation",
            "Occupancy rate",
            "percent",
            "Journées de coworking rapportées aux postes de travail × jours d'ouverture "
            "de la période (horaires du profil de l'espace).",
            "Visitor-days divided by desks × days open in the period (opening hours of the "
            "space profile).",
        ),
        _def(
            "days_open_per_week",
            "Jours d'ouverture par semaine",
            "Days open per week",
            "count",
            "Jours de la semaine qui ont des horaires d'ouverture dans le profil de l'espace.",
            "Weekdays with opening hours in the space profile.",
            ("jour", "jours"),
            ("day", "days"),
        ),
        _def(
            "events_held",
            "Événements organisés",
            "Events held",
            "count",
            "Événements commençant dans la période (heure de Paris), privés compris, "
            "annulés exclus.",
            "Events starting within the period (Paris time), private ones included, "
            "cancelled ones excluded.",
            *_EVENTS,
        ),
        _def(
            "events_public",
            "Événements ouverts au public",
            "Public events",
            "count",
            "Événements organisés sur la période et ouverts au public.",
            "Events held in the period and open to the public.",
            *_EVENTS,
        ),
        _def(
            "events_free",
            "Événements gratuits",
            "Free events",
            "count",
            "Événements organisés sur la période et gratuits.",
            "Events held in the period and free of charge.",
            *_EVENTS,
        ),
        _def(
            "events_public_share",
            "Part d'événements ouverts au public",
            "Share of public events",
            "percent",
            "Événements ouverts au public rapportés aux événements organisés.",
            "Public events divided by events held.",
        ),
        _def(
            "events_free_share",
            "Part d'événements gratuits",
            "Share of free events",
            "percent",
            "Événements gratuits rapportés aux événements organisés.",
            "Free events divided by events held.",
        ),
        _def(
            "events_workshops_trainings",
            "Ateliers et formations",
            "Workshops and trainings",
            "count",
            "Événements organisés de type atelier ou formation.",
            "Events held of kind workshop or training.",
            ("atelier ou formation", "ateliers ou formations"),
            ("workshop or training", "workshops or trainings"),
        ),
        _def(
            "events_co_organised",
            "Événements co-organisés",
            "Co-organised events",
            "count",
            "Événements organisés avec au moins un partenaire co-organisateur.",
            "Events held with at least one co-organising partner.",
            *_EVENTS,
        ),
        _def(
            "months_with_8_events",
            "Mois d'au moins 8 événements",
            "Months with at least 8 events",
            "count",
            "Mois civils de la période (limités à la période) comptant 8 événements organisés "
            "ou plus.",
            "Calendar months of the period (clipped to it) with 8 or more events held.",
            ("mois", "mois"),
            ("month", "months"),
        ),
        _def(
            "general_assemblies",
            "Assemblées générales",
            "General assemblies",
            "count",
            "Assemblées générales tenues dans la période : celles du registre de gouvernance, "
            "ou les événements de type assemblée générale s'ils sont plus nombreux.",
            "General assemblies held in the period: those of the governance register, or the "
            "events of kind general assembly when there are more of them.",
            ("assemblée générale", "assemblées générales"),
            ("general assembly", "general assemblies"),
        ),
        _def(
            "attendance_total",
            "Participations",
            "Attendance",
            "count",
            "Présences constatées aux événements organisés, plus les comptages des événements "
            "ouverts sans inscription.",
            "Attendances recorded at the events held, plus the headcounts of open events "
            "without registration.",
            ("participation", "participations"),
            ("attendance", "attendances"),
        ),
        _def(
            "attendance_average",
            "Participation moyenne",
            "Average attendance",
            "ratio",
            "Participations divisées par le nombre d'événements organisés.",
            "Attendance divided by the number of events held.",
            ("participant", "participants"),
            ("attendee", "attendees"),
        ),
        _def(
            "attendees_unique",
            "Participants uniques",
            "Unique attendees",
            "count",
            "Personnes différentes présentes à au moins un événement organisé (membres, "
            "invités par leur nom ; hors comptages anonymes).",
            "Different people present at one event held or more (members, guests by name; "
            "anonymous headcounts excluded).",
            ("participant", "participants"),
            ("attendee", "attendees"),
        ),
        _def(
            "attendees_returning_share",
            "Participants fidèles",
            "Returning attendees",
            "percent",
            "Part des participants uniques venus à 2 événements ou plus sur la période.",
            "Share of unique attendees who came to 2 events or more in the period.",
        ),
        _def(
            "attendees_first_timers_share",
            "Primo-participants",
            "First-timers",
            "percent",
            "Part des présences constatées marquées « première venue ».",
            "Share of recorded attendances marked « first visit ».",
        ),
        _def(
            "no_show_rate",
            "Taux d'absence",
            "No-show rate",
            "percent",
            "Inscrits absents rapportés aux inscrits présents ou absents des événements organisés.",
            "Registered people who did not come, divided by those who came or did not.",
        ),
        _def(
            "partners_active",
            "Partenaires actifs",
            "Active partners",
            "count",
            "Partenaires dont le partenariat (depuis – jusqu'à) recouvre la période.",
            "Partners whose partnership (since – until) overlaps the period.",
            ("partenaire", "partenaires"),
            ("partner", "partners"),
        ),
        _def(
            "press_articles",
            "Articles de presse",
            "Press articles",
            "count",
            "Articles de presse parus dans la période.",
            "Press articles published within the period.",
            ("article", "articles"),
            ("article", "articles"),
        ),
        _def(
            "mentions",
            "Mentions sur les réseaux sociaux",
            "Social-media mentions",
            "count",
            "Publications sur les réseaux sociaux mentionnant l'espace, postées dans la période "
            "(heure de Paris).",
            "Social-media posts mentioning the space, posted within the period (Paris time).",
            ("mention", "mentions"),
            ("mention", "mentions"),
        ),
        _def(
            "mentions_reach",
            "Interactions des mentions",
            "Mention interactions",
            "count",
            "Somme des « j'aime » et des partages des mentions de la période.",
            "Sum of the likes and reposts of the period's mentions.",
            ("interaction", "interactions"),
            ("interaction", "interactions"),
        ),
        _def(
            "outcomes",
            "Retombées",
            "Outcomes",
            "count",
            "Retombées enregistrées dans la période : stages, emplois, missions, entreprises "
            "créées, collaborations.",
            "Outcomes recorded within the period: internships, jobs, contracts, companies "
            "founded, collaborations.",
            ("retombée", "retombées"),
            ("outcome", "outcomes"),
        ),
    )
}


def format_value(key: str, value: float | int | None, lang: str | None = None) -> str:
    """Format an indicator's value for people: « 5 700 », « 42 % », « 12,5 », « — »."""
    if value is None:
        return "—"
    unit = INDICATORS[key].unit if key in INDICATORS else "count"
    english = (lang or current_language()) == "en"
    if unit == "percent":
        if english:
            return f"{value * 100:.0f}%"
        return french_percent(value)
    if unit == "ratio":
        return f"{value:,.1f}" if english else french_number(value, 1)
    if unit == "euros":
        return f"{value:,.2f} €" if english else f"{french_number(value, 2)}\u00a0€"
    return f"{value:,}" if english else french_number(value)
