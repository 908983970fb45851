"""Members CSV import (CLI and upload with preview), CSV export, GDPR export and erasure, retention."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import func, select

from coworking.audit.models import AuditEntry
from coworking.community.personal_data import ERASED_OUTCOME_TITLE
from coworking.extensions import db
from coworking.members import services
from coworking.members.models import Member
from coworking.space.models import CheckIn
from tests.factories import make_check_in, make_event, make_member
from tests.hostile_csv import members_extreme_dates, members_invalid_rows

CP1252_SEMICOLON = (
    "Nom;Prénom;Courriel;Métier;Date d'adhésion\r\n"
    "Lefèvre;Noëlle;noelle@example.org;graphiste;05/03/2023\r\n"
    "Dupré;Éric;eric@example.org;développeur;2023-04-01\r\n"
).encode("cp1252")
UTF8_BOM_COMMA = (
    "\ufefffirst name,last name,e-mail,company,member since\r\n"
    "Zoë,Œuvray,zoe@example.org,Café Numérique,01/02/24\r\n"
).encode()
BAD_FILE = (
    "Nom;Prénom;E-mail;Date d'adhésion\n"
    "Martin;Paul;pas-un-mail;01/01/2023\n"
    ";;;\n"
    "Durand;Anne;anne@example.org;31/02/2023\n"
).encode()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_cli_dialects_dry_run_and_idempotence(app, runner, tmp_path):
    first = tmp_path / "adherents.csv"
    first.write_bytes(CP1252_SEMICOLON)
    dry = runner.invoke(args=["import-members", str(first), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 membres seraient créés" in dry.output
    with app.app_context():
        assert _count(Member) == 0
    done = runner.invoke(args=["import-members", str(first)])
    assert done.exit_code == 0 and "2 membres sont créés" in done.output
    again = runner.invoke(args=["import-members", str(first)])
    assert "0 membres sont créés, 2 sont mis à jour" in again.output
    second = tmp_path / "sheets.csv"
    second.write_bytes(UTF8_BOM_COMMA)
    assert runner.invoke(args=["import-members", str(second)]).exit_code == 0
    with app.app_context():
        assert _count(Member) == 3
        noelle = db.session.scalar(select(Member).where(Member.email == "noelle@example.org"))
        assert noelle.first_name == "Noëlle" and noelle.joined_on == dt.date(2023, 3, 5)
        assert noelle.profession_category == "web"
        zoe = db.session.scalar(select(Member).where(Member.email == "zoe@example.org"))
        assert zoe.organisation == "Café Numérique" and zoe.joined_on == dt.date(2024, 2, 1)
        assert "oeuvray" in zoe.search_text


def test_import_cli_refuses_a_bad_file_listing_rows(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_FILE)
    result = runner.invoke(args=["import-members", str(bad)])
    assert result.exit_code != 0
    assert "Ligne 2" in result.output and "Ligne 4" in result.output
    assert "rien n'a été écrit" in result.output
    missing = runner.invoke(args=["import-members", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "introuvable" in missing.output
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert runner.invoke(args=["import-members", str(binary)]).exit_code != 0
    with app.app_context():
        assert _count(Member) == 0


def test_upload_preview_then_confirm(app, client, auth):
    from io import BytesIO

    auth.login_as("manager")
    preview = auth.post(
        "/members/import",
        {"file": (BytesIO(CP1252_SEMICOLON), "adherents.csv")},
        token_from="/members/import",
        content_type="multipart/form-data",
    )
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Noëlle" in body and "Confirmer" in body
    with app.app_context():
        assert _count(Member) == 0
    payload = re.search(r'name="preview" type="hidden" value="([^"]+)"', body).group(1)
    tampered = auth.post("/members/import/confirm", {"preview": payload[:-3] + "xyz"})
    assert tampered.status_code == 302
    with app.app_context():
        assert _count(Member) == 0
    confirmed = auth.post("/members/import/confirm", {"preview": payload})
    assert confirmed.status_code == 302
    with app.app_context():
        assert _count(Member) == 2
    refused = auth.post(
        "/members/import",
        {"file": (BytesIO(BAD_FILE), "bad.csv")},
        token_from="/members/import",
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "Ligne 4" in refused.get_data(as_text=True)
    empty = auth.post(
        "/members/import",
        {"file": (BytesIO(b""), "empty.csv")},
        token_from="/members/import",
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400
    app.config["COWORKING_MAX_UPLOAD_BYTES"] = 100
    big = auth.post(
        "/members/import",
        {"file": (BytesIO(b"Nom\n" + b"x\n" * 100), "big.csv")},
        token_from="/members/import",
        content_type="multipart/form-data",
    )
    assert big.status_code == 400 and "trop volumineux" in big.get_data(as_text=True)


def _upload(auth, data: bytes, filename: str = "membres.csv"):
    from io import BytesIO

    return auth.post(
        "/members/import",
        {"file": (BytesIO(data), filename)},
        token_from="/members/import",
        content_type="multipart/form-data",
    )


def test_refused_file_shows_the_first_100_errors_and_a_count_of_the_rest(app, client, auth):
    """A file of invalid rows rendered every error: 50,000 rows made a 60 MB page."""
    auth.login_as("manager")
    response = _upload(auth, members_invalid_rows(2_000))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    listed = re.search(r'<ul class="import-errors">(.*?)</ul>', body, re.S).group(1)
    assert listed.count("<li>") == 100
    assert re.search(r"… et 17\s900 autres erreurs\.", body)  # 18,000 errors in all
    assert len(response.get_data()) < 60_000  # was 2.7 MB for these 2,000 rows
    with app.app_context():
        assert _count(Member) == 0


def test_cli_lists_the_first_100_errors_and_a_count_of_the_rest(app, runner, tmp_path):
    csv_file = tmp_path / "invalid.csv"
    csv_file.write_bytes(members_invalid_rows(200))
    result = runner.invoke(args=["import-members", str(csv_file)])
    assert result.exit_code != 0
    assert result.output.count("Ligne ") == 100
    assert "… et 1\u202f700 autres erreurs." in result.output


def test_dates_of_year_1_or_9999_refuse_the_import_naming_row_and_column(
    app, client, auth, runner, tmp_path
):
    """Year 1 and year 9999 were imported as they were; the import is refused, never a 500."""
    from io import BytesIO

    auth.login_as("manager")
    refused = auth.post(
        "/members/import",
        {"file": (BytesIO(members_extreme_dates()), "dates.csv")},
        token_from="/members/import",
        content_type="multipart/form-data",
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Ligne 2, colonne « Date d&#39;adhésion » : Date « 01/01/0001 » refusée" in body
    assert "Ligne 3, colonne « Date de départ » : Date « 31/12/9999 » refusée" in body
    csv_file = tmp_path / "dates.csv"
    csv_file.write_bytes(members_extreme_dates())
    result = runner.invoke(args=["import-members", str(csv_file)])
    assert result.exit_code != 0 and "Ligne 4, colonne « Date d'adhésion »" in result.output
    with app.app_context():
        assert _count(Member) == 0


def test_export_csv_bom_semicolon_formulas_and_filters(app, client, auth):
    auth.login_as("manager")
    with app.app_context():
        make_member(first_name="Noëlle", last_name="=HYPERLINK(1)", organisation="+33 Café")
        make_member(first_name="Paul", last_name="Left", left_on=dt.date(2024, 1, 1))
        member = make_member(first_name="Consent", last_name="Given")
        member.consent_data_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        db.session.commit()
    response = client.get("/members/export.csv?status=current")
    data = response.get_data()
    assert response.mimetype == "text/csv"
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.split(";")[:3] == ["Nom", "Prénom", "E-mail"]
    assert "'=HYPERLINK(1)" in text and "'+33 Café" in text and "Noëlle" in text
    assert "Left" not in text
    consent_row = next(row for row in rows if "Given" in row)
    assert ";oui;non;non;" in consent_row


def test_full_export_needs_a_manager_as_the_per_member_gdpr_export_does(app, client, auth):
    """A viewer downloaded every member's e-mail, phone and notes; now refused, button hidden."""
    with app.app_context():
        make_member(email="secret@example.org", notes="confidentiel")
        db.session.commit()
    auth.login_as("viewer")
    refused = client.get("/members/export.csv")
    assert refused.status_code == 403
    assert b"secret@example.org" not in refused.get_data()
    assert "members/export.csv" not in client.get("/members").get_data(as_text=True)
    auth.logout()
    auth.login_as("manager")
    assert "members/export.csv" in client.get("/members").get_data(as_text=True)
    response = client.get("/members/export.csv")
    assert response.status_code == 200 and b"secret@example.org" in response.get_data()


def test_gdpr_export_command_and_button(app, runner, client, auth):
    with app.app_context():
        member = make_member(first_name="Inès", email="ines@example.org", twitter="ines_a")
        make_check_in(member, day=dt.date(2024, 3, 1))
        db.session.commit()
        member_id = member.id
    result = runner.invoke(args=["export-member", "ines@example.org"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["profile"]["first_name"] == "Inès"
    assert data["visits"] == [
        {"day": "2024-03-01", "duration": "full", "recorded_at": data["visits"][0]["recorded_at"]}
    ]
    assert set(data) >= {"consents", "memberships", "attendances", "outcomes", "mentions"}
    assert runner.invoke(args=["export-member", "999"]).exit_code != 0
    auth.login_as("manager")
    response = client.get(f"/members/{member_id}/export.json")
    assert response.status_code == 200 and response.get_json()["profile"]["id"] == member_id


def test_erase_keeps_counts_and_leaves_no_bytes(app, runner, client, auth):
    from coworking.community import services as community
    from coworking.community.models import Mention, Outcome
    from coworking.events import attendance as roll
    from coworking.events.models import Attendance
    from coworking.space import checkins

    with app.app_context():
        member = services.create_member(
            first_name="Gwendoline",
            last_name="Quimperlé",
            email="gwendoline.q@example.org",
            twitter="gwenq_angers",
            mastodon="@gwenq@mastodon.example",
            phone="06 12 34 56 78",
            profession_category="photographe",
            notes="Aime le café",
            consents={"data": True},
        )
        db.session.add(
            Mention(
                platform="twitter",
                external_id="1",
                author="gwenq_angers",
                posted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                text="Au #twapero ce soir — Gwendoline",
                url="https://twitter.com/gwenq_angers/status/1",
            )
        )
        db.session.add(
            Mention(
                platform="mastodon",
                external_id="https://mastodon.example/@gwenq/222",
                author="@gwenq@mastodon.example",
                posted_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
                url="https://mastodon.example/@gwenq/222",
            )
        )
        event = make_event(title="Atelier photo")
        roll.add_member(event, member, attended=True)
        roll.add_guest(event, "gwendoline QUIMPERLÉ (invitée avant adhésion)")
        roll.add_guest(event, "Anne Autre")
        checkins.check_in_visitor("Gwendoline Quimperlé", day=dt.date(2023, 12, 1))
        community.save_outcome(
            None,
            {
                "kind": "emploi",
                "title": "CDI de Gwendoline chez ACME",
                "description": "Gwendoline a trouvé un emploi",
                "happened_on": dt.date(2024, 2, 1),
                "member_ids": [member.id],
                "testimonial": "Super lieu, merci !",
                "testimonial_author": "Gwendoline Q.",
                "consent": True,
                "consent_on": dt.date(2024, 2, 1),
            },
        )
        for offset in range(3):
            make_check_in(member, day=dt.date(2024, 1, 1) + dt.timedelta(days=offset))
        services.update_member(member, last_name="Quimperlé")
        db.session.commit()
        member_id = member.id
        database_file = db.engine.url.database if db.engine.dialect.name == "sqlite" else None
    result = runner.invoke(args=["erase-member", str(member_id), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member.erased_at is not None and member.email is None and member.first_name == ""
        assert member.profession_category == "photographe"
        assert _count(CheckIn) == 4 and _count(Mention) == 2 and _count(Attendance) == 3
        summaries = db.session.scalars(select(AuditEntry.summary)).all()
        assert not any("Gwendoline" in summary for summary in summaries)
        assert not any("QUIMPERL" in summary.upper() for summary in summaries)
        assert "Anne Autre · Atelier photo" in summaries  # other people's entries stay
        for mention in db.session.scalars(select(Mention)):
            assert (mention.author, mention.url, mention.text) == ("", None, "")
            assert mention.author_erased and "gwenq" not in mention.external_id
        outcome = db.session.scalar(select(Outcome))
        assert outcome.title == ERASED_OUTCOME_TITLE and outcome.description == ""
        assert outcome.testimonial is None and outcome.testimonial_author is None
        assert outcome.consent_publish_at is None and outcome.kind == "emploi"
        guests = sorted(
            str(name) for name in db.session.scalars(select(Attendance.guest_name)).all()
        )
        assert guests == ["Anne Autre", "None", "None"]
        assert (
            db.session.scalar(select(CheckIn.visitor_name).where(CheckIn.member_id.is_(None)))
            is None
        )
    if database_file:  # SQLite: the erased values are in neither the file nor its WAL
        from pathlib import Path

        raw = Path(database_file).read_bytes()
        wal = Path(database_file + "-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        secrets = (b"Gwendoline", b"gwendoline", b"gwendoline.q@example.org", b"gwenq", b"Quimperl")
        for secret in (*secrets, "QUIMPERLÉ".encode(), b"Super lieu"):
            assert secret not in raw, secret
    auth.login_as("viewer")
    page = client.get(f"/members/{member_id}").get_data(as_text=True)
    assert "Membre effacé" in page
    again = runner.invoke(args=["erase-member", str(member_id), "--yes"])
    assert "déjà effacé" in again.output


def test_erase_button_needs_admin_and_confirmation(app, client, auth):
    with app.app_context():
        member_id = make_member(first_name="Hugo").id
        db.session.commit()
    auth.login_as("manager")
    assert client.get(f"/members/{member_id}/erase").status_code == 403
    auth.login_as("admin")
    unconfirmed = auth.post(f"/members/{member_id}/erase", {})
    assert unconfirmed.status_code == 400
    confirmed = auth.post(f"/members/{member_id}/erase", {"confirm": "yes"})
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.get(Member, member_id).erased_at is not None


def test_retention_lists_then_erases(app, client, auth):
    auth.login_as("admin")
    today = services.today()
    with app.app_context():
        old = make_member(
            first_name="Ancien",
            joined_on=dt.date(2010, 1, 1),
            left_on=today - dt.timedelta(days=4 * 366),
        )
        recent = make_member(first_name="Récent", left_on=today - dt.timedelta(days=30))
        db.session.commit()
        old_id, recent_id = old.id, recent.id
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "Ancien" in page and "Récent" not in page
    assert auth.post("/admin/retention", {"years": "0"}).status_code == 400
    assert auth.post("/admin/retention", {"years": "5"}).status_code == 302
    assert "Ancien" not in client.get("/admin/retention").get_data(as_text=True)
    auth.post("/admin/retention", {"years": "3"})
    response = auth.post(
        "/admin/retention/erase", {"confirm": "yes", "member_id": [str(old_id), str(recent_id)]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Member, old_id).erased_at is not None
        assert db.session.get(Member, recent_id).erased_at is None
