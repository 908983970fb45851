"""The front desk (check-ins from a phone), the month of visits, and the kiosk API."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coworking.auth.services import touch_token
from coworking.dates import DateRangeError, check_year, parse_iso_date, today
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.ids import parse_id
from coworking.members import search as members
from coworking.members.models import Member
from coworking.roles import Role
from coworking.security import requires
from coworking.space import checkins
from coworking.space.forms import CheckInForm
from coworking.space.models import CheckIn

bp = Blueprint("checkins", __name__)


def _day_arg() -> dt.date:
    value = request.args.get("day", "")
    try:
        return parse_iso_date(value, "day") or today()
    except ValueError:
        return today()


def _desk(status: int = 200, error: str | None = None, visitor_error: str | None = None):
    query = (request.values.get("q") or "").strip()[:100]
    day = _day_arg()
    results = members.quick_search(query) if query else []
    already = checkins.checked_in_member_ids(day, [m.id for m in results])
    return (
        render_template(
            "checkins/index.html",
            q=query,
            day=day,
            today=today(),
            results=results,
            already=already,
            entries=checkins.check_ins_on(day),
            durations=checkins.duration_labels(),
            error=error,
            visitor_error=visitor_error,
            short_query=bool(query) and len(query) < 2,
        ),
        status,
    )


@bp.get("/checkins")
@requires(Role.VIEWER)
def index():
    return _desk()


@bp.post("/checkins")
@requires(Role.MANAGER)
def create():
    form = CheckInForm()
    if not form.validate_on_submit():
        return _desk(400, next(iter(form.submission.errors), None) or _("Formulaire invalide."))
    duration = form.duration.data or "full"
    by = current_user.display_name
    with service_call(form, field="member_id") as call:
        member_id = parse_id(form.member_id.data or "")
        if member_id is not None:
            member = db.get_or_404(Member, member_id)
            check_in, created = checkins.check_in_member(member, duration=duration, by=by)
            name = member.full_name
        else:
            check_in = checkins.check_in_visitor(
                form.visitor_name.data or "", duration=duration, by=by
            )
            created, name = True, check_in.visitor_name
    if not call.ok:
        return _desk(
            400,
            next(iter(form.member_id.errors), None),
            visitor_error=next(iter(form.visitor_name.errors), None),
        )
    if created:
        flash(_("%(name)s est enregistré(e) aujourd'hui.", name=name), "success")
    else:
        flash(_("%(name)s était déjà enregistré(e) aujourd'hui.", name=name), "info")
    return redirect(url_for("checkins.index"))


@bp.post("/checkins/<int:check_in_id>/undo")
@requires(Role.MANAGER)
def undo(check_in_id: int):
    check_in = db.get_or_404(CheckIn, check_in_id)
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            checkins.undo_check_in(check_in)
        if call.ok:
            flash(_("Présence annulée."), "success")
    return redirect(url_for("checkins.index", day=check_in.day.isoformat()))


@bp.get("/checkins/month")
@requires(Role.VIEWER)
def month():
    day_today = today()
    value = request.args.get("month", "").strip()
    status = 200
    first = day_today.replace(day=1)
    if value:
        try:
            first = check_year(dt.date.fromisoformat(value + "-01"), "month")
        except DateRangeError as error:
            flash(_("Mois : %(error)s", error=error.message), "error")
            status = 400
        except ValueError:
            flash(_("Mois : écrivez-le AAAA-MM, par exemple 2026-03."), "error")
            status = 400
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    weeks = checkins.month_calendar(first.year, first.month)
    total = sum(day.visits for week in weeks for day in week if day.in_month)
    # One definition of visitor-days everywhere: a check-in is one (the indicator's).
    visitor_days = sum(day.visitor_days for week in weeks for day in week if day.in_month)
    half_days = sum(day.half_days for week in weeks for day in week if day.in_month)
    return render_template(
        "checkins/month.html",
        first=first,
        previous=previous,
        following=following,
        weeks=weeks,
        today=day_today,
        total=total,
        visitor_days=visitor_days,
        half_days=half_days,
    ), status


# --- the kiosk API ----------------------------------------------------------------------------


def _api_error(status: int, message: str, field: str | None = None):
    body: dict[str, object] = {"error": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post("/api/v1/checkins")
@requires(Role.MANAGER)
def api_create():
    """Check a member (by id or e-mail) or a visitor (by name) in, from a kiosk."""
    token = g.get("api_token")
    if token is not None:
        touch_token(token)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _api_error(400, _("Envoyez un objet JSON."), "body")
    duration = payload.get("duration", "full")
    by = current_user.display_name
    try:
        if "member_id" in payload or "email" in payload:
            member = _api_member(payload)
            if isinstance(member, tuple):
                return _api_error(400, *member)
            check_in, created = checkins.check_in_member(member, duration=duration, by=by)
        elif "visitor_name" in payload:
            if not isinstance(payload["visitor_name"], str):
                return _api_error(400, _("Le nom du visiteur doit être un texte."), "visitor_name")
            check_in = checkins.check_in_visitor(payload["visitor_name"], duration=duration, by=by)
            member, created = None, True
        else:
            return _api_error(400, _("Donnez member_id, email ou visitor_name."), "member_id")
    except checkins.CheckInError as error:
        db.session.rollback()
        return _api_error(400, error.message, error.field)
    data = checkins.check_in_json(check_in, member)
    db.session.commit()
    return jsonify(data), 201 if created else 200


def _api_member(payload: dict) -> Member | tuple[str, str]:
    if "member_id" in payload:
        value = payload["member_id"]
        if isinstance(value, bool) or not isinstance(value, int):
            return _("member_id doit être un nombre entier."), "member_id"
        member = db.session.get(Member, value) if parse_id(value) is not None else None
        if member is None or member.erased_at is not None:
            return _("Aucun membre n°%(id)s.", id=value), "member_id"
        return member
    email = payload["email"]
    if not isinstance(email, str) or "@" not in email:
        return _("Adresse e-mail invalide."), "email"
    member = members.find_member(email)
    if member is None:
        return _("Aucun membre avec cette adresse e-mail."), "email"
    return member
