"""What the applicant wrote for the dossier: the texts, the commitment, and what is missing.

Read by the dossier (PDF and preview alike) and by the « Rédaction » page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from coworking.label.commitment import (
    default_commitment_text,
    get_commitment,
    missing_commitment_parts,
)
from coworking.label.markdown_text import render_markdown
from coworking.label.models import Commitment
from coworking.label.narratives import NARRATIVE_SECTIONS, narrative_texts

__all__ = ["Application", "ApplicationText", "application_of"]


@dataclass
class ApplicationText:
    """A section of the applicant's texts, with its rendering and last change."""

    key: str
    title: str
    prompt: str
    body: str
    updated_at: datetime | None
    updated_by: str | None

    @property
    def html(self) -> Markup:
        return render_markdown(self.body)

    @property
    def written(self) -> bool:
        return bool(self.body.strip())


@dataclass
class Application:
    """The applicant's voice: texts, commitment, signatory."""

    lang: str
    texts: list[ApplicationText]
    commitment: Commitment | None
    commitment_text: str
    signed_on: date | None
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, key: str) -> ApplicationText | None:
        return next((item for item in self.texts if item.key == key), None)

    @property
    def missing_texts(self) -> list[str]:
        return [item.title for item in self.texts if not item.written]

    @property
    def missing_commitment(self) -> list[str]:
        return missing_commitment_parts(self.commitment)

    def missing(self, readiness: Any) -> list[str]:
        """Say plainly what the application lacks: evidence, declarations, texts, signature."""
        lines = []
        evidence = [
            f"{r.code} ({r.title})"
            for r in readiness.results
            if r.kind == "declaration" and r.evidence_required and not r.evidence
        ]
        if evidence:
            lines.append(
                ngettext(
                    "%(num)s justificatif manque : %(list)s.",
                    "%(num)s justificatifs manquent : %(list)s.",
                    len(evidence),
                    list=", ".join(evidence),
                )
            )
        declarations = [
            r.code
            for r in readiness.results
            if r.kind == "declaration" and not r.met and (r.evidence or not r.evidence_required)
        ]
        if declarations:
            lines.append(
                ngettext(
                    "%(num)s déclaration à compléter : %(list)s.",
                    "%(num)s déclarations à compléter : %(list)s.",
                    len(declarations),
                    list=", ".join(declarations),
                )
            )
        texts = self.missing_texts
        if texts:
            lines.append(
                ngettext(
                    "%(num)s texte à rédiger : %(list)s.",
                    "%(num)s textes à rédiger : %(list)s.",
                    len(texts),
                    list=", ".join(texts),
                )
            )
        commitment = self.missing_commitment
        if commitment:
            lines.append(_("Engagement non signé : %(what)s.", what=", ".join(commitment)))
        return lines


def application_of(lang: str, space_name: str) -> Application:
    """Gather the texts of a language and the commitment (two queries)."""
    saved = narrative_texts(lang)
    texts = []
    for section in NARRATIVE_SECTIONS:
        narrative = saved.get(section.key)
        texts.append(
            ApplicationText(
                key=section.key,
                title=str(section.title),
                prompt=str(section.prompt),
                body=narrative.body if narrative else "",
                updated_at=narrative.updated_at if narrative else None,
                updated_by=narrative.updated_by if narrative else None,
            )
        )
    commitment = get_commitment()
    text = (commitment.text if commitment else "") or default_commitment_text(space_name)
    return Application(
        lang=lang,
        texts=texts,
        commitment=commitment,
        commitment_text=text,
        signed_on=commitment.signed_on if commitment else None,
    )
