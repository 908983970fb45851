"""Readiness for the label: each active criterion evaluated over a period, and a weighted score.

Metric criteria take their value from `compute_indicators` (the same numbers as
the dashboard, the API and the dossier). Declarations are met when the
applicant declared them met, or when the data checks them (see
`coworking.label.criteria.DECLARATION_CHECKS`), and — when the criterion asks
for evidence — a document is attached to it or, for the statutes and the
local-authority support letters, uploaded with that kind.

The score is the sum of the weights of the criteria met over the sum of all
active criteria's weights (0 when there is none). The query count does not
depend on the data: criteria (+ their documents), one indicator query, and at
most four queries for the declaration checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coworking.documents.models import Document
from coworking.extensions import db
from coworking.label.criteria import COMPARATOR_SIGNS
from coworking.label.models import Criterion
from coworking.partners.models import Partner
from coworking.periods import Period
from coworking.space.models import BudgetLine, SpaceProfile
from coworking.stats.charts import french_number
from coworking.stats.definitions import INDICATORS, format_value
from coworking.stats.indicators import compute_indicators, open_days_per_week

__all__ = ["CriterionResult", "Evidence", "Readiness", "compare", "evaluate", "gap_text"]

EVIDENCE_KINDS = {"space_legal_structure": "statutes", "local_authority_support": "support_letter"}


@dataclass(frozen=True)
class Evidence:
    """A document supporting a declaration."""

    id: int
    title: str
    kind: str
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "kind": self.kind, "sha256": self.sha256}


@dataclass
class CriterionResult:
    code: str
    title: str
    kind: str
    pillar: str
    target: float | None
    comparator: str
    value: float | int | None
    met: bool
    gap_text: str
    evidence: list[Evidence] = field(default_factory=list)
    statement: str | None = None
    weight: float = 1.0
    indicator_key: str | None = None
    description: str = ""
    declared_met: bool = False
    checked_by_data: bool | None = None
    evidence_required: bool = False
    advice: str = ""
    # For declarations: what is declared, in words (« 5 jours, pass journée : oui »), and
    # what the app's own data supports and what is still missing.
    declared_text: str = ""
    proposal: str = ""

    @property
    def points(self) -> float:
        """Return the points earned: the weight when met, else 0."""
        return self.weight if self.met else 0.0

    @property
    def target_text(self) -> str:
        """Return the target for people: « ≥ 200 », « ≥ 70 % », « oui »."""
        if self.kind == "declaration" and self.target is None:
            return _("oui")
        if self.target is None:
            return "—"
        sign = COMPARATOR_SIGNS.get(self.comparator, "")
        key = self.indicator_key if self.indicator_key in INDICATORS else "events_held"
        return f"{sign} {format_value(key, self.target)}"

    @property
    def value_text(self) -> str:
        if self.kind == "declaration" and self.declared_text:
            return self.declared_text
        if self.kind == "declaration" and self.indicator_key not in INDICATORS:
            if self.value is None:
                return _("oui") if self.met else _("non")
            if self.indicator_key == "budget_of_year":
                return str(int(self.value))  # the year whose budget was found, not a quantity
            if self.indicator_key in ("local_authority_support", "space_legal_structure"):
                return _("oui") if self.value else _("non")
            return french_number(self.value)
        key = self.indicator_key if self.indicator_key in INDICATORS else "events_held"
        return format_value(key, self.value)

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form of the CLI and the dossier snapshot."""
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "pillar": self.pillar,
            "indicator": self.indicator_key,
            "comparator": self.comparator,
            "target": self.target,
            "value": self.value,
            "met": self.met,
            "weight": self.weight,
            "points": self.points,
            "declared": self.declared_text or None,
            "gap": self.gap_text,
            "statement": self.statement,
            "evidence": [item.as_dict() for item in self.evidence],
        }


@dataclass
class Readiness:
    period: Period
    score: float
    results: list[CriterionResult]
    indicators: dict[str, float | int | None]

    @property
    def met_count(self) -> int:
        return sum(1 for result in self.results if result.met)

    @property
    def points(self) -> float:
        """Return the points earned: the weights of the criteria met."""
        return sum(result.points for result in self.results)

    @property
    def total_points(self) -> float:
        """Return the points at stake: the weights of every active criterion."""
        return sum(result.weight for result in self.results)

    @property
    def by_pillar(self) -> dict[str, list[CriterionResult]]:
        """Return the results grouped by pillar, pillars in the order they first appear."""
        pillars: dict[str, list[CriterionResult]] = {}
        for result in self.results:
            pillars.setdefault(result.pillar, []).append(result)
        return pillars

    def pillar_points(self, pillar: str) -> tuple[float, float]:
        """Return (points earned, points at stake) of a pillar."""
        results = self.by_pillar.get(pillar, [])
        return sum(r.points for r in results), sum(r.weight for r in results)

    @property
    def next_steps(self) -> list[CriterionResult]:
        """Return the criteria not met, heaviest first, then those closest to their target."""
        return sorted(
            (result for result in self.results if not result.met),
            key=lambda r: (-r.weight, _distance(r), r.code),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period.as_dict(),
            "score": self.score,
            "met": self.met_count,
            "total": len(self.results),
            "points": self.points,
            "total_points": self.total_points,
            "criteria": [result.as_dict() for result in self.results],
        }


def _distance(result: CriterionResult) -> float:
    """How far a criterion is from its target, as a share of the target (declarations first)."""
    if result.kind == "declaration" or not result.target or result.value is None:
        return 0.0 if result.kind == "declaration" else 1.0
    return abs(result.target - result.value) / abs(result.target)


def compare(value: float | None, comparator: str, target: float | None) -> bool:
    """Tell whether a value meets a target by a comparator (ge, gt, le, lt, eq)."""
    if value is None or target is None:
        return False
    if comparator == "ge":
        return value >= target - 1e-9
    if comparator == "gt":
        return value > target + 1e-9
    if comparator == "le":
        return value <= target + 1e-9
    if comparator == "lt":
        return value < target - 1e-9
    if comparator == "eq":
        return math.isclose(value, target, abs_tol=1e-9)
    raise ValueError(f"unknown comparator {comparator!r}")


def gap_text(key: str, value: float | None, comparator: str, target: float | None) -> str:
    """Say what is missing in words: « il manque 38 événements », « 4 points de trop »."""
    if target is None:
        return ""
    if value is None:
        return _("aucune donnée sur la période")
    if compare(value, comparator, target):
        return ""
    definition = INDICATORS[key]
    if definition.unit in ("percent",):
        points = french_number(round(abs(target - value) * 100, 1))
        if comparator in ("ge", "gt"):
            return _("il manque %(n)s points", n=points)
        if comparator in ("le", "lt"):
            return _("%(n)s points de trop", n=points)
        return _("écart de %(n)s points", n=points)
    whole = definition.unit == "count"
    if comparator in ("ge", "gt"):
        missing = target - value + (1 if comparator == "gt" and whole else 0)
        missing = math.ceil(missing - 1e-9) if whole else round(missing, 2)
        return _(
            "il manque %(n)s %(noun)s", n=french_number(missing), noun=definition.noun(missing)
        ).strip()
    if comparator in ("le", "lt"):
        excess = value - target + (1 if comparator == "lt" and whole else 0)
        excess = math.ceil(excess - 1e-9) if whole else round(excess, 2)
        return _("%(n)s %(noun)s de trop", n=french_number(excess), noun=definition.noun(excess))
    difference = abs(value - target)
    return _("écart de %(n)s", n=french_number(round(difference, 2)))


def _advice(result: CriterionResult) -> str:
    """Say what to do next for a criterion not met."""
    if result.kind == "metric":
        if result.value is None:
            return _("Enregistrez les données de la période pour cet indicateur.")
        return _("Objectif : %(gap)s.", gap=result.gap_text)
    if result.evidence_required and not result.evidence:
        return _("Joignez le justificatif (document) au critère dans l'administration.")
    return _("Complétez la déclaration ou les données de l'espace qui la justifient.")


def evaluate(period: Period) -> Readiness:
    """Evaluate every active criterion over the period."""
    criteria = db.session.scalars(
        select(Criterion)
        .where(Criterion.active.is_(True))
        .options(selectinload(Criterion.documents))
        .order_by(Criterion.position, Criterion.code)
    ).all()
    keys = sorted(
        {c.indicator_key for c in criteria if c.kind == "metric" and c.indicator_key in INDICATORS}
    )
    indicators = compute_indicators(period, keys) if keys else {}
    checks = _DeclarationData(period, {c.indicator_key for c in criteria if c.kind != "metric"})
    results = [
        _metric_result(c, indicators) if c.kind == "metric" else _declaration_result(c, checks)
        for c in criteria
    ]
    for result in results:
        result.advice = "" if result.met else _advice(result)
    total = sum(result.weight for result in results)
    score = sum(result.weight for result in results if result.met) / total if total else 0.0
    return Readiness(period, round(score, 4), results, indicators)


def _base(criterion: Criterion) -> dict[str, Any]:
    return {
        "code": criterion.code,
        "title": criterion.title,
        "kind": criterion.kind,
        "pillar": criterion.pillar,
        "target": criterion.target,
        "comparator": criterion.comparator,
        "statement": criterion.statement,
        "weight": criterion.weight,
        "indicator_key": criterion.indicator_key,
        "description": criterion.description,
        "declared_met": criterion.declared_met,
        "evidence_required": criterion.evidence_required,
    }


def _documents(documents: list[Document]) -> list[Evidence]:
    return [Evidence(d.id, d.title, d.kind, d.sha256) for d in documents]


def _metric_result(criterion: Criterion, indicators: dict[str, Any]) -> CriterionResult:
    key = criterion.indicator_key
    if key not in INDICATORS:
        return CriterionResult(
            **_base(criterion),
            value=None,
            met=False,
            gap_text=_("indicateur inconnu : %(key)s", key=key or "—"),
        )
    value = indicators.get(key)
    return CriterionResult(
        **_base(criterion),
        value=value,
        met=compare(value, criterion.comparator, criterion.target),
        gap_text=gap_text(key, value, criterion.comparator, criterion.target),
        evidence=_documents(criterion.documents),
    )


class _DeclarationData:
    """The data the declaration checks need, read once (at most three queries)."""

    def __init__(self, period: Period, checks: set[str | None]) -> None:
        self.period = period
        self.profile: SpaceProfile | None = None
        self.budget_years: list[int] = []
        # (year, lines, cents) of the subsidies in the latest budget of the period.
        self.subsidies: tuple[int, int, int] | None = None
        self.documents: dict[str, list[Evidence]] = {"statutes": [], "support_letter": []}
        if checks & {"space_open_coworking", "space_legal_structure"}:
            self.profile = db.session.scalars(
                select(SpaceProfile).order_by(SpaceProfile.id).limit(1)
            ).first()
        if "budget_of_year" in checks:
            rows = db.session.execute(
                select(BudgetLine.year, BudgetLine.direction)
                .where(BudgetLine.year.between(period.start.year, period.end.year))
                .group_by(BudgetLine.year, BudgetLine.direction)
            ).all()
            directions: dict[int, set[str]] = {}
            for year, direction in rows:
                directions.setdefault(year, set()).add(direction)
            self.budget_years = sorted(
                year for year, found in directions.items() if {"income", "expense"} <= found
            )
        if "local_authority_support" in checks:
            found = db.session.execute(
                select(BudgetLine.year, func.count(), func.sum(BudgetLine.amount_cents))
                .where(
                    BudgetLine.year.between(period.start.year, period.end.year),
                    BudgetLine.direction == "income",
                    BudgetLine.source == "subsidies",
                )
                .group_by(BudgetLine.year)
                .order_by(BudgetLine.year.desc())
                .limit(1)
            ).first()
            if found is not None:
                self.subsidies = (int(found[0]), int(found[1]), int(found[2] or 0))
        if checks & set(EVIDENCE_KINDS):
            documents = db.session.execute(
                select(Document.id, Document.title, Document.kind, Document.sha256)
                .outerjoin(Partner, Partner.id == Document.partner_id)
                .where(
                    (Document.kind == "statutes")
                    | ((Document.kind == "support_letter") & (Partner.kind == "collectivite"))
                )
                .order_by(Document.uploaded_at, Document.id)
            ).all()
            for row in documents:
                self.documents[row.kind].append(Evidence(row.id, row.title, row.kind, row.sha256))

    def check(self, name: str | None, target: float | None) -> tuple[bool | None, float | None]:
        """Return (met by the data, value shown) for a declaration check; (None, None) if none."""
        if name == "space_open_coworking":
            if self.profile is None:
                return False, None
            days = open_days_per_week(self.profile.opening_hours)
            return days >= (target or 0) and bool(self.profile.day_pass_offered), days
        if name == "space_legal_structure":
            has_form = self.profile is not None and bool((self.profile.legal_form or "").strip())
            return has_form, None
        if name == "local_authority_support":
            letters = self.documents["support_letter"]
            return bool(letters), len(letters)
        if name == "budget_of_year":
            years = self.budget_years
            return bool(years), years[-1] if years else None
        return None, None


def _declaration_result(criterion: Criterion, data: _DeclarationData) -> CriterionResult:
    checked, value = data.check(criterion.indicator_key, criterion.target)
    evidence = _documents(criterion.documents)
    kind = EVIDENCE_KINDS.get(criterion.indicator_key or "")
    if kind:
        known = {item.id for item in evidence}
        evidence += [item for item in data.documents[kind] if item.id not in known]
    stated = criterion.declared_met or checked is True
    evidence_ok = not criterion.evidence_required or bool(evidence)
    met = stated and evidence_ok
    if met:
        gap = ""
    elif not stated:
        gap = _("déclaration à compléter")
    else:
        gap = _("justificatif à joindre")
    declared, proposal = _declared(criterion, data, value, evidence, stated, met)
    return CriterionResult(
        **_base(criterion),
        value=value,
        met=met,
        gap_text=gap,
        evidence=evidence,
        checked_by_data=checked,
        declared_text=declared,
        proposal=proposal,
    )


def _money(cents: int) -> str:
    return f"{french_number(round(cents / 100))}\u00a0€"


def _declared(
    criterion: Criterion,
    data: _DeclarationData,
    value: float | None,
    evidence: list[Evidence],
    stated: bool,
    met: bool,
) -> tuple[str, str]:
    """Say what a declaration states, and what the data supports and what is missing."""
    check = criterion.indicator_key
    yes, no = _("oui"), _("non")
    if check == "space_open_coworking":
        profile = data.profile
        day_pass = bool(profile and profile.day_pass_offered)
        if value is None:
            return _("profil de l'espace non renseigné"), _(
                "Renseignez les horaires d'ouverture et le pass journée dans le profil de l'espace."
            )
        text = _(
            "%(days)s jours par semaine, pass journée : %(pass)s",
            days=french_number(value),
            **{"pass": yes if day_pass else no},
        )
        return text, ""
    if check == "space_legal_structure":
        form = (data.profile.legal_form or "").strip() if data.profile else ""
        statutes = bool(evidence)
        if not form:
            text = _("forme juridique non renseignée")
        elif statutes:
            text = _("%(form)s, statuts joints", form=form)
        else:
            text = _("%(form)s, statuts à joindre", form=form)
        proposal = ""
        if not met:
            missing = []
            if not form:
                missing.append(_("la forme juridique (profil de l'espace)"))
            if not statutes:
                missing.append(_("les statuts (document joint au critère)"))
            proposal = _("Il manque : %(what)s.", what=", ".join(missing))
        elif not criterion.declared_met:
            proposal = _("Proposé à partir du profil de l'espace et des statuts téléversés.")
        return text, proposal
    if check == "local_authority_support":
        letters = len(evidence)
        parts = []
        if data.subsidies is not None:
            year, lines, cents = data.subsidies
            parts.append(
                ngettext(
                    "budget %(year)s : %(amount)s de subventions (%(num)s ligne)",
                    "budget %(year)s : %(amount)s de subventions (%(num)s lignes)",
                    lines,
                    year=year,
                    amount=_money(cents),
                )
            )
        if letters:
            parts.append(
                _("lettre de soutien jointe")
                if letters == 1
                else _("%(n)s lettres de soutien jointes", n=letters)
            )
        text = " ; ".join(parts) or _("aucun soutien enregistré")
        proposal = ""
        if not met:
            if data.subsidies is not None and not letters:
                proposal = _(
                    "Le budget montre le soutien de collectivités : joignez la lettre de soutien "
                    "d'une collectivité (document de type « Lettre de soutien » lié à un "
                    "partenaire collectivité, ou joint au critère)."
                )
            elif not letters:
                proposal = _("Il manque : une lettre de soutien d'une collectivité.")
            else:
                proposal = _("Cochez « déclaré rempli » dans le critère.")
        return text, proposal
    if check == "budget_of_year":
        if value is None:
            return _("aucun budget avec recettes et dépenses sur la période"), _(
                "Saisissez le budget de l'année (recettes et dépenses) dans le profil de l'espace."
            )
        return _("budget %(year)s", year=int(value)), ""
    if criterion.statement:
        return criterion.statement, ""
    return (yes if stated else no), ""
