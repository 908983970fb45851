"""Label pages: readiness for a period (/label) and the criteria catalogue (/admin/criteria)."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coworking.documents.models import Document
from coworking.extensions import db
from coworking.forms import service_call
from coworking.label import criteria as criteria_services
from coworking.label.action_plan import action_plan
from coworking.label.criteria_forms import CriterionForm
from coworking.label.evidence_refs import record_list
from coworking.label.models import Criterion
from coworking.label.readiness import evaluate
from coworking.periods import Period, PeriodError, period_from_args
from coworking.roles import Role
from coworking.security import requires
from coworking.stats.definitions import INDICATORS

bp = Blueprint("label", __name__)


def _period_or_error() -> tuple[Period, str | None]:
    """Return the requested period, or this year and the French error of a bad request."""
    try:
        return period_from_args(), None
    except PeriodError as error:
        return Period.this_year(), error.message


@bp.get("/label")
@requires(Role.VIEWER)
def readiness():
    period, error = _period_or_error()
    result = evaluate(period)
    criteria = db.session.scalars(
        select(Criterion).options(selectinload(Criterion.documents)).where(Criterion.active)
    ).all()
    return render_template(
        "label/readiness.html",
        period=period,
        period_error=error,
        readiness=result,
        pillars=result.by_pillar,
        plan=action_plan(result),
        record_list=record_list,
        documents=_document_choices(),
        criterion_ids={c.code: c.id for c in criteria},
        attached={c.code: {d.id for d in c.documents} for c in criteria},
        period_args={"from": period.start.isoformat(), "to": period.end.isoformat()},
        presets=_presets(),
        active_preset=request.args.get("preset") if not request.args.get("from") else None,
    ), (400 if error else 200)


def _presets() -> list[tuple[str, str, Period]]:
    return [
        ("year", _("Cette année"), Period.this_year()),
        ("12m", _("12 derniers mois"), Period.last_12_months()),
        ("last_year", _("L'an dernier"), Period.last_year()),
    ]


# --- admin: the criteria catalogue -----------------------------------------------------------


def _is_percent(key: str | None) -> bool:
    return key in INDICATORS and INDICATORS[key].unit == "percent"


def _decimal(value: float) -> Decimal:
    """Return a float as a plain decimal for a form: 70.0 → 70, 0.35 → 0.35."""
    value = round(value, 4)
    return Decimal(int(value)) if float(value).is_integer() else Decimal(str(value))


def _document_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Document.id, Document.title, Document.kind).order_by(Document.title)
    ).all()
    return [(row.id, f"{row.title} ({row.kind})") for row in rows]


def _form_for(criterion: Criterion | None) -> CriterionForm:
    form = CriterionForm(obj=criterion) if criterion is not None else CriterionForm()
    form.documents.choices = _document_choices()
    if criterion is not None and request.method == "GET":
        form.indicator_key.data = criterion.indicator_key or ""
        form.documents.data = [document.id for document in criterion.documents]
        if criterion.target is not None:
            shown = criterion.target * (100 if _is_percent(criterion.indicator_key) else 1)
            form.target.data = _decimal(shown)
        form.weight.data = _decimal(criterion.weight)
    return form


def _fields_from(form: CriterionForm) -> dict[str, object]:
    key = form.indicator_key.data or None
    target = float(form.target.data) if form.target.data is not None else None
    if target is not None and _is_percent(key):
        target = target / 100
    chosen = set(form.documents.data or [])
    documents = (
        db.session.scalars(select(Document).where(Document.id.in_(chosen))).all() if chosen else []
    )
    return {
        "title": form.title.data.strip(),
        "description": (form.description.data or "").strip(),
        "pillar": form.pillar.data.strip(),
        "kind": form.kind.data,
        "indicator_key": key,
        "comparator": form.comparator.data,
        "target": target,
        "weight": float(form.weight.data),
        "statement": (form.statement.data or "").strip() or None,
        "declared_met": bool(form.declared_met.data),
        "evidence_required": bool(form.evidence_required.data),
        "active": bool(form.active.data),
        "documents": documents,
    }


def _render_list(new_form: CriterionForm | None = None, status: int = 200):
    items = db.session.scalars(select(Criterion).order_by(Criterion.position, Criterion.code)).all()
    if new_form is None:
        new_form = CriterionForm(formdata=None)
        new_form.documents.choices = []
    return render_template(
        "label/criteria.html", criteria=items, new_form=new_form, indicators=INDICATORS
    ), status


@bp.get("/admin/criteria")
@requires(Role.ADMIN)
def criteria():
    return _render_list()


@bp.post("/admin/criteria")
@requires(Role.ADMIN)
def criterion_create():
    form = _form_for(None)
    if form.validate_on_submit():
        with service_call(form) as call:
            criterion = criteria_services.create_criterion(
                form.code.data or "", **_fields_from(form)
            )
        if call.ok:
            flash(_("Critère %(code)s créé.", code=criterion.code), "success")
            return redirect(url_for("label.criteria"))
    return _render_list(form, 400)


@bp.post("/admin/criteria/defaults")
@requires(Role.ADMIN)
def criteria_defaults():
    with service_call() as call:
        added = criteria_services.ensure_default_criteria()
    if call.ok and added:
        flash(
            ngettext(
                "%(num)s critère du catalogue par défaut ajouté.",
                "%(num)s critères du catalogue par défaut ajoutés.",
                added,
            ),
            "success",
        )
    elif call.ok:
        flash(_("Tous les critères du catalogue par défaut sont déjà présents."), "info")
    return redirect(url_for("label.criteria"))


@bp.route("/admin/criteria/<int:criterion_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def criterion_edit(criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    form = _form_for(criterion)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with service_call(form) as call:
                criteria_services.update_criterion(criterion, **_fields_from(form))
            if call.ok:
                flash(_("Critère %(code)s enregistré.", code=criterion.code), "success")
                return redirect(url_for("label.criteria"))
            criterion = db.get_or_404(Criterion, criterion_id)
        status = 400
    return render_template("label/criterion_edit.html", criterion=criterion, form=form), status
