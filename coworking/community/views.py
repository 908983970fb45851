"""Community pages: the summary, and what the page families share (blueprint ``community``).

The partners, press, mentions, outcomes and documents pages are in their own modules
(`partner_views`, `press_views`, `mention_views`, `outcome_views`, `document_views`), which
add their routes to this blueprint.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from coworking.community import mentions as mention_services
from coworking.community import services
from coworking.community.choices import PLATFORMS
from coworking.community.models import Outcome
from coworking.database import outside_write_lock
from coworking.dates import INVALID, DateRangeError, parse_iso_date, today
from coworking.documents import services as document_services
from coworking.documents.models import DOCUMENT_KINDS, IMAGE_TYPES, Document
from coworking.documents.services import documents_query
from coworking.kinds import OUTCOME_KINDS, PARTNER_KINDS, PARTNER_ROLES
from coworking.partners.services import latest_partners
from coworking.roles import Role
from coworking.security import requires

bp = Blueprint("community", __name__, url_prefix="/community")


@bp.context_processor
def labels() -> dict[str, object]:
    """Give the community templates the French labels of every fixed list."""
    return {
        "partner_kinds": PARTNER_KINDS,
        "partner_roles": PARTNER_ROLES,
        "outcome_kinds": OUTCOME_KINDS,
        "document_kinds": DOCUMENT_KINDS,
        "platforms": PLATFORMS,
        "image_types": IMAGE_TYPES,
    }


def date_arg(name: str, errors: list[str] | None = None) -> date | None:
    """Return the ISO date of a query argument; None when empty or malformed.

    A year outside 1900..2200 is reported in ``errors`` (French, naming the field).
    """
    try:
        return parse_iso_date(request.args.get(name, ""), name)
    except DateRangeError as error:
        if error.msgid != INVALID and errors is not None:
            label = _("Du") if name == "start" else _("Au")
            errors.append(_("%(field)s : %(error)s", field=label, error=error.message))
        return None


def uploaded(field_name: str) -> tuple[bytes, str] | None:
    """Return (bytes, name) of an uploaded file, reading at most the limit plus one byte."""
    storage = request.files.get(field_name)
    if storage is None or not storage.filename:
        return None
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    return storage.stream.read(limit + 1), storage.filename


def store_upload(upload: tuple[bytes, str], **fields) -> Document:
    """Check an upload (without the write lock) and store it as a document."""
    data, filename = upload
    max_bytes = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    uploaded_by = getattr(current_user, "email", None)
    # Measuring a PDF takes a child process: do it without holding SQLite's write lock
    # (store_document checks again, and finds the measure kept).
    with outside_write_lock():
        document_services.check_upload(
            data, filename, kind=fields.get("kind", "other"), max_bytes=max_bytes
        )
    return document_services.store_document(
        data, filename, max_bytes=max_bytes, uploaded_by=uploaded_by, **fields
    )


def megabytes(size: int) -> str:
    """Format a size in megabytes, the French way (« 2,5 Mo »)."""
    return _("%(n)s Mo", n=f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ","))


@bp.get("")
@requires(Role.VIEWER)
def index():
    return render_template(
        "community/index.html",
        counts=services.year_counts(today().year),
        partners=latest_partners(),
        articles=services.latest(services.press_query()),
        mentions=services.latest(
            mention_services.mentions_query(mention_services.MentionFilters())
        ),
        outcomes=services.latest(services.outcomes_query()),
        testimonials=services.latest(
            services.outcomes_query().where(Outcome.consent_publish_at.is_not(None))
        ),
        documents=services.latest(documents_query(), 4),
    )
