"""The applicant's texts: the sections a jury reads, kept with their history.

Each section has a key, a title and a one-line prompt of what a jury looks for. A text is
Markdown (`markdown_text`), at most `MAX_TEXT_CHARS` characters, in one language (the dossier's);
every change is kept as a revision with who made it and when.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coworking.audit import services as audit
from coworking.database import utcnow
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.label.markdown_text import MAX_TEXT_CHARS
from coworking.label.models import Narrative, NarrativeRevision

__all__ = [
    "NARRATIVE_SECTIONS",
    "NarrativeError",
    "NarrativeSection",
    "narrative_texts",
    "recent_revisions",
    "save_narrative",
    "section",
]

LANGUAGES = ("fr", "en")


class NarrativeError(ServiceError):
    """A text that cannot be saved: a translated message and the field at fault."""


@dataclass(frozen=True)
class NarrativeSection:
    key: str
    title: object  # a lazy string
    prompt: object


NARRATIVE_SECTIONS: tuple[NarrativeSection, ...] = (
    NarrativeSection(
        "project",
        _l("Le projet"),
        _l("Pourquoi ce lieu, pour qui : le besoin du territoire, les publics accueillis."),
    ),
    NarrativeSection(
        "history",
        _l("Notre histoire"),
        _l("Les dates qui comptent : création, ouverture, premiers événements, partenaires."),
    ),
    NarrativeSection(
        "values",
        _l("Partage, Ouverture, Transmission"),
        _l("Comment le lieu vit chacune des trois valeurs du réseau, exemples à l'appui."),
    ),
    NarrativeSection(
        "experimentation",
        _l("Expérimentation et innovation"),
        _l("Ce qui s'invente ici : projets, prototypes, collaborations nées au lieu."),
    ),
    NarrativeSection(
        "action_plan",
        _l("Plan d'action"),
        _l("Pour chaque critère encore non rempli : ce que vous ferez, avec qui, et quand."),
    ),
    NarrativeSection(
        "perspectives",
        _l("Perspectives"),
        _l(
            "Les trois prochaines années : projets, moyens, partenaires, ce que le label changerait."
        ),
    ),
)
_BY_KEY = {item.key: item for item in NARRATIVE_SECTIONS}


def section(key: str) -> NarrativeSection:
    """Return a section by key, or raise NarrativeError naming the key."""
    found = _BY_KEY.get(key)
    if found is None:
        raise NarrativeError(
            _(
                "Section inconnue : « %(key)s ». Sections : %(keys)s.",
                key=key[:40],
                keys=", ".join(_BY_KEY),
            ),
            "key",
        )
    return found


def narrative_texts(lang: str) -> dict[str, Narrative]:
    """Return the saved texts of a language by key (one query)."""
    rows = db.session.scalars(select(Narrative).where(Narrative.lang == lang))
    return {row.key: row for row in rows if row.key in _BY_KEY}


def check_body(body: str | None, field: str = "body") -> str:
    """Return the text, line ends normalised, or raise NarrativeError naming the field."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise NarrativeError(
            _(
                "Le texte fait %(n)s caractères : %(max)s au plus.",
                n=format_decimal(len(text)),
                max=format_decimal(MAX_TEXT_CHARS),
            ),
            field,
        )
    if "\x00" in text:
        raise NarrativeError(_("Le texte contient un caractère nul."), field)
    return text.strip("\n")


def save_narrative(key: str, lang: str, body: str | None, by: str | None) -> Narrative:
    """Save a section's text and keep the change as a revision (none when nothing changed)."""
    section(key)
    if lang not in LANGUAGES:
        raise NarrativeError(_("Langue inconnue : choisissez français ou anglais."), "lang")
    text = check_body(body)
    narrative = db.session.scalar(
        select(Narrative).where(Narrative.key == key, Narrative.lang == lang)
    )
    if narrative is not None and narrative.body == text:
        return narrative
    now = utcnow()
    if narrative is None:
        narrative = Narrative(key=key, lang=lang)
        db.session.add(narrative)
    narrative.body = text
    narrative.updated_at = now
    narrative.updated_by = by
    db.session.flush()
    db.session.add(
        NarrativeRevision(narrative_id=narrative.id, body=text, changed_at=now, changed_by=by)
    )
    db.session.flush()
    audit.record("narrative.update", narrative, f"{key} ({lang}) : {len(text)} caractères")
    return narrative


def recent_revisions(lang: str, per_key: int = 5) -> dict[str, list[NarrativeRevision]]:
    """Return the latest revisions of each section of a language, newest first."""
    rows = db.session.execute(
        select(Narrative.key, NarrativeRevision)
        .join(NarrativeRevision, NarrativeRevision.narrative_id == Narrative.id)
        .where(Narrative.lang == lang)
        .order_by(NarrativeRevision.changed_at.desc(), NarrativeRevision.id.desc())
        .limit(per_key * len(NARRATIVE_SECTIONS) * 4)
    )
    found: dict[str, list[NarrativeRevision]] = {}
    for key, revision in rows:
        items = found.setdefault(key, [])
        if len(items) < per_key:
            items.append(revision)
    return found
