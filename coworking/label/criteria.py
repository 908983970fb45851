"""The label's criteria: the default catalogue of LABEL.md, and its editing by admins.

A *metric* criterion compares an indicator (by key) with a target. A
*declaration* is stated by the applicant (``declared_met``, a statement) and,
when ``evidence_required``, needs a document attached. Some declarations can
also be checked from the data: their ``indicator_key`` then names one of
`DECLARATION_CHECKS` (see coworking.label.readiness), so OUV-4 is met when the
space profile shows enough days open and a day pass, ECO-1 when a budget with
income and expenses exists for a year of the period, GOV-1 and PART-2 take the
statutes and the local authorities' support letters uploaded as documents as
their evidence.

Targets are in the indicator's own unit: shares are ratios (0.7 for 70 %).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from coworking.audit import services as audit
from coworking.documents.models import Document
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.label.models import Criterion
from coworking.stats.definitions import INDICATORS

__all__ = [
    "COMPARATORS",
    "DECLARATION_CHECKS",
    "DEFAULT_CRITERIA",
    "KINDS",
    "CriterionError",
    "attach_document",
    "detach_document",
    "DefaultCriterion",
    "create_criterion",
    "ensure_default_criteria",
    "update_criterion",
]

COMPARATORS = {
    "ge": _l("au moins (≥)"),
    "gt": _l("plus de (>)"),
    "le": _l("au plus (≤)"),
    "lt": _l("moins de (<)"),
    "eq": _l("exactement (=)"),
}
COMPARATOR_SIGNS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}
KINDS = {"metric": _l("Indicateur"), "declaration": _l("Déclaration")}
# Declarations that the data can check, by the key stored in Criterion.indicator_key.
DECLARATION_CHECKS = {
    "space_open_coworking": _l(
        "Profil de l'espace : jours d'ouverture par semaine (au moins la cible) et journée "
        "à l'unité proposée"
    ),
    "space_legal_structure": _l("Profil de l'espace : forme juridique renseignée ; statuts joints"),
    "local_authority_support": _l("Lettre de soutien d'un partenaire de type collectivité"),
    "budget_of_year": _l("Budget d'une année de la période avec recettes et dépenses"),
}


class CriterionError(ServiceError):
    """A criterion that cannot be saved: a translated message and the field at fault."""


@dataclass(frozen=True)
class DefaultCriterion:
    code: str
    pillar: str
    title: str
    kind: str
    indicator_key: str | None
    comparator: str
    target: float | None
    weight: float
    description: str = ""
    evidence_required: bool = False


def _metric(
    code: str, pillar: str, title: str, key: str, target: float, weight: float, description: str
) -> DefaultCriterion:
    return DefaultCriterion(code, pillar, title, "metric", key, "ge", target, weight, description)


DEFAULT_CRITERIA: tuple[DefaultCriterion, ...] = (
    _metric(
        "PROG-1",
        "Programme",
        "Événements organisés sur la période (une année)",
        "events_held",
        200,
        3,
        "L'ordre de grandeur demandé par le réseau : environ 200 événements par an.",
    ),
    _metric(
        "PROG-2",
        "Programme",
        "Mois de la période comptant au moins 8 événements",
        "months_with_8_events",
        10,
        2,
        "Une programmation régulière tout au long de l'année : 10 mois sur 12.",
    ),
    _metric(
        "PROG-3",
        "Transmission",
        "Ateliers et formations organisés",
        "events_workshops_trainings",
        24,
        1,
        "La transmission : deux ateliers ou formations par mois.",
    ),
    _metric(
        "OUV-1",
        "Ouverture",
        "Part des événements ouverts au public",
        "events_public_share",
        0.7,
        2,
        "Un lieu ouvert à tous les publics.",
    ),
    _metric(
        "OUV-2",
        "Ouverture",
        "Part des événements gratuits",
        "events_free_share",
        0.5,
        1,
        "La moitié au moins des événements sont gratuits.",
    ),
    _metric(
        "OUV-3",
        "Ouverture",
        "Catégories professionnelles parmi les membres (aucune au-dessus de 50 %)",
        "profession_categories",
        5,
        1,
        "Entrepreneurs, indépendants, étudiants, associations… : une communauté diverse.",
    ),
    DefaultCriterion(
        "OUV-4",
        "Ouverture",
        "Coworking ouvert : jours d'ouverture par semaine, journée à l'unité proposée",
        "declaration",
        "space_open_coworking",
        "ge",
        5,
        2,
        "Un espace de coworking ouvert au passage, 5 jours par semaine au moins, avec une "
        "journée à l'unité (7 à 10 € dans les Cantines).",
    ),
    _metric(
        "COM-1",
        "Partage",
        "Membres actifs",
        "members_active",
        50,
        2,
        "Membres dont une adhésion couvre la période.",
    ),
    _metric(
        "COM-2",
        "Partage",
        "Participants uniques aux événements",
        "attendees_unique",
        300,
        2,
        "Personnes différentes venues aux événements.",
    ),
    _metric(
        "COM-3",
        "Partage",
        "Participants fidèles (venus à 2 événements ou plus)",
        "attendees_returning_share",
        0.3,
        1,
        "Une communauté qui revient.",
    ),
    _metric(
        "COW-1",
        "Coworking",
        "Journées de coworking",
        "checkins_visitor_days",
        1000,
        2,
        "Passages enregistrés dans l'espace de coworking.",
    ),
    DefaultCriterion(
        "GOV-1",
        "Gouvernance",
        "Structure juridique (association loi 1901 ou équivalent), statuts joints",
        "declaration",
        "space_legal_structure",
        "ge",
        None,
        2,
        "Une structure associative ou multi-partenaires ; joindre les statuts.",
        evidence_required=True,
    ),
    _metric(
        "GOV-2",
        "Gouvernance",
        "Assemblée générale tenue sur la période",
        "general_assemblies",
        1,
        1,
        "Une vie associative réelle.",
    ),
    _metric(
        "PART-1",
        "Territoire",
        "Partenaires actifs",
        "partners_active",
        10,
        1,
        "Collectivités, entreprises, écoles, associations, lieux, médias.",
    ),
    DefaultCriterion(
        "PART-2",
        "Territoire",
        "Soutien d'une collectivité locale (lettre jointe)",
        "declaration",
        "local_authority_support",
        "ge",
        None,
        2,
        "Un lieu soutenu par les collectivités locales ; joindre la lettre de soutien.",
        evidence_required=True,
    ),
    _metric(
        "PART-3",
        "Territoire",
        "Événements co-organisés avec des partenaires",
        "events_co_organised",
        20,
        1,
        "L'ancrage territorial par la programmation.",
    ),
    _metric(
        "VIS-1",
        "Visibilité",
        "Articles de presse",
        "press_articles",
        3,
        1,
        "La presse parle du lieu.",
    ),
    _metric(
        "VIS-2",
        "Visibilité",
        "Mentions sur les réseaux sociaux",
        "mentions",
        500,
        1,
        "Le lieu fait parler de lui en ligne.",
    ),
    _metric(
        "IMP-1",
        "Impact",
        "Retombées enregistrées (emplois, stages, entreprises créées, collaborations)",
        "outcomes",
        5,
        1,
        "Ce que la communauté a produit.",
    ),
    DefaultCriterion(
        "ECO-1",
        "Modèle économique",
        "Budget de l'année avec recettes et dépenses",
        "declaration",
        "budget_of_year",
        "ge",
        None,
        2,
        "Un modèle économique lisible : budget de l'année, recettes par origine.",
    ),
)


def ensure_default_criteria() -> int:
    """Add the catalogue's criteria that are missing (by code); never change edited ones.

    Idempotent; returns how many were added. Flushes, the caller commits.
    """
    existing = set(db.session.scalars(select(Criterion.code)))
    added = 0
    for index, default in enumerate(DEFAULT_CRITERIA, start=1):
        if default.code in existing:
            continue
        criterion = Criterion(
            code=default.code,
            title=default.title,
            description=default.description,
            pillar=default.pillar,
            kind=default.kind,
            indicator_key=default.indicator_key,
            comparator=default.comparator,
            target=default.target,
            weight=default.weight,
            evidence_required=default.evidence_required,
            declared_met=False,
            active=True,
            position=index,
        )
        db.session.add(criterion)
        added += 1
    if added:
        db.session.flush()
        audit.record(
            "criteria.defaults",
            None,
            f"{added} critères par défaut ajoutés",
            object_type="criterion",
        )
    return added


def _check(criterion: Criterion) -> None:
    """Refuse an inconsistent criterion with a message naming the field."""
    if criterion.kind not in KINDS:
        raise CriterionError(_("Type de critère inconnu."), "kind")
    if criterion.comparator not in COMPARATORS:
        raise CriterionError(_("Comparaison inconnue."), "comparator")
    if criterion.weight is None or criterion.weight < 0:
        raise CriterionError(_("Le poids doit être positif ou nul."), "weight")
    if criterion.kind == "metric":
        if criterion.indicator_key not in INDICATORS:
            raise CriterionError(_("Choisissez l'indicateur mesuré."), "indicator_key")
        if criterion.target is None:
            raise CriterionError(_("Donnez la cible à atteindre."), "target")
    elif criterion.indicator_key and criterion.indicator_key not in DECLARATION_CHECKS:
        raise CriterionError(_("Vérification inconnue pour une déclaration."), "indicator_key")


def create_criterion(code: str, **fields: object) -> Criterion:
    """Add a criterion with a new, unique code."""
    code = code.strip().upper()
    if not code:
        raise CriterionError(_("Donnez un code (par exemple PROG-4)."), "code")
    if db.session.scalar(select(Criterion.id).where(Criterion.code == code)) is not None:
        raise CriterionError(_("Un critère porte déjà le code %(code)s.", code=code), "code")
    position = db.session.scalar(select(func.coalesce(func.max(Criterion.position), 0))) or 0
    criterion = Criterion(code=code, position=position + 1)
    _apply(criterion, fields)
    db.session.add(criterion)
    db.session.flush()
    audit.record("criterion.create", criterion, f"Critère {criterion.code} créé")
    return criterion


def update_criterion(criterion: Criterion, **fields: object) -> Criterion:
    """Change a criterion's fields (documents given as a list of Document)."""
    _apply(criterion, fields)
    db.session.flush()
    audit.record("criterion.update", criterion, f"Critère {criterion.code} modifié")
    return criterion


def _apply(criterion: Criterion, fields: dict[str, object]) -> None:
    documents = fields.pop("documents", None)
    for name, value in fields.items():
        if not hasattr(Criterion, name) or name in ("id", "code"):
            raise TypeError(f"unknown criterion field {name}")
        setattr(criterion, name, value)
    if criterion.kind == "declaration" and not criterion.indicator_key:
        criterion.indicator_key = None
    if documents is not None:
        criterion.documents = list(documents)  # type: ignore[call-overload]  # an untyped relationship
    _check(criterion)


def attach_document(criterion: Criterion, document_id: int | None) -> None:
    """Attach an uploaded document to a criterion as its evidence (idempotent)."""
    document = db.session.get(Document, document_id) if document_id else None
    if document is None:
        raise CriterionError(_("Choisissez un document à joindre."), "document_id")
    if document not in criterion.documents:
        criterion.documents.append(document)
        db.session.flush()
        audit.record(
            "criterion.evidence", criterion, f"{criterion.code} : « {document.title} » joint"
        )


def detach_document(criterion: Criterion, document_id: int | None) -> None:
    """Remove a document from a criterion's evidence (the document itself stays)."""
    kept = [document for document in criterion.documents if document.id != document_id]
    if len(kept) == len(criterion.documents):
        raise CriterionError(_("Ce document n'est pas joint à ce critère."), "document_id")
    criterion.documents = kept  # type: ignore[call-overload]  # an untyped relationship
    db.session.flush()
    audit.record("criterion.evidence", criterion, f"{criterion.code} : justificatif retiré")
