"""The outcome pages: what the community produced, with testimonials given with consent."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from coworking.community import services
from coworking.community.forms import NewOutcomeForm, OutcomeForm
from coworking.community.models import Outcome
from coworking.community.views import bp
from coworking.dates import to_local, today
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.ids import parse_id
from coworking.kinds import OUTCOME_KINDS
from coworking.partners.services import partner_choices
from coworking.roles import Role
from coworking.security import requires, safe_next_url

OUTCOME_FIELDS = (
    "kind",
    "title",
    "description",
    "happened_on",
    "member_ids",
    "event_id",
    "partner_id",
    "testimonial",
    "testimonial_author",
    "consent",
    "consent_on",
)


@bp.get("/outcomes")
@requires(Role.VIEWER)
def outcomes():
    kind = request.args.get("kind", "")
    items = db.session.scalars(services.outcomes_query(kind)).unique().all()
    return render_template(
        "community/outcomes.html",
        groups=services.outcomes_by_kind(items),
        kind=kind if kind in OUTCOME_KINDS else "",
        kinds=OUTCOME_KINDS,
    )


def _outcome_choices(form: OutcomeForm, member_ids: list[int] | None = None) -> None:
    """Fill the form's choices: the members chosen (the members' checkboxes), the events and
    partners; the members found by the picker's search are drawn apart (`_members_found`)."""
    chosen = member_ids if member_ids is not None else form.member_ids.data or []
    form.member_ids.choices = services.member_choices(chosen)
    form.event_id.choices = [("", _("— aucun —"))] + [
        (event_id, f"{to_local(starts_at):%d/%m/%Y} · {title}")
        for event_id, title, starts_at in services.event_choices()
    ]
    form.partner_id.choices = [("", _("— aucun —"))] + partner_choices()


def _members_found(form: OutcomeForm) -> tuple[str, list[tuple[int, str]]]:
    """Return what the member picker's search box holds and the members it finds (those not
    chosen yet): by its button without JavaScript, or fetched while typing."""
    find = (request.values.get("member_find") or "").strip()[:100]
    if not find:
        return "", []
    chosen = {ident for ident, _name in form.member_ids.choices}
    return find, [
        (ident, name) for ident, name in services.member_choices(find=find) if ident not in chosen
    ]


def _outcome_page(form: OutcomeForm, outcome: Outcome | None, next_url: str | None):
    find, found = _members_found(form)
    return render_template(
        "community/outcome_form.html",
        form=form,
        outcome=outcome,
        next_url=next_url,
        member_find=find,
        members_found=found,
    )


def _posted_member_ids() -> list[int]:
    ids = (parse_id(value) for value in request.form.getlist("member_ids"))
    return [ident for ident in ids if ident is not None]


def _save_outcome(outcome: Outcome | None, form: OutcomeForm, next_url: str | None):
    if request.method == "POST" and request.form.get("find_members"):
        # The picker's « Chercher » without JavaScript: the form comes back with the members
        # found to tick, nothing is saved yet.
        return _outcome_page(form, outcome, next_url), 200
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in OUTCOME_FIELDS}
        with service_call(form) as call:
            saved = services.save_outcome(outcome, data)
        if call.ok:
            flash(_("Retombée « %(title)s » enregistrée.", title=saved.title), "success")
            return redirect(
                next_url or url_for("community.outcomes", _anchor=f"outcome-{saved.id}")
            )
        return _outcome_page(form, outcome, next_url), 400
    status = 400 if request.method == "POST" else 200
    return _outcome_page(form, outcome, next_url), status


@bp.route("/outcomes/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new_outcome():
    form = NewOutcomeForm()
    next_url = safe_next_url(request.values.get("next"))
    if request.method == "GET":
        member_id = parse_id(request.args.get("member_id", ""))
        _outcome_choices(form, [member_id] if member_id is not None else [])
        form.member_ids.data = [ident for ident, _name in form.member_ids.choices]
        form.happened_on.data = today()
        form.consent_on.data = today()
    else:
        _outcome_choices(form, _posted_member_ids())
    return _save_outcome(None, form, next_url)


@bp.route("/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit_outcome(outcome_id: int):
    outcome = db.get_or_404(Outcome, outcome_id)
    form = OutcomeForm(obj=outcome)
    if request.method == "GET":
        form.member_ids.data = [member.id for member in outcome.members]
        _outcome_choices(form, form.member_ids.data)
        form.consent.data = outcome.consent_publish_at is not None
        form.consent_on.data = (
            to_local(outcome.consent_publish_at).date() if outcome.consent_publish_at else None
        )
    else:
        _outcome_choices(form, _posted_member_ids())
    return _save_outcome(outcome, form, safe_next_url(request.values.get("next")))


@bp.post("/outcomes/<int:outcome_id>/delete")
@requires(Role.MANAGER)
def delete_outcome(outcome_id: int):
    outcome = db.get_or_404(Outcome, outcome_id)
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            services.delete_outcome(outcome)
        if call.ok:
            flash(_("Retombée supprimée."), "success")
    return redirect(url_for("community.outcomes"))
