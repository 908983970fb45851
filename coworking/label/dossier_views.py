"""The archive of label dossiers: build (admins), follow, download, freeze, compare.

A blueprint of its own, ``dossiers``, under ``/label/dossiers``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import load_only, undefer
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from coworking.database import utcnow
from coworking.error_pages import render_error
from coworking.extensions import db
from coworking.forms import service_call
from coworking.ids import parse_id
from coworking.label import dossier_build, services, worker
from coworking.label.models import STALE_AFTER, Dossier
from coworking.pagination import paginate
from coworking.periods import Period, PeriodError
from coworking.roles import Role
from coworking.security import requires
from coworking.stats.definitions import INDICATORS

bp = Blueprint("dossiers", __name__, url_prefix="/label/dossiers")

REFRESH_SECONDS = 3
# The phases of a build, in order, as the worker records them (Dossier.phase).
PHASES = (
    ("data", _l("données")),
    ("charts", _l("graphiques")),
    ("layout", _l("mise en page")),
    ("write", _l("écriture du PDF")),
    ("annexes", _l("annexes")),
)
# How many earlier builds the estimate averages.
ESTIMATE_FROM = 5
LIST_COLUMNS = (
    Dossier.id,
    Dossier.title,
    Dossier.period_start,
    Dossier.period_end,
    Dossier.lang,
    Dossier.status,
    Dossier.created_by,
    Dossier.created_at,
    Dossier.finished_at,
    Dossier.page_count,
    Dossier.sha256,
    Dossier.error,
)


class DossierForm(FlaskForm):
    start = DateField(_l("Du"), validators=[Optional()])
    end = DateField(_l("Au"), validators=[Optional()])
    title = StringField(_l("Titre"), validators=[Optional(), Length(max=services.TITLE_MAX)])
    lang = SelectField(_l("Langue"), choices=lambda: [("fr", _("français")), ("en", _("anglais"))])


def _default_form() -> DossierForm:
    form = DossierForm()
    if not form.is_submitted():
        period = Period.last_12_months()
        form.start.data = period.start
        form.end.data = period.end
    return form


def _actor() -> str | None:
    return getattr(current_user, "email", None)


def _list_page(form: DossierForm, status: int = 200):
    query = (
        select(Dossier)
        .options(load_only(*LIST_COLUMNS))
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
    )
    total = db.session.scalar(select(func.count()).select_from(Dossier)) or 0
    page = paginate(query, total, per_page=50)
    pending = any(d.shown_status in ("queued", "building") for d in page.items)
    return (
        render_template(
            "label/dossiers.html", form=form, page=page, pending=pending, refresh=REFRESH_SECONDS
        ),
        status,
    )


@bp.get("")
@requires(Role.VIEWER)
def index():
    return _list_page(_default_form())


@bp.post("")
@requires(Role.ADMIN)
def create():
    form = DossierForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _list_page(form, 400)
    with service_call(form, field="start") as call:
        dossier_id = services.queue_dossier(
            form.start.data,
            form.end.data,
            title=form.title.data,
            lang=form.lang.data,
            created_by=_actor(),
        ).id
    if not call.ok:
        return _list_page(form, 400)
    # Nothing may touch the session between the commit and an inline build: a lazy
    # refresh would open a write transaction that the build would then wait for.
    worker.start()
    estimate = _estimate()
    if estimate is None:
        flash(_("Dossier mis en file d'attente."), "success")
    else:
        flash(
            _(
                "Dossier mis en file d'attente : environ %(n)s s d'après les dernières constructions.",
                n=round(estimate["total"]),
            ),
            "success",
        )
    return redirect(url_for("dossiers.show", dossier_id=dossier_id), 303)


@bp.get("/<int:dossier_id>")
@requires(Role.VIEWER)
def show(dossier_id: int):
    dossier = db.get_or_404(Dossier, dossier_id)
    pending = dossier.shown_status in ("queued", "building")
    others = db.session.execute(
        select(Dossier.id, Dossier.title, Dossier.created_at)
        .where(Dossier.id != dossier.id, Dossier.status.in_(("ready", "final")))
        .order_by(Dossier.created_at.desc())
        .limit(50)
    ).all()
    stale_after = int(STALE_AFTER / timedelta(minutes=1))
    return render_template(
        "label/dossiers_show.html",
        dossier=dossier,
        pending=pending,
        refresh=REFRESH_SECONDS,
        others=others,
        stale_after=stale_after,
        phases=PHASES,
        estimate=_estimate() if pending else None,
    )


def _estimate() -> dict[str, float] | None:
    """Return the average seconds of the last builds, in total and per phase (None: no build)."""
    rows = db.session.scalars(
        select(Dossier.timings)
        .where(Dossier.status.in_(("ready", "final")), Dossier.timings.is_not(None))
        .order_by(Dossier.finished_at.desc(), Dossier.id.desc())
        .limit(ESTIMATE_FROM)
    ).all()
    timings = [row for row in rows if isinstance(row, dict) and row.get("total")]
    if not timings:
        return None
    keys = ["total"] + [name for name, _label in PHASES]
    return {key: sum(float(t.get(key) or 0) for t in timings) / len(timings) for key in keys}


@bp.get("/preview")
@requires(Role.VIEWER)
def preview():
    """Show the dossier of a period as a web page: the PDF's templates and data, no PDF."""
    try:
        start, end = request.args.get("from"), request.args.get("to")
        period = Period.parse(start, end) if (start or end) else Period.last_12_months()
        period = services.check_period(period.start, period.end)
        lang = services.check_language(request.args.get("lang", "fr"))
    except (PeriodError, services.DossierError) as error:
        return render_error(400, str(error.message))
    with force_locale(lang):
        data, charts, title, snapshot, content_sha256, _timings = dossier_build.prepare_dossier(
            period, lang, None
        )
        html = dossier_build.render_dossier(
            data,
            charts,
            title=title,
            snapshot=snapshot,
            content_sha256=content_sha256,
            version=None,
            built_at=utcnow(),
            preview=True,
            back_url=url_for(
                "label.writing",
                **{"from": period.start.isoformat(), "to": period.end.isoformat(), "lang": lang},
            ),
        )
    return html


@bp.get("/<int:dossier_id>/download")
@requires(Role.VIEWER)
def download(dossier_id: int):
    dossier = db.session.scalar(
        select(Dossier).options(undefer(Dossier.pdf)).where(Dossier.id == dossier_id)
    )
    if dossier is None:
        abort(404)
    if not dossier.has_pdf or dossier.pdf is None:
        flash(_("Ce dossier n'a pas encore de PDF."), "error")
        return redirect(url_for("dossiers.show", dossier_id=dossier_id))
    filename = f"dossier-{dossier.id}-{dossier.period_start}-{dossier.period_end}.pdf"
    response = Response(dossier.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Length"] = str(len(dossier.pdf))
    response.headers["X-Content-SHA256"] = dossier.sha256 or ""
    response.headers["ETag"] = f'"{dossier.sha256}"'
    return response


@bp.post("/<int:dossier_id>/final")
@requires(Role.ADMIN)
def finalize(dossier_id: int):
    dossier = db.get_or_404(Dossier, dossier_id)
    with service_call() as call:
        services.finalize_dossier(dossier, _actor())
    if call.ok:
        flash(_("Dossier marqué définitif : il ne peut plus être supprimé."), "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier_id), 303)


@bp.post("/<int:dossier_id>/retry")
@requires(Role.ADMIN)
def retry(dossier_id: int):
    dossier = db.get_or_404(Dossier, dossier_id)
    with service_call() as call:
        services.retry_dossier(dossier)
    if not call.ok:
        return redirect(url_for("dossiers.show", dossier_id=dossier_id), 303)
    worker.start()
    flash(_("Construction relancée."), "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier_id), 303)


@bp.post("/<int:dossier_id>/delete")
@requires(Role.ADMIN)
def delete(dossier_id: int):
    dossier = db.get_or_404(Dossier, dossier_id)
    with service_call() as call:
        services.delete_dossier(dossier)
    if not call.ok:
        return redirect(url_for("dossiers.show", dossier_id=dossier_id), 303)
    flash(_("Dossier supprimé."), "success")
    return redirect(url_for("dossiers.index"), 303)


@bp.get("/diff")
@requires(Role.VIEWER)
def diff():
    old_id, new_id = parse_id(request.args.get("a")), parse_id(request.args.get("b"))
    for name, value in (("a", old_id), ("b", new_id)):
        if value is None:
            return render_error(
                400,
                _(
                    "Choisissez deux dossiers à comparer : le paramètre « %(name)s » doit être "
                    "le numéro d'un dossier.",
                    name=name,
                ),
            )
    found = {
        dossier.id: dossier
        for dossier in db.session.scalars(
            select(Dossier)
            .options(undefer(Dossier.snapshot))
            .where(Dossier.id.in_((old_id, new_id)))
        )
    }
    old, new = found.get(old_id), found.get(new_id)
    if old is None or new is None:
        abort(404)
    if not old.snapshot or not new.snapshot:
        flash(_("Seuls des dossiers construits peuvent être comparés."), "error")
        return redirect(url_for("dossiers.show", dossier_id=new_id))
    changes = services.compare_snapshots(old.snapshot, new.snapshot)
    return render_template(
        "label/dossiers_diff.html", old=old, new=new, changes=changes, indicators=INDICATORS
    )
