"""Member CSV import through the web: the preview reads only, the confirmation writes once."""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3
from io import BytesIO

import pytest
from sqlalchemy import event, func, select, update

from coworking.audit.models import AuditEntry
from coworking.database import utcnow
from coworking.dates import today
from coworking.extensions import db
from coworking.members import import_views, imports, services
from coworking.members.csv_import import parse_members_csv
from coworking.members.models import Member, MemberImportPreview
from tests import factories
from tests.conftest import AuthActions, make_app
from tests.factories import make_member
from tests.hostile_csv import members_valid_rows

WITHOUT_EMAIL = (
    "Nom;Prénom;E-mail\r\nSansMail;Anne;\r\nSansMail;Bruno;\r\nAvecMail;Chloé;chloe@example.org\r\n"
).encode()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(auth, data: bytes, filename: str = "membres.csv"):
    return auth.post(
        "/members/import",
        {"file": (BytesIO(data), filename)},
        token_from="/members/import",
        content_type="multipart/form-data",
    )


def _confirm_fields(body: str) -> dict[str, str]:
    """Return the hidden fields of the preview's confirm form, but its CSRF token."""
    form = re.search(r'<form[^>]*action="/members/import/confirm".*?</form>', body, re.S).group(0)
    fields = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', form)
    )
    fields.pop("csrf_token", None)
    return fields


# --- replay ------------------------------------------------------------------------------------


def test_a_preview_is_confirmed_once_replaying_it_duplicates_nothing(app, client, auth):
    """Posting the same signed preview twice duplicated the rows without an e-mail."""
    auth.login_as("manager")
    preview = _upload(auth, WITHOUT_EMAIL)
    assert preview.status_code == 200
    fields = _confirm_fields(preview.get_data(as_text=True))

    first = auth.post("/members/import/confirm", fields)
    assert first.status_code == 302 and first.headers["Location"].endswith("/members")
    replayed = auth.post("/members/import/confirm", fields, follow_redirects=True)

    assert "Cet import a déjà été confirmé." in replayed.get_data(as_text=True)
    with app.app_context():
        assert _count(Member) == 3
        assert db.session.scalar(select(func.count()).where(Member.last_name == "SansMail")) == 2
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("member.import") == 1


def test_the_confirm_form_carries_an_id_not_the_file(app, client, auth):
    """The whole file went base64 in a hidden field: a 10 MB file made a 13 MB form."""
    auth.login_as("manager")
    data = members_valid_rows(3_000)  # 250 KB
    response = _upload(auth, data)
    fields = _confirm_fields(response.get_data(as_text=True))
    assert sum(len(value) for value in fields.values()) < 100
    assert len(response.get_data()) < 30_000
    with app.app_context():
        stored = db.session.scalars(select(MemberImportPreview)).one()
        assert stored.data == data and stored.confirmed_at is None


def test_a_preview_is_confirmed_only_by_its_author_and_within_the_hour(app, client, auth):
    auth.login_as("manager")
    fields = _confirm_fields(_upload(auth, WITHOUT_EMAIL).get_data(as_text=True))
    auth.logout()
    auth.login_as("manager")  # another manager
    other = auth.post("/members/import/confirm", fields, follow_redirects=True)
    assert "Aperçu invalide : envoyez le fichier à nouveau." in other.get_data(as_text=True)
    fields = _confirm_fields(_upload(auth, WITHOUT_EMAIL).get_data(as_text=True))
    with app.app_context():
        db.session.execute(
            update(MemberImportPreview).values(created_at=utcnow() - dt.timedelta(minutes=61))
        )
        db.session.commit()
    expired = auth.post("/members/import/confirm", fields, follow_redirects=True)
    assert "L&#39;aperçu a expiré" in expired.get_data(as_text=True)
    unknown = auth.post("/members/import/confirm", {"preview": "x" * 43}, follow_redirects=True)
    assert "Aperçu invalide" in unknown.get_data(as_text=True)
    with app.app_context():
        assert _count(Member) == 0


def test_a_confirmation_racing_another_is_refused_by_the_write_itself(app_ctx):
    """Both confirmations may pass the early check; the conditional UPDATE lets one through."""
    user = factories.make_user()
    preview = imports.save_import_preview(WITHOUT_EMAIL, user.id)
    db.session.commit()
    preview_id = preview.id
    parsed = parse_members_csv(imports.import_preview_data(preview_id, user.id))
    db.session.rollback()
    with db.engine.begin() as other:  # the other request confirms first
        other.execute(
            update(MemberImportPreview)
            .where(MemberImportPreview.id == preview_id)
            .values(confirmed_at=utcnow(), data=None)
        )
    with pytest.raises(imports.ImportPreviewError, match="déjà été confirmé"):
        imports.confirm_import_preview(preview_id, user.id)
        imports.import_members(parsed)
    db.session.rollback()
    assert _count(Member) == 0


def test_old_previews_are_cleaned_up_and_pending_ones_bounded_per_user(app_ctx):
    user, other = factories.make_user(), factories.make_user()
    now = utcnow()
    ages = {"fresh": 0, "expired": 2, "confirmed-recently": 24 * 3, "confirmed-long-ago": 24 * 40}
    for name, hours in ages.items():
        db.session.add(
            MemberImportPreview(
                id=name,
                sha256="0" * 64,
                data=None if name.startswith("confirmed") else b"x",
                created_by=other.id,
                created_at=now - dt.timedelta(hours=hours),
                confirmed_at=now if name.startswith("confirmed") else None,
            )
        )
    db.session.commit()
    for _ in range(imports.PENDING_PREVIEWS_PER_USER + 2):
        latest = imports.save_import_preview(b"Nom\r\nX\r\n", user.id)
    db.session.commit()

    kept = set(db.session.scalars(select(MemberImportPreview.id)))
    assert kept & set(ages) == {"fresh", "confirmed-recently"}
    mine = db.session.scalars(
        select(MemberImportPreview.id).where(MemberImportPreview.created_by == user.id)
    ).all()
    assert len(mine) == imports.PENDING_PREVIEWS_PER_USER and latest.id in mine


def test_sending_a_file_already_imported_warns_before_confirming(app, client, auth):
    auth.login_as("manager")
    fields = _confirm_fields(_upload(auth, WITHOUT_EMAIL).get_data(as_text=True))
    assert auth.post("/members/import/confirm", fields).status_code == 302
    again = _upload(auth, WITHOUT_EMAIL).get_data(as_text=True)
    assert "Ce fichier a déjà été importé le" in again
    assert "membres en double" in again


def test_a_member_saved_during_the_confirmation_rolls_it_all_back_and_it_can_be_retried(
    app, client, auth, monkeypatch
):
    """PostgreSQL lets another request save a member with the same e-mail meanwhile."""
    auth.login_as("manager")
    fields = _confirm_fields(_upload(auth, WITHOUT_EMAIL).get_data(as_text=True))
    with app.app_context():
        make_member(email="chloe@example.org", first_name="Déjà là")
        db.session.commit()
    with monkeypatch.context() as patch:  # the e-mail lookup ran before the other member came
        patch.setattr(imports, "_members_by_email", lambda emails, *names: {})
        clash = auth.post("/members/import/confirm", fields, follow_redirects=True)
    assert "rien n&#39;a été écrit, réessayez" in clash.get_data(as_text=True)
    with app.app_context():
        assert _count(Member) == 1
    retried = auth.post("/members/import/confirm", fields)
    assert retried.status_code == 302
    with app.app_context():
        assert _count(Member) == 3


# --- the write lock ----------------------------------------------------------------------------


def _other_writer_can_write(path: str) -> bool:
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


@pytest.fixture
def sqlite_app(tmp_path):
    """The application on SQLite, whatever the backend of the run: its write lock is the point."""
    instance = tmp_path / "instance"
    application = make_app(f"sqlite:///{instance / 'lock.sqlite3'}", instance)
    with application.app_context():
        db.create_all()
    yield application, str(instance / "lock.sqlite3")
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_preview_and_confirm_parse_without_the_write_lock_and_preview_writes_no_member(
    sqlite_app, monkeypatch
):
    """The preview ran the whole import under the write lock (25-32 s for 50,000 rows)."""
    app, path = sqlite_app
    client = app.test_client()
    auth = AuthActions(app, client)
    auth.login_as("manager")
    with app.app_context():
        make_member(email="membre3@example.org", first_name="Ancien")
        db.session.commit()
        engine = db.engine
    lock_free_while_parsing: list[bool] = []
    real_parse = import_views.parse_members_csv

    def parse_and_look(data: bytes, **kwargs):
        lock_free_while_parsing.append(_other_writer_can_write(path))
        return real_parse(data, **kwargs)

    monkeypatch.setattr(import_views, "parse_members_csv", parse_and_look)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()).upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = _upload(auth, members_valid_rows(1_200))
        preview_statements = list(statements)
        statements.clear()
        confirmed = auth.post(
            "/members/import/confirm", _confirm_fields(response.get_data(as_text=True))
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert response.status_code == 200 and confirmed.status_code == 302
    assert lock_free_while_parsing == [True, True]  # at the preview, at the confirmation
    assert not [
        s for s in preview_statements if s.startswith(("INSERT INTO MEMBER ", "UPDATE MEMBER "))
    ]
    member_inserts = [s for s in statements if s.startswith("INSERT INTO MEMBER ")]
    assert len(member_inserts) == 1  # one executemany for 1,199 new members
    with app.app_context():
        assert _count(Member) == 1_200
        assert (
            db.session.scalar(
                select(Member.first_name).where(Member.email == "membre3@example.org")
            )
            == "Prénom3"
        )


def test_report_of_a_preview_matches_what_the_confirmation_does(sqlite_app):
    app, _path = sqlite_app
    client = app.test_client()
    auth = AuthActions(app, client)
    auth.login_as("manager")
    with app.app_context():
        for n in (0, 1):
            make_member(email=f"membre{n}@example.org")
        db.session.commit()
    body = _upload(auth, members_valid_rows(5)).get_data(as_text=True)
    figures = re.findall(r'<span class="figure__value">(\d+)</span>', body)
    assert figures == ["3", "2"]
    done = auth.post("/members/import/confirm", _confirm_fields(body), follow_redirects=True)
    assert "Import terminé : 3 membres créés, 2 mis à jour." in done.get_data(as_text=True)


# --- what the bulk import writes ----------------------------------------------------------------


def test_bulk_import_keeps_blank_cells_and_consent_dates_and_skips_unchanged_members(app_ctx):
    given = dt.datetime(2023, 5, 1, 10, tzinfo=dt.UTC)
    member = make_member(
        email="anne@example.org", phone="06 00 00 00 00", organisation="Avant", notes="garde"
    )
    member.consent_data_at = member.consent_photos_at = given
    db.session.commit()
    member_id = member.id
    data = (
        "Nom;Prénom;E-mail;Structure;Consentement RGPD;Droit à l'image;Newsletter\r\n"
        "Nouveau;Anne;ANNE@example.org;Après;oui;non;oui\r\n"
        "Neuve;Zoé;;;;;\r\n"
    ).encode()

    report = imports.import_members(parse_members_csv(data))
    db.session.commit()

    assert (report.created, report.updated) == (1, 1)
    anne = db.session.get(Member, member_id)
    assert (anne.last_name, anne.organisation) == ("Nouveau", "Après")
    assert (anne.phone, anne.notes) == ("06 00 00 00 00", "garde")  # blank cells keep
    assert anne.consent_data_at == given  # a consent already given keeps its date
    assert anne.consent_photos_at is None  # withdrawn
    assert anne.consent_newsletter_at is not None  # newly given
    assert anne.search_text == services.member_search_text(anne)
    assert anne.sort_name == services.derived_columns(anne)["sort_name"]
    zoe = db.session.scalar(select(Member).where(Member.first_name == "Zoé"))
    assert (zoe.profession_category, zoe.joined_on) == ("autre", today())
    assert zoe.search_text == "zoe neuve" and zoe.created_at is not None
    assert zoe.sort_name == "neuve zoe"
    updated_at = anne.updated_at

    again = imports.import_members(parse_members_csv(data))
    db.session.commit()
    db.session.expire_all()
    assert (again.created, again.updated) == (1, 1)  # the row without an e-mail, again
    assert db.session.get(Member, member_id).updated_at == updated_at  # nothing to write


# --- the refusal in the user's language -------------------------------------------------------


def test_refusal_is_shown_in_english_to_an_english_user(app, client, auth):
    auth.login_as("manager")
    auth.post("/language", {"lang": "en", "next": "/"})
    data = (
        "Nom;Prénom;E-mail;Date d'adhésion;Date de départ\r\n"
        "Martin;Zoé;pas-un-mail;01/02/2024;\r\n"
        "Durand;Léo;leo@example.org;05/03/2024;01/03/2024\r\n"
    ).encode()

    response = _upload(auth, data)

    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Import refused: nothing was written." in body
    assert "Line 2, column “E-mail”: Invalid e-mail address “pas-un-mail”." in body
    assert (
        "Line 3, column “Date de départ”: The leaving date (March 1, 2024) is before the "
        "joining date (March 5, 2024)." in body
    )
    assert "invalide" not in body and "Ligne" not in body
    with app.app_context():
        assert _count(Member) == 0


def test_whole_file_refusal_is_shown_in_english(app, client, auth):
    auth.login_as("manager")
    auth.post("/language", {"lang": "en", "next": "/"})

    response = _upload(auth, b"PK\x03\x04\x14\x00\x06\x00rest of a workbook", "membres.xlsx")

    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "This file is an Excel workbook (.xlsx), an OpenDocument file or a ZIP archive" in body
    assert "“CSV UTF-8 (Comma delimited)”" in body
    assert "pas un fichier CSV" not in body
