"""Documents: uploads checked by content, size limit, safe serving, thumbnails, deletion rules."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from coworking.community.models import PressArticle
from coworking.documents.models import Document
from coworking.extensions import db
from coworking.label.models import Dossier
from tests import hostile_files as hostile
from tests.factories import PDF_BYTES, make_document, make_partner, sample_png

HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _upload(auth, data: bytes, filename: str, **fields):
    payload = {"file": (io.BytesIO(data), filename), "kind": "other"} | fields
    return auth.post(
        "/community/documents",
        payload,
        token_from="/community/documents",
        content_type="multipart/form-data",
    )


def post_files(client, path: str, fields: dict, *, token_from: str):
    """Post a form with files, encoded in memory.

    The test client spools a body above 500 KB to a temporary file it never closes.
    """
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from tests.conftest import csrf_token

    encoded = {"csrf_token": csrf_token(client, token_from)}
    for name, value in fields.items():
        if isinstance(value, tuple):
            value = FileStorage(io.BytesIO(value[0]), value[1])
        encoded[name] = value
    boundary, body = encode_multipart(encoded)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Document.id)))


def test_pdf_upload_is_stored_and_served_as_attachment(app, client, auth):
    with app.app_context():
        partner_id = make_partner(name="Mairie").id
        db.session.commit()
    auth.login_as("manager")
    response = _upload(
        auth, PDF_BYTES, "Lettre de soutien.pdf", kind="support_letter", partner_id=partner_id
    )
    assert response.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.kind == "support_letter"
        assert document.partner_id == partner_id
        assert document.content_type == "application/pdf"
        assert document.size == len(PDF_BYTES) and len(document.sha256) == 64
        assert document.title == "Lettre de soutien"
        assert document.thumbnail is None
        document_id = document.id
    served = client.get(f"/community/documents/{document_id}/file")
    assert served.status_code == 200
    assert served.data == PDF_BYTES
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "Lettre de soutien.pdf" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_image_is_inline_with_a_thumbnail(app, client, auth):
    auth.login_as("manager")
    image = sample_png(1200, 800)
    # A PNG named .jpg is accepted as what it is.
    assert _upload(auth, image, "photo twapéro.jpg", kind="photo").status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.content_type == "image/png"
        assert document.filename == "photo twapéro.png"
        document_id = document.id
    served = client.get(f"/community/documents/{document_id}/file")
    assert served.mimetype == "image/png"
    assert served.headers["Content-Disposition"].startswith("inline")
    thumb = client.get(f"/community/documents/{document_id}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    from PIL import Image

    with Image.open(io.BytesIO(thumb.data)) as small:
        assert max(small.size) <= 320
    page = client.get("/community/documents").get_data(as_text=True)
    assert f"/community/documents/{document_id}/thumbnail" in page


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (HTML_AS_PDF, "lettre.pdf", "page web (HTML)"),
        (SVG_WITH_SCRIPT, "logo.svg", "SVG ne sont pas acceptées"),
        (b"GIF89a" + b"\x00" * 20, "anim.gif", "Type de fichier non accepté"),
        (b"", "vide.pdf", "Le fichier est vide."),
    ],
    ids=["html-as-pdf", "svg", "gif", "empty"],
)
def test_bad_uploads_are_refused_in_french(app, client, auth, data, filename, message):
    auth.login_as("manager")
    response = _upload(auth, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_missing_file_is_named(app, client, auth):
    auth.login_as("manager")
    response = auth.post(
        "/community/documents", {"kind": "other"}, token_from="/community/documents"
    )
    assert response.status_code == 400
    assert "Choisissez un fichier." in response.get_data(as_text=True)


def test_too_large_upload_gets_a_clear_413(app, client, auth):
    app.config["COWORKING_MAX_UPLOAD_BYTES"] = 2000
    auth.login_as("manager")
    response = _upload(auth, PDF_BYTES + b"0" * 5000, "gros.pdf")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "trop volumineux" in body and "taille maximale" in body
    assert _count(app) == 0


def test_fifty_megabytes_are_refused(app, client, auth):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from tests.conftest import csrf_token

    auth.login_as("manager")
    data = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    # Encoded in memory: the test client would spool a body this big to an unclosed temp file.
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client, "/community/documents"),
            "kind": "other",
            "file": FileStorage(io.BytesIO(data), "enorme.pdf"),
        }
    )
    response = client.post(
        "/community/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)
    assert _count(app) == 0


def _text(response) -> str:
    """The page's text, with the narrow no-break spaces of French numbers as plain spaces."""
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("bomb", "kind", "message"),
    [
        (
            lambda: hostile.pdf_shared_page_bomb(2000),
            "support_letter",
            "« bombe.pdf » est refusé : 2 000 pages, une annexe en compte 50 au plus.",
        ),
        (
            lambda: hostile.pdf_inflation_bomb(100_000_000),
            "other",
            "« bombe.pdf » est refusé : une fois décompressé, son contenu dépasserait 64 Mo.",
        ),
        (
            lambda: hostile.pdf_xref_stream_bomb(100_000_000),
            "statutes",
            "« bombe.pdf » est refusé : ",
        ),
    ],
    ids=["2000-shared-pages", "inflation", "xref-stream"],
)
def test_pdf_bombs_are_refused_at_upload_naming_the_file(app, client, auth, bomb, kind, message):
    auth.login_as("manager")
    response = _upload(auth, bomb(), "bombe.pdf", kind=kind)
    assert response.status_code == 400
    assert message in _text(response)
    assert _count(app) == 0


def test_a_long_pdf_is_kept_when_it_is_not_an_annex(app, client, auth):
    """The page limit is an annex's: a long PDF filed as « other » is only stored."""
    auth.login_as("manager")
    assert _upload(auth, hostile.pdf_shared_page_bomb(60), "rapport.pdf").status_code == 302
    response = _upload(auth, hostile.pdf_shared_page_bomb(60), "statuts.pdf", kind="statutes")
    assert response.status_code == 400
    assert "60 pages, une annexe en compte 50 au plus" in _text(response)
    assert _count(app) == 1


def test_pixel_bomb_is_refused_at_upload_with_its_size(app, client, auth):
    auth.login_as("manager")
    response = post_files(
        client,
        "/community/documents",
        {"file": (hostile.png_pixel_bomb(13_000, 13_000), "photo.png"), "kind": "photo"},
        token_from="/community/documents",
    )
    assert response.status_code == 400
    assert (
        "« photo.png » est refusé : 13 000 × 13 000 pixels, "
        "une image en compte 50 millions au plus." in _text(response)
    )
    assert _count(app) == 0
    clipping = post_files(
        client,
        "/community/press/new",
        {
            "title": "T",
            "outlet": "M",
            "published_on": "2013-02-14",
            "clipping": (hostile.png_pixel_bomb(8000, 8000, grey=True), "a.png"),
        },
        token_from="/community/press/new",
    )
    assert clipping.status_code == 400
    assert "8 000 × 8 000 pixels" in _text(clipping)
    assert _count(app) == 0


def test_thumbnail_of_a_pixel_bomb_is_never_decoded(app_ctx, monkeypatch):
    from PIL import Image

    from coworking.documents.services import make_thumbnail

    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("the bomb was decoded"))
    assert make_thumbnail(hostile.png_pixel_bomb(13_000, 13_000)) is None


def test_viewer_can_read_but_not_upload_or_delete(app, client, auth):
    with app.app_context():
        document_id = make_document().id
        db.session.commit()
    auth.login_as("viewer")
    assert client.get("/community/documents").status_code == 200
    assert client.get(f"/community/documents/{document_id}/file").status_code == 200
    assert auth.post(f"/community/documents/{document_id}/delete").status_code == 403
    assert _upload(auth, PDF_BYTES, "x.pdf").status_code == 403
    assert _count(app) == 1


def test_deletion_refused_when_a_frozen_dossier_uses_it(app, client, auth):
    from datetime import date

    with app.app_context():
        frozen_doc = make_document(title="Statuts")
        draft_doc = make_document(title="Brouillon")
        frozen = Dossier(
            title="Dossier 2024",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            status="final",
        )
        frozen.documents.append(frozen_doc)
        draft = Dossier(
            title="Essai",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            status="ready",
        )
        draft.documents.extend([draft_doc, frozen_doc])
        db.session.add_all([frozen, draft])
        db.session.commit()
        frozen_id, draft_id = frozen_doc.id, draft_doc.id
    auth.login_as("manager")
    response = auth.post(f"/community/documents/{frozen_id}/delete")
    assert response.status_code == 303
    page = client.get("/community/documents").get_data(as_text=True)
    assert "dossier figé (Dossier 2024)" in page
    response = auth.post(f"/community/documents/{draft_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Document, frozen_id) is not None
        assert db.session.get(Document, draft_id) is None


def test_press_article_with_clipping(app, client, auth):
    auth.login_as("manager")
    response = auth.post(
        "/community/press/new",
        {
            "title": "Le coworking qui fait rayonner Angers",
            "outlet": "Ouest-France",
            "published_on": "2013-02-14",
            "url": "https://www.ouest-france.fr/angers/coworking",
            "excerpt": "Depuis septembre…",
            "clipping": (io.BytesIO(sample_png(40, 30)), "coupure.png"),
        },
        token_from="/community/press/new",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        article = db.session.scalar(select(PressArticle))
        assert article.clipping.kind == "press_clipping"
        assert article.clipping.content_type == "image/png"
    page = client.get("/community/press").get_data(as_text=True)
    assert "Le coworking qui fait rayonner Angers" in page
    assert "/thumbnail" in page


def test_press_refuses_javascript_link_and_html_clipping(app, client, auth):
    auth.login_as("manager")
    base = {"title": "T", "outlet": "M", "published_on": "2013-02-14"}
    response = auth.post(
        "/community/press/new",
        base | {"url": "javascript:alert(1)"},
        token_from="/community/press/new",
    )
    assert response.status_code == 400
    assert "http:// ou https://" in response.get_data(as_text=True)
    response = auth.post(
        "/community/press/new",
        base | {"clipping": (io.BytesIO(HTML_AS_PDF), "coupure.pdf")},
        token_from="/community/press/new",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "page web (HTML)" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(PressArticle.id))) == 0
    assert _count(app) == 0


def test_list_pages_query_count_is_constant(app, client, auth, count_queries):
    auth.login_as("viewer")

    def add(n):
        with app.app_context():
            partner = make_partner()
            for _ in range(n):
                document = make_document(partner_id=partner.id)
                article = PressArticle(
                    title="A",
                    outlet="B",
                    published_on=__import__("datetime").date(2024, 1, 1),
                    clipping=document,
                )
                db.session.add(article)
            db.session.commit()

    add(2)
    with count_queries() as small_docs:
        client.get("/community/documents")
    with count_queries() as small_press:
        client.get("/community/press")
    add(30)
    with count_queries() as large_docs:
        client.get("/community/documents")
    with count_queries() as large_press:
        client.get("/community/press")
    assert large_docs.count == small_docs.count
    assert large_press.count == small_press.count
    assert not any("document.data" in s for s in large_docs.statements)
