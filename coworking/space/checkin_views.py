"""The front desk (check-ins from a phone), the month of visits, and the kiosk API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coworking.auth.services import touch_token
from coworking.dates import DateRangeError, check_year, parse_iso_date, today
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.ids import parse_id
from coworking.inplace import inplace_response, wants_inplace
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


def _desk_context(
    day: dt.date, error: str | None = None, visitor_error: str | None = None
) -> dict[str, Any]:
    """Return what the desk's templates draw: the search's results and the day's visits."""
    query = (request.values.get("q") or "").strip()[:100]
    results = members.quick_search(query) if query else []
    return {
        "q": query,
        "day": day,
        "today": today(),
        "results": results,
        "already": checkins.checked_in_member_ids(day, [m.id for m in results]),
        "entries": checkins.check_ins_on(day),
        "durations": checkins.duration_labels(),
        "error": error,
        "visitor_error": visitor_error,
        "short_query": bool(query) and len(query) < 2,
    }


def _desk(status: int = 200, error: str | None = None, visitor_error: str | None = None):
    context = _desk_context(_day_arg(), error, visitor_error)
    return render_template("checkins/index.html", **context), status


def _desk_fragments(context: dict[str, Any], *, visitor: bool = False) -> dict[str, str]:
    """Draw the parts of the desk a check-in changes, for an in-place answer."""
    fragments = {
        "desk-results": render_template("checkins/_results.html", **context),
        "desk-today": render_template("checkins/_today.html", **context),
    }
    if visitor:
        # Kept open: the next walk-in's name is typed straight away.
        fragments["desk-visitor"] = render_template(
            "checkins/_visitor.html", visitor_open=True, **context
        )
    return fragments


@bp.get("/checkins")
@requires(Role.VIEWER)
def index():
    return _desk()


@bp.post("/checkins")
@requires(Role.MANAGER)
def create():
    form = CheckInForm()
    if not form.validate_on_submit():
        error = next(iter(form.submission.errors), None) or _("Formulaire invalide.")
        if wants_inplace():
            return inplace_response(error, {}, status=400)
        return _desk(400, error)
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
    visitor = member_id is None
    if not call.ok:
        error = next(iter(form.member_id.errors), None)
        visitor_error = next(iter(form.visitor_name.errors), None)
        if wants_inplace():
            context = _desk_context(today(), error, visitor_error)
            return inplace_response(
                visitor_error or error or _("Formulaire invalide."),
                _desk_fragments(context, visitor=visitor),
                focus="visitor_name" if visitor_error else None,
                status=400,
            )
        return _desk(400, error, visitor_error=visitor_error)
    if created:
        message = _("%(name)s est enregistré(e) aujourd'hui.", name=name)
    else:
        message = _("%(name)s était déjà enregistré(e) aujourd'hui.", name=name)
    if not wants_inplace():
        flash(message, "success" if created else "info")
        return redirect(url_for("checkins.index"))
    context = _desk_context(today())
    undo = render_template("checkins/_undo.html", check_in=check_in, q=context["q"])
    return inplace_response(
        message,
        _desk_fragments(context, visitor=visitor),
        undo=undo if created else None,
        # The next person: typed over the search's text (a walk-in: the next name).
        focus="visitor_name" if visitor else "desk-q",
    )


@bp.post("/checkins/<int:check_in_id>/undo")
@requires(Role.MANAGER)
def undo(check_in_id: int):
    check_in = db.get_or_404(CheckIn, check_in_id)
    day = check_in.day
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            checkins.undo_check_in(check_in)
        if call.ok and wants_inplace():
            return inplace_response(
                _("Présence annulée."), _desk_fragments(_desk_context(day)), focus="desk-q"
            )
        if call.ok:
            flash(_("Présence annulée."), "success")
    return redirect(url_for("checkins.index", day=day.isoformat()))


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
