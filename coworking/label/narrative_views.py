"""The « Rédaction » page: the applicant's texts, the commitment, the photos; evidence on /label.

Routes of the ``label`` blueprint. Reading is for every role; writing is for admins (the board).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from coworking.database import outside_write_lock
from coworking.documents.models import IMAGE_TYPES, Document
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.label import commitment as commitment_services
from coworking.label import criteria as criteria_services
from coworking.label import narratives
from coworking.label.action_plan import action_plan
from coworking.label.application import application_of
from coworking.label.markdown_text import MAX_TEXT_CHARS
from coworking.label.models import Criterion, PhotoCaption
from coworking.label.narrative_drafts import draft_text
from coworking.label.readiness import evaluate
from coworking.label.views import bp
from coworking.periods import Period, PeriodError, period_from_args
from coworking.roles import Role
from coworking.security import requires
from coworking.space.models import SpaceProfile

MAX_PHOTOS_SHOWN = 24


class NarrativeForm(FlaskForm):
    body = TextAreaField(_l("Texte (Markdown)"), validators=[Optional()])


class CommitmentForm(FlaskForm):
    text = TextAreaField(
        _l("Texte de l'engagement"),
        validators=[Optional(), Length(max=commitment_services.MAX_COMMITMENT_CHARS)],
    )
    signatory_name = StringField(_l("Signataire"), validators=[Optional(), Length(max=200)])
    signatory_role = StringField(_l("Fonction"), validators=[Optional(), Length(max=200)])
    place = StringField(_l("Fait à"), validators=[Optional(), Length(max=200)])
    signed_on = DateField(_l("Le"), validators=[Optional()])


class CaptionForm(FlaskForm):
    caption = StringField(
        _l("Légende"), validators=[Optional(), Length(max=commitment_services.MAX_CAPTION_CHARS)]
    )


class EvidenceForm(FlaskForm):
    document_id = SelectField(_l("Document"), coerce=int, validate_choice=False)


def _actor() -> str | None:
    return getattr(current_user, "email", None)


def _lang() -> str:
    lang = request.values.get("lang", "fr")
    return lang if lang in narratives.LANGUAGES else "fr"


def _period() -> tuple[Period, str | None]:
    try:
        if not request.args.get("from") and not request.args.get("to"):
            return Period.last_12_months(), None
        return period_from_args(), None
    except PeriodError as error:
        return Period.last_12_months(), str(error.message)


def _space_name() -> str:
    return db.session.scalar(select(SpaceProfile.name).order_by(SpaceProfile.id).limit(1)) or ""


def _photos() -> list[tuple[Document, str]]:
    rows = db.session.execute(
        select(Document, PhotoCaption.caption)
        .outerjoin(PhotoCaption, PhotoCaption.document_id == Document.id)
        .where(Document.kind == "photo", Document.content_type.in_(IMAGE_TYPES))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
        .limit(MAX_PHOTOS_SHOWN)
    )
    return [(document, caption or document.title) for document, caption in rows]


def _writing_page(
    *,
    forms: dict[str, NarrativeForm] | None = None,
    commitment_form: CommitmentForm | None = None,
    drafted: str | None = None,
    status: int = 200,
):
    period, period_error = _period()
    lang = _lang()
    space_name = _space_name()
    with force_locale(lang):
        application = application_of(lang, space_name)
    forms = forms or {}
    for text in application.texts:
        if text.key not in forms:
            form = NarrativeForm(formdata=None)
            form.body.data = text.body
            forms[text.key] = form
        # One form per section on the page: ids of their own (the field is « body » in each).
        forms[text.key].body.id = f"body-{text.key}"
    if drafted and drafted in forms:
        with force_locale(lang):
            forms[drafted].body.data = draft_text(drafted, period, lang)
    row = application.commitment
    if commitment_form is None:
        commitment_form = CommitmentForm(formdata=None, obj=row)
        commitment_form.text.data = application.commitment_text
    readiness = evaluate(period)
    return render_template(
        "label/writing.html",
        application=application,
        forms=forms,
        drafted=drafted,
        commitment_form=commitment_form,
        caption_form=CaptionForm(formdata=None),
        photos=_photos(),
        period=period,
        period_error=period_error,
        lang=lang,
        plan=action_plan(readiness),
        readiness=readiness,
        max_chars=MAX_TEXT_CHARS,
        revisions=narratives.recent_revisions(lang),
        empty_form=EmptyForm(),
    ), status


@bp.get("/label/writing")
@requires(Role.VIEWER)
def writing():
    drafted = request.args.get("draft")
    if drafted is not None and drafted not in {s.key for s in narratives.NARRATIVE_SECTIONS}:
        drafted = None
    # The page says inline that the draft is not saved (no flash: it would show on the next page).
    return _writing_page(drafted=drafted)


def _back(anchor: str):
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in ("from", "to", "lang")}
    return redirect(url_for("label.writing", **args) + f"#{anchor}", 303)


@bp.post("/label/writing/<key>")
@requires(Role.ADMIN)
def save_text(key: str):
    form = NarrativeForm()
    if not form.validate_on_submit():
        return _writing_page(forms={key: form}, status=400)
    with service_call(form, field="body") as call:
        narratives.save_narrative(key, _lang(), form.body.data, _actor())
    if not call.ok:
        return _writing_page(forms={key: form}, status=400)
    flash(_("Texte enregistré."), "success")
    return _back(f"text-{key}")


@bp.post("/label/writing/commitment")
@requires(Role.ADMIN)
def save_commitment():
    form = CommitmentForm()
    if not form.validate_on_submit():
        return _writing_page(commitment_form=form, status=400)
    with service_call(form, field="text") as call:
        text = form.text.data or ""
        with force_locale(_lang()):
            if text.strip() == commitment_services.default_commitment_text(_space_name()).strip():
                text = ""  # the default stays translatable
        commitment_services.save_commitment(
            text=text,
            signatory_name=form.signatory_name.data,
            signatory_role=form.signatory_role.data,
            place=form.place.data,
            signed_on=form.signed_on.data,
            by=_actor(),
        )
    if not call.ok:
        return _writing_page(commitment_form=form, status=400)
    flash(_("Engagement enregistré."), "success")
    return _back("commitment")


def _upload(field: str) -> tuple[bytes, str] | None:
    storage = request.files.get(field)
    if storage is None or not storage.filename:
        return None
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    return storage.stream.read(limit + 1), storage.filename


@bp.post("/label/writing/signature")
@requires(Role.ADMIN)
def upload_signature():
    form = EmptyForm()
    upload = _upload("signature")
    if not form.validate_on_submit() or upload is None:
        flash(_("Signature : choisissez une image (PNG, JPEG ou WebP)."), "error")
        return _writing_page(status=400)
    max_bytes = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    with outside_write_lock():
        problem = commitment_services.image_problem_of(upload[0], upload[1], "signature", max_bytes)
    if problem is not None:
        flash(_("Signature : %(error)s", error=problem.message), "error")
        return _writing_page(status=400)
    with service_call(form, field="signature") as call:
        commitment_services.set_signature(upload[0], upload[1], by=_actor(), max_bytes=max_bytes)
    if not call.ok:
        return _writing_page(status=400)
    flash(_("Signature enregistrée."), "success")
    return _back("commitment")


@bp.post("/label/writing/signature/remove")
@requires(Role.ADMIN)
def remove_signature():
    with service_call() as call:
        commitment_services.remove_signature(_actor())
    if call.ok:
        flash(_("Signature retirée."), "success")
    return _back("commitment")


@bp.post("/label/writing/photos")
@requires(Role.ADMIN)
def upload_photo():
    form = CaptionForm()
    upload = _upload("photo")
    if not form.validate_on_submit() or upload is None:
        flash(_("Photo : choisissez une image (PNG, JPEG ou WebP)."), "error")
        return _writing_page(status=400)
    max_bytes = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    with outside_write_lock():
        problem = commitment_services.image_problem_of(upload[0], upload[1], "photo", max_bytes)
    if problem is not None:
        flash(_("Photo : %(error)s", error=problem.message), "error")
        return _writing_page(status=400)
    with service_call(form, field="caption") as call:
        commitment_services.add_photo(
            upload[0], upload[1], form.caption.data, by=_actor(), max_bytes=max_bytes
        )
    if not call.ok:
        return _writing_page(status=400)
    flash(_("Photo ajoutée."), "success")
    return _back("photos")


@bp.post("/label/writing/photos/<int:document_id>/caption")
@requires(Role.ADMIN)
def save_caption(document_id: int):
    form = CaptionForm()
    if not form.validate_on_submit():
        flash(
            _("Légende : %(n)s caractères au plus.", n=commitment_services.MAX_CAPTION_CHARS),
            "error",
        )
        return _back("photos")
    with service_call(form, field="caption") as call:
        commitment_services.set_caption(document_id, form.caption.data)
    if call.ok:
        flash(_("Légende enregistrée."), "success")
    return _back("photos")


# --- evidence, from the criterion's row on /label ---------------------------------------------


@bp.post("/label/criteria/<int:criterion_id>/evidence")
@requires(Role.ADMIN)
def attach_evidence(criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        with service_call(form, field="document_id") as call:
            criteria_services.attach_document(criterion, form.document_id.data)
        if call.ok:
            flash(_("Justificatif joint au critère %(code)s.", code=criterion.code), "success")
    return redirect(_readiness_url(criterion.code), 303)


@bp.post("/label/criteria/<int:criterion_id>/evidence/remove")
@requires(Role.ADMIN)
def detach_evidence(criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        with service_call(form, field="document_id") as call:
            criteria_services.detach_document(criterion, form.document_id.data)
        if call.ok:
            flash(_("Justificatif retiré du critère %(code)s.", code=criterion.code), "success")
    return redirect(_readiness_url(criterion.code), 303)


def _readiness_url(code: str) -> str:
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in ("from", "to", "preset")}
    return url_for("label.readiness", **args) + f"#criterion-{code}"
