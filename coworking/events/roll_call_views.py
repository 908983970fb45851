"""An event's page and its roll call: marks, members and walk-ins added, in place on a phone.

Each form of the roll call works by plain POST (then a redirect back to the person's row) and,
sent by static/js/inplace.js, answers with the parts of the page that changed: the person's
row, the counters, the list, the search results, the walk-in form (coworking/inplace.py).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from coworking.csvio import fold_text
from coworking.events import attendance as roll
from coworking.events import feeds, programme
from coworking.events.forms import GuestForm, HeadcountForm
from coworking.events.models import Attendance, Event
from coworking.events.views import bp, kind_labels, load_event
from coworking.extensions import db
from coworking.forms import EmptyForm, flash_form_errors, service_call
from coworking.ids import parse_id
from coworking.inplace import inplace_response, wants_inplace
from coworking.members.models import Member
from coworking.roles import Role
from coworking.security import requires

MAX_QUERY = 100
# The search box narrows the list from three letters (accents and case ignored), as events.js.
MIN_LETTERS = 3
# Parts of the page a change can touch, by element id, and the template that draws each.
FRAGMENTS = {
    "roll-counts": "events/_roll_counts.html",
    "roll-list": "events/_roll_list.html",
    "member-results": "events/_roll_search.html",
    "guest-card": "events/_roll_guest.html",
}


def _query() -> str:
    return (request.values.get("q") or "").strip()[:MAX_QUERY]


def _matches(words: list[str], name: str) -> bool:
    folded = fold_text(name)
    return all(word in folded for word in words)


def roll_context(event: Event, query: str, *, guest_form: GuestForm | None = None) -> dict:
    """Return what the roll call's templates draw: the list, its counters, the search."""
    people = roll.roll_call(event)
    on_list = {row.member_id for row in people if row.member_id and row.status != roll.CANCELLED}
    counts = {status: 0 for status in roll.STATUSES}
    for row in people:
        counts[row.status] += 1
    words = fold_text(query).split()
    if len("".join(words)) < MIN_LETTERS:
        words = []
    listed = [row for row in people if row.status != roll.CANCELLED]
    filtered_out = {
        row.id for row in listed if words and not _matches(words, roll.display_name(row))
    }
    found = roll.search_members(query) if words else []
    return {
        "event": event,
        "people": people,
        "counts": counts,
        "held": counts[roll.REGISTERED] + counts[roll.ATTENDED],
        "query": query,
        "found": [member for member in found if member.id not in on_list],
        "filtered_out": filtered_out,
        "shown": len(listed) - len(filtered_out),
        "searching": bool(words),
        "guest_form": guest_form or GuestForm(),
        "display_name": roll.display_name,
        "fold": fold_text,
    }


def _render_show(event: Event, *, guest_form: GuestForm | None = None, status: int = 200):
    _name, address = feeds.space_identity()
    return render_template(
        "events/show.html",
        kinds=kind_labels(),
        location=programme.display_location(event, address),
        headcount_form=HeadcountForm(headcount=event.headcount),
        button_form=EmptyForm(),
        **roll_context(event, _query(), guest_form=guest_form),
    ), status


@bp.get("/events/<int:event_id>")
@requires(Role.VIEWER)
def show(event_id: int):
    return _render_show(load_event(event_id))


def _fragments(context: dict[str, Any], *names: str, row: Attendance | None = None) -> dict:
    """Draw the named parts of the roll call (and a person's row) for an in-place answer."""
    drawn = {name: render_template(FRAGMENTS[name], **context) for name in names}
    if row is not None:
        drawn[f"attendance-{row.id}"] = render_template(
            "events/_roll_row.html", row=row, hidden=row.id in context["filtered_out"], **context
        )
    return drawn


def _undo(event: Event, row: Attendance, previous: str) -> str:
    return render_template("events/_roll_undo.html", event=event, row=row, previous=previous)


def _back_to_roll_call(event: Event, row: Attendance | None = None, query: str = ""):
    """Without JavaScript: back to the page, at the person's row (or the roll call)."""
    args: dict[str, Any] = {"event_id": event.id}
    args["_anchor"] = f"attendance-{row.id}" if row is not None and row.id else "roll-call"
    if query:
        args["q"] = query
    return redirect(url_for("events.show", **args), 303)


def _refused(event: Event, message: str, status: int = 400):
    """A change refused: said in place, or flashed above the page."""
    if wants_inplace():
        return inplace_response(message, {}, status=status)
    flash(message, "error")
    return _back_to_roll_call(event)


@bp.post("/events/<int:event_id>/attendance/<int:attendance_id>")
@requires(Role.MANAGER)
def set_status(event_id: int, attendance_id: int):
    event = load_event(event_id)
    row = db.session.scalar(
        select(Attendance).where(Attendance.id == attendance_id, Attendance.event_id == event.id)
    )
    if row is None:
        return _refused(event, _("Cette personne n'est plus sur la liste."), 404)
    previous = row.status
    with service_call() as call:
        roll.set_status(row, request.form.get("status", ""))
    if not call.ok:
        return _refused(event, call.error.message if call.error else _("Refusé."))
    message = _status_message(row)
    if not wants_inplace():
        flash(message, "success")
        return _back_to_roll_call(event, row, _query())
    context = roll_context(event, _query())
    joined_or_left = roll.CANCELLED in (previous, row.status)
    if joined_or_left:
        fragments = _fragments(context, "roll-counts", "roll-list", "member-results")
    else:
        fragments = _fragments(context, "roll-counts", row=row)
    undone = request.form.get("undo") == "1" or previous == row.status
    return inplace_response(
        message,
        fragments,
        undo=None if undone else _undo(event, row, previous),
        # The buttons pressed are drawn again with their ids (the focus stays on them, and
        # goes back to them after « Annuler »); a person taken off the list takes them away:
        # back to the search box.
        focus="member-q"
        if row.status == roll.CANCELLED
        else f"attendance-{row.id}-present"
        if undone
        else None,
    )


@bp.post("/events/<int:event_id>/attendance/member")
@requires(Role.MANAGER)
def add_member(event_id: int):
    event = load_event(event_id)
    member_key = parse_id(request.form.get("member_id", ""))
    member = db.session.get(Member, member_key) if member_key is not None else None
    if member is None:
        return _refused(event, _("Membre introuvable."), 404)
    before = db.session.scalar(
        select(Attendance.status).where(
            Attendance.event_id == event.id, Attendance.member_id == member.id
        )
    )
    with service_call() as call:
        row = roll.add_member(event, member, attended=request.form.get("mode") != "register")
    if not call.ok:
        return _refused(event, call.error.message if call.error else _("Refusé."))
    message = _status_message(row)
    if not wants_inplace():
        flash(message, "success")
        return _back_to_roll_call(event, row)
    # The next person comes: the search box is emptied, the whole list shown again.
    context = roll_context(event, "")
    return inplace_response(
        message,
        _fragments(context, "roll-counts", "roll-list", "member-results"),
        undo=_undo(event, row, before or roll.CANCELLED),
        focus="member-q",
        values={"member-q": ""},
    )


@bp.post("/events/<int:event_id>/attendance/guest")
@requires(Role.MANAGER)
def add_guest(event_id: int):
    event = load_event(event_id)
    form = GuestForm()
    row = None
    if form.validate_on_submit():
        with service_call(form, field="guest_name") as call:
            row = roll.add_guest(
                event, form.guest_name.data, attended=request.form.get("mode") != "register"
            )
        if not call.ok:
            row = None
    if row is None:
        if wants_inplace():
            context = roll_context(event, _query(), guest_form=form)
            message = next(iter(form.errors.values()), [_("Refusé.")])[0]
            return inplace_response(
                str(message), _fragments(context, "guest-card"), focus="guest_name", status=400
            )
        return _render_show(event, guest_form=form, status=400)
    message = _status_message(row)
    if not wants_inplace():
        flash(message, "success")
        return _back_to_roll_call(event, row)
    # An empty form for the next walk-in, with a fresh one-time token.
    fresh = GuestForm(formdata=None)
    context = roll_context(event, _query(), guest_form=fresh)
    return inplace_response(
        message,
        _fragments(context, "roll-counts", "roll-list", "guest-card"),
        undo=_undo(event, row, roll.CANCELLED),
        focus="guest_name",
    )


def _status_message(row: Attendance) -> str:
    name = roll.display_name(row)
    messages = {
        roll.ATTENDED: _("%(name)s : présent.", name=name),
        roll.NO_SHOW: _("%(name)s : absent.", name=name),
        roll.REGISTERED: _("%(name)s : inscrit.", name=name),
        roll.WAITING: _("%(name)s : en liste d'attente (complet).", name=name),
        roll.CANCELLED: _("%(name)s : inscription annulée.", name=name),
    }
    return messages.get(row.status, name)


@bp.post("/events/<int:event_id>/headcount")
@requires(Role.MANAGER)
def headcount(event_id: int):
    event = load_event(event_id)
    form = HeadcountForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to_roll_call(event)
    with service_call() as call:
        roll.set_headcount(event, form.headcount.data)
    if call.ok:
        flash(_("Effectif enregistré."), "success")
    return _back_to_roll_call(event)
