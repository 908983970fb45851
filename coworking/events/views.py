"""Event pages: the list and month view, forms, import, feeds (an event and its roll call are in
`roll_call_views`)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coworking.database import outside_write_lock
from coworking.dates import MAX_YEAR, MIN_YEAR
from coworking.dates import today as local_today
from coworking.events import feeds, importers, programme, services
from coworking.events import kinds as event_kinds
from coworking.events.errors import EventError
from coworking.events.forms import (
    EventForm,
    ImportForm,
    KindForm,
    NewEventForm,
    SeriesForm,
)
from coworking.events.models import Event, EventKind
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call, show_error
from coworking.ids import parse_id
from coworking.pagination import paginate
from coworking.roles import Role
from coworking.security import public, requires

bp = Blueprint("events", __name__)

PER_PAGE = 50
FEED_MAX_AGE = 300
ICS_MIMETYPE = "text/calendar; charset=utf-8"


def _locale() -> str:
    return str(get_locale() or "fr")


def kind_labels() -> dict[str, str]:
    return {kind.slug: event_kinds.kind_label(kind, _locale()) for kind in event_kinds.all_kinds()}


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"timedelta_day": timedelta(days=1)}


# --- list and month view ---------------------------------------------------------------------


@bp.get("/events")
@requires(Role.VIEWER)
def index():
    filters = programme.parse_filters(request.args)
    upcoming = not request.args.get("from") and not request.args.get("to")
    if upcoming:
        filters.start = local_today()
    query = programme.filtered_query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    newest_first = bool(filters.end and not filters.start)
    order = (
        (Event.starts_at.desc(), Event.id.desc()) if newest_first else (Event.starts_at, Event.id)
    )
    page = paginate(
        query.options(*programme.list_options()).order_by(*order), total, per_page=PER_PAGE
    )
    counts = programme.attendance_counts([event.id for event in page.items])
    status = 400 if filters.errors else 200
    return render_template(
        "events/index.html",
        page=page,
        filters=filters,
        upcoming=upcoming,
        counts=counts,
        kinds=kind_labels(),
        venues=services.venue_partners(),
        today=local_today(),
    ), status


@bp.get("/events/calendar")
@requires(Role.VIEWER)
def month():
    today = local_today()
    status = 200
    try:
        first = date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    if not MIN_YEAR <= first.year <= MAX_YEAR:
        flash(
            _(
                "Mois : l'année doit être comprise entre %(min)s et %(max)s.",
                min=MIN_YEAR,
                max=MAX_YEAR,
            ),
            "error",
        )
        first, status = today.replace(day=1), 400
    weeks = programme.month_grid(first.year, first.month)
    filters = programme.parse_filters(request.args)
    filters.errors.clear()
    month_args = {k: v for k, v in filters.args().items() if k not in ("from", "to")}
    filters.start, filters.end = weeks[0][0], weeks[-1][-1]
    events = db.session.scalars(
        programme.filtered_query(filters)
        .options(*programme.list_options())
        .order_by(Event.starts_at, Event.id)
    ).all()
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template(
        "events/month.html",
        first=first,
        weeks=weeks,
        days=programme.events_by_day(events, weeks[0][0], weeks[-1][-1]),
        previous=previous,
        following=following,
        today=today,
        filters=filters,
        month_args=month_args,
        kinds=kind_labels(),
        venues=services.venue_partners(),
    ), status


@bp.get("/events/export.ics")
@requires(Role.MANAGER)
def export_ics():
    filters = programme.parse_filters(request.args)
    if filters.errors:
        return _back_with_error(" ".join(filters.errors.values()))
    _name, address = feeds.space_identity()
    events = db.session.scalars(
        programme.filtered_query(filters)
        .options(*programme.list_options())
        .order_by(Event.starts_at, Event.id)
    ).all()
    items = [feeds.feed_event(event, address) for event in events]
    body = feeds.calendar_bytes(items, _event_url, request.host)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_MIMETYPE
    response.headers["Content-Disposition"] = 'attachment; filename="evenements.ics"'
    return response


def _back_with_error(message: str):
    flash(message, "error")
    return redirect(url_for("events.index"))


# --- one event -------------------------------------------------------------------------------


def load_event(event_id: int) -> Event:
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(*programme.list_options(), selectinload(Event.series))
    )
    if event is None:
        abort(404)
    return event


@bp.get("/events/<int:event_id>/event.ics")
@requires(Role.VIEWER)
def event_ics(event_id: int):
    event = load_event(event_id)
    _name, address = feeds.space_identity()
    body = feeds.calendar_bytes([feeds.feed_event(event, address)], _event_url, request.host)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_MIMETYPE
    response.headers["Content-Disposition"] = f'attachment; filename="evenement-{event.id}.ics"'
    return response


def _event_url(event: Any) -> str:
    return url_for("events.show", event_id=event.id, _external=True)


# --- create, edit, duplicate, series ----------------------------------------------------------


@bp.route("/events/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new():
    form = NewEventForm()
    form.fill_choices()
    if request.method == "GET":
        source_id = request.args.get("duplicate", "")
        if parse_id(source_id) is not None:
            source = load_event(parse_id(source_id))
            form.load(services.duplicate_data(source))
        else:
            form.kind.data = form.kind.data or "autre"
        return render_template("events/form.html", form=form, event=None, series=False)
    if form.validate_on_submit():
        with service_call(form, field="title") as call:
            event = services.create_event(form.event_data())
        if call.ok:
            flash(_("Événement « %(title)s » créé.", title=event.title), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None, series=False), 400


@bp.get("/events/<int:event_id>/duplicate")
@requires(Role.MANAGER)
def duplicate(event_id: int):
    return redirect(url_for("events.new", duplicate=event_id))


@bp.route("/events/series/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new_series():
    form = SeriesForm()
    form.fill_choices()
    if request.method == "GET":
        form.kind.data = form.kind.data or "twapero"
        return render_template("events/form.html", form=form, event=None, series=True)
    clashes: list[Event] = []
    if form.validate_on_submit():
        nth = int(form.nth.data) if form.nth.data in ("1", "2", "3", "4", "-1") else None
        if not form.despite_clashes.data:
            try:
                clashes = services.series_clashes(
                    form.event_data(), form.rule.data, form.until.data, nth
                )
            except EventError as error:
                show_error(form, error.message, error.field, "title")
                return render_template("events/form.html", form=form, event=None, series=True), 400
        if clashes:
            # Shown with the form, and a box to tick to create the series all the same.
            return render_template(
                "events/form.html", form=form, event=None, series=True, clashes=clashes
            ), 409
        with service_call(form, field="title") as call:
            series = services.create_series(form.event_data(), form.rule.data, form.until.data, nth)
            count = services.series_size(series)
        if call.ok:
            flash(
                ngettext(
                    "Série créée : %(num)s événement.", "Série créée : %(num)s événements.", count
                ),
                "success",
            )
            return redirect(url_for("events.index", kind=form.kind.data))
    return render_template("events/form.html", form=form, event=None, series=True), 400


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit(event_id: int):
    event = load_event(event_id)
    form = EventForm()
    form.fill_choices()
    if request.method == "GET":
        form.load(services.event_data(event))
        return render_template("events/form.html", form=form, event=event, series=False)
    if form.validate_on_submit():
        with service_call(form, field="title") as call:
            services.update_event(event, form.event_data())
        if call.ok:
            flash(_("Événement modifié."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event, series=False), 400


@bp.post("/events/<int:event_id>/cancel")
@requires(Role.MANAGER)
def cancel(event_id: int):
    event = load_event(event_id)
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            services.set_cancelled(event, not event.cancelled)
        if call.ok:
            flash(_("Événement annulé.") if event.cancelled else _("Événement rétabli."), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/events/<int:event_id>/delete")
@requires(Role.MANAGER)
def delete(event_id: int):
    event = load_event(event_id)
    title = event.title
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("events.show", event_id=event.id))
    with service_call() as call:
        services.delete_event(event)
    if not call.ok:
        return redirect(url_for("events.show", event_id=event.id))
    flash(_("Événement « %(title)s » supprimé.", title=title), "success")
    return redirect(url_for("events.index"))


# --- import -----------------------------------------------------------------------------------


@bp.route("/events/import", methods=["GET", "POST"])
@requires(Role.MANAGER)
def import_calendar():
    form = ImportForm()
    if request.method == "GET":
        return render_template("events/import.html", form=form, report=None)
    upload = request.files.get("file")
    data = upload.read(current_app.config["COWORKING_MAX_UPLOAD_BYTES"] + 1) if upload else b""
    if not form.validate_on_submit():
        return render_template("events/import.html", form=form, report=None), 400
    if not data:
        form.file.errors = [_("Choisissez un fichier .ics.")]
        return render_template("events/import.html", form=form, report=None), 400
    if len(data) > current_app.config["COWORKING_MAX_UPLOAD_BYTES"]:
        form.file.errors = [_("Le fichier est trop volumineux.")]
        return render_template("events/import.html", form=form, report=None), 400
    with service_call(form, field="file") as call:
        with outside_write_lock():  # parsing a big file must not keep kiosks waiting
            records = importers.read_calendar(data)
        report = importers.save_events(records)
    if not call.ok:
        return render_template("events/import.html", form=form, report=None), 400
    flash(
        _(
            "Import terminé : %(created)s créés, %(updated)s mis à jour, %(unchanged)s inchangés.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return render_template("events/import.html", form=ImportForm(formdata=None), report=report)


# --- admin: kinds ----------------------------------------------------------------------------------


def _kinds_page(form: KindForm, status: int = 200):
    kinds = event_kinds.all_kinds()
    rows = db.session.execute(select(Event.kind, func.count()).group_by(Event.kind))
    used = {slug: count for slug, count in rows}
    return render_template("events/kinds.html", kinds=kinds, used=used, form=form), status


@bp.get("/admin/kinds")
@requires(Role.ADMIN)
def kinds():
    return _kinds_page(KindForm())


@bp.post("/admin/kinds")
@requires(Role.ADMIN)
def add_kind():
    form = KindForm()
    if form.validate_on_submit():
        with service_call(form, field="label_fr") as call:
            kind = event_kinds.add_kind(form.label_fr.data, form.label_en.data or "")
        if call.ok:
            flash(_("Type « %(label)s » ajouté.", label=kind.label_fr), "success")
            return redirect(url_for("events.kinds"))
    return _kinds_page(form, 400)


@bp.post("/admin/kinds/<slug>/delete")
@requires(Role.ADMIN)
def delete_kind(slug: str):
    kind = db.get_or_404(EventKind, slug)
    with service_call() as call:
        event_kinds.delete_kind(kind)
    if call.ok:
        flash(_("Type supprimé."), "success")
    return redirect(url_for("events.kinds"))


# --- public feeds ------------------------------------------------------------------------------------


def _feed_period() -> tuple[date | None, date | None]:
    start, end = programme.parse_period(request.args)
    if start is None and not request.args.get("to"):
        start = feeds.default_start()
    return start, end


def _conditional(response: Response, events: list[feeds.FeedEvent]) -> Any:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    response.vary.add("Accept-Encoding")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    modified = feeds.last_modified(events)
    if modified is not None:
        response.last_modified = modified
    return response.make_conditional(request)


def _feed_error(message: str, *, as_json: bool) -> Response:
    if as_json:
        response = jsonify({"error": message})
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = 400
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/calendar.ics")
@public
def calendar_feed():
    try:
        start, end = _feed_period()
    except services.EventError as error:
        return _feed_error(error.message, as_json=False)
    events = feeds.public_events(start, end)
    # No link to our event pages: they need a login.
    body = feeds.calendar_bytes(events, None, request.host)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_MIMETYPE
    response.headers["Content-Disposition"] = 'inline; filename="agenda.ics"'
    return _conditional(response, events)


@bp.get("/api/v1/events")
@public
def api_events():
    try:
        start, end = _feed_period()
    except services.EventError as error:
        return _feed_error(error.message, as_json=True)
    events = feeds.public_events(start, end)
    labels = feeds.kind_labels(_locale())
    payload = {"events": [feeds.api_event(event, labels) for event in events]}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    return _conditional(response, events)
