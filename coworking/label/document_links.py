"""What the label holds of documents: a final dossier keeps its own, drafts let them go.

Registered with the documents feature (below this one), which runs it before deleting one.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from coworking.documents.models import Document
from coworking.documents.services import DocumentError, before_document_deletion
from coworking.extensions import db
from coworking.label.models import Dossier, dossier_document


def frozen_dossier_titles(document: Document) -> list[str]:
    """Return the titles of the final (frozen) dossiers that include a document."""
    return list(
        db.session.scalars(
            select(Dossier.title)
            .join(dossier_document, dossier_document.c.dossier_id == Dossier.id)
            .where(dossier_document.c.document_id == document.id, Dossier.status == "final")
            .order_by(Dossier.id)
        )
    )


def keep_documents_of_final_dossiers(document: Document) -> None:
    """Refuse to delete a document a final dossier holds; other dossiers lose their link."""
    frozen = frozen_dossier_titles(document)
    if frozen:
        raise DocumentError(
            _(
                "Ce document fait partie d'un dossier figé (%(titles)s) : il ne peut pas être supprimé.",
                titles=", ".join(frozen),
            ),
            "document",
        )
    # Dossiers still being prepared simply lose it (the link is ON DELETE RESTRICT).
    db.session.execute(
        delete(dossier_document).where(dossier_document.c.document_id == document.id)
    )


before_document_deletion(keep_documents_of_final_dossiers)
