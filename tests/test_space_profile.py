"""Space profile: SIRET key, profile pages for admins, board, assemblies, budget, logo."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from coworking.audit.models import AuditEntry
from coworking.documents.models import Document
from coworking.extensions import db
from coworking.space import profile as profiles
from coworking.space.models import BoardMember, BudgetLine, GeneralAssembly, SpaceProfile
from tests import hostile_files as hostile
from tests.factories import (
    make_board_member,
    make_budget_line,
    make_general_assembly,
    make_space_profile,
)
from tests.test_documents import post_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- SIRET --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "73282932000074",
        "732 829 320 00074",
        "732.829.320.00074",
        "35600000000048",  # La Poste's head office: passes Luhn
        "35600000049837",  # a La Poste establishment: digit sum divisible by 5, not Luhn
        "",
        None,
    ],
)
def test_valid_sirets(value):
    assert profiles.siret_problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("73282932000075", "clé de contrôle"),
        ("7328293200007", "14 chiffres"),
        ("732829320000741", "14 chiffres"),
        ("7328293200007A", "14 chiffres"),
        ("35600000012345", "clé de contrôle"),
    ],
)
def test_invalid_sirets(app_ctx, value, message):
    assert message in profiles.siret_problem(value)


def test_luhn_check_digit_completes_any_prefix():
    for prefix in ("7328293200007", "1234567890123", "0000000000000"):
        assert profiles.luhn_valid(prefix + profiles.luhn_check_digit(prefix))


# --- services -----------------------------------------------------------------------------


def test_profile_is_created_lazily_once(app_ctx):
    assert profiles.get_profile() is None
    first = profiles.get_or_create_profile()
    second = profiles.get_or_create_profile()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(SpaceProfile)) == 1


def test_update_profile_checks_siret_and_audits(app_ctx):
    profile = profiles.get_or_create_profile()
    with pytest.raises(profiles.ProfileError) as error:
        profiles.update_profile(profile, {"name": "Maine Labs", "siret": "73282932000075"})
    assert error.value.field == "siret"
    db.session.rollback()
    profile = profiles.get_or_create_profile()
    profiles.update_profile(
        profile,
        {
            "name": " Maine Labs ",
            "siret": "732 829 320 00074",
            "opening_hours": {"0": " 9h–19h ", "5": ""},
            "staff_fte": 1.5,
        },
    )
    assert profile.name == "Maine Labs"
    assert profile.siret == "73282932000074"
    assert profile.opening_hours["0"] == "9h–19h"
    assert profile.opening_hours["6"] == ""
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "space.profile.update"))
    assert entry is not None and "siret" in entry.summary


def test_budget_totals_per_year_by_source(app_ctx):
    make_budget_line(year=2024, source="subsidies", amount_cents=1_000_000)
    make_budget_line(year=2024, source="memberships", amount_cents=250_000)
    make_budget_line(year=2024, source="subsidies", amount_cents=500_000)
    make_budget_line(
        year=2024, direction="expense", category="Loyer", source=None, amount_cents=900_000
    )
    make_budget_line(year=2023, source="room_hire", amount_cents=10_000)
    totals = profiles.budget_totals()
    assert [t.year for t in totals] == [2024, 2023]
    y2024 = totals[0]
    assert y2024.income == 1_750_000
    assert y2024.expense == 900_000
    assert y2024.balance == 850_000
    assert y2024.by_source == {"subsidies": 1_500_000, "memberships": 250_000}


def test_budget_line_rules(app_ctx):
    with pytest.raises(profiles.ProfileError) as error:
        profiles.add_budget_line(2024, "income", "Subvention", None, 100)
    assert error.value.field == "source"
    with pytest.raises(profiles.ProfileError) as error:
        profiles.add_budget_line(2024, "gift", "X", None, 100)
    assert error.value.field == "direction"
    line = profiles.add_budget_line(2024, "expense", "Loyer", "subsidies", 100)
    assert line.source is None  # expenses have no income source


def test_board_and_assemblies(app_ctx):
    first = profiles.add_board_member("Claire Dupont", "Présidente")
    second = profiles.add_board_member("Yann Le Goff", "Trésorier")
    assert [m.id for m in profiles.board_members()] == [first.id, second.id]
    profiles.remove_board_member(first)
    assert [m.name for m in profiles.board_members()] == ["Yann Le Goff"]
    with pytest.raises(profiles.ProfileError):
        profiles.add_general_assembly(None, 10, 2)
    assembly = profiles.add_general_assembly(date(2024, 3, 21), 40, 12, " ")
    assert assembly.notes is None


# --- pages --------------------------------------------------------------------------------


def test_profile_page_is_for_admins_only(client, auth):
    auth.login_as("manager")
    assert client.get("/admin/space").status_code == 403
    response = auth.post("/admin/space", {"name": "Pirate"})
    assert response.status_code == 403


def test_viewer_cannot_change_the_profile(client, auth):
    auth.login_as("viewer")
    for path in ("/admin/space", "/admin/space/board", "/admin/space/budget"):
        assert auth.post(path, {"name": "x"}).status_code == 403


def test_admin_edits_the_profile(app, client, auth):
    auth.login_as("admin")
    page = client.get("/admin/space")
    assert page.status_code == 200
    assert "<h2>Profil de l'espace</h2>" in page.get_data(as_text=True)
    response = auth.post(
        "/admin/space",
        {
            "name": "Maine Labs",
            "legal_form": "Association loi 1901",
            "siret": "732 829 320 00074",
            "desks": "24",
            "hours_0": "9h–19h",
            "staff_fte": "1,5",
            "day_pass_offered": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        profile = profiles.get_profile()
        assert profile.siret == "73282932000074"
        assert profile.desks == 24
        assert profile.day_pass_offered is True
        assert profile.opening_hours["0"] == "9h–19h"
    body = client.get("/admin/space").get_data(as_text=True)
    assert 'value="73282932000074"' in body


def test_bad_siret_is_shown_next_to_the_field(app, client, auth):
    auth.login_as("admin")
    response = auth.post("/admin/space", {"name": "Maine Labs", "siret": "73282932000075"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="siret-errors"' in body and "clé de contrôle" in body
    with app.app_context():
        assert profiles.get_profile() is None


def test_missing_name_is_refused(client, auth):
    auth.login_as("admin")
    response = auth.post("/admin/space", {"name": ""})
    assert response.status_code == 400
    assert "Donnez le nom de l'espace." in response.get_data(as_text=True)


def test_board_add_and_remove_pages(app, client, auth):
    auth.login_as("admin")
    assert auth.post("/admin/space/board", {"name": "Claire", "role": ""}).status_code == 400
    response = auth.post("/admin/space/board", {"name": "Claire Dupont", "role": "Présidente"})
    assert response.status_code == 302
    with app.app_context():
        member_id = db.session.scalar(select(BoardMember.id))
    assert "Claire Dupont" in client.get("/admin/space").get_data(as_text=True)
    assert auth.post(f"/admin/space/board/{member_id}/delete").status_code == 302
    assert auth.post(f"/admin/space/board/{member_id}/delete").status_code == 404


def test_assembly_add_and_remove_pages(app, client, auth):
    auth.login_as("admin")
    response = auth.post(
        "/admin/space/assemblies",
        {"held_on": "2024-03-21", "members_present": "40", "members_represented": "12"},
    )
    assert response.status_code == 302
    with app.app_context():
        assembly = db.session.scalar(select(GeneralAssembly))
        assert (assembly.members_present, assembly.members_represented) == (40, 12)
        assembly_id = assembly.id
    assert "21 mars 2024" in client.get("/admin/space").get_data(as_text=True)
    assert auth.post(f"/admin/space/assemblies/{assembly_id}/delete").status_code == 302
    bad = auth.post("/admin/space/assemblies", {"held_on": "", "members_present": "-3"})
    assert bad.status_code == 400


def test_budget_pages_with_french_amounts(app, client, auth):
    auth.login_as("admin")
    data = {
        "year": "2024",
        "direction": "income",
        "category": "Subvention de la ville",
        "source": "subsidies",
        "amount": "12 000,50",
    }
    assert auth.post("/admin/space/budget", data).status_code == 302
    expense = {**data, "direction": "expense", "category": "Loyer", "source": "", "amount": "9000"}
    assert auth.post("/admin/space/budget", expense).status_code == 302
    with app.app_context():
        amounts = sorted(db.session.scalars(select(BudgetLine.amount_cents)))
        assert amounts == [900_000, 1_200_050]
    body = client.get("/admin/space").get_data(as_text=True)
    assert "Subventions" in body and "12\u202f000,50" in body.replace("\xa0", "\u202f")
    bad = auth.post("/admin/space/budget", {**data, "amount": "douze"})
    assert bad.status_code == 400
    assert "Montant invalide" in bad.get_data(as_text=True)
    no_source = auth.post("/admin/space/budget", {**data, "source": ""})
    assert no_source.status_code == 400
    assert "origine de la recette" in no_source.get_data(as_text=True)


def test_logo_upload_checks_content(app, client, auth):
    auth.login_as("admin")
    html = {"logo": (io.BytesIO(b"<html><script>x</script></html>"), "logo.png")}
    response = auth.post("/admin/space/logo", html, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "page web" in response.get_data(as_text=True)
    png = {"logo": (io.BytesIO(PNG), "logo.jpg")}
    response = auth.post("/admin/space/logo", png, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.kind == "logo"))
        assert document.content_type == "image/png" and document.filename == "logo.png"
    served = client.get("/space/logo")
    assert served.status_code == 200 and served.data == PNG
    assert served.mimetype == "image/png"
    again = {"logo": (io.BytesIO(PNG + b"x"), "second.png")}
    assert (
        auth.post("/admin/space/logo", again, content_type="multipart/form-data").status_code == 302
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1
    assert auth.post("/admin/space/logo/delete").status_code == 302
    assert client.get("/space/logo").status_code == 404


def test_logo_pixel_bomb_is_refused_with_its_size(app, client, auth):
    auth.login_as("admin")
    bomb = {"logo": (hostile.png_pixel_bomb(13_000, 13_000), "logo.png")}
    response = post_files(client, "/admin/space/logo", bomb, token_from="/admin/space")
    assert response.status_code == 400
    body = response.get_data(as_text=True).replace("\u202f", " ")
    assert "« logo.png » est refusé : 13 000 × 13 000 pixels" in body
    assert "50 millions au plus" in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_profile_page_query_count_is_flat(app, client, auth, count_queries):
    auth.login_as("admin")
    with app.app_context():
        make_space_profile()
        make_board_member()
        make_general_assembly()
        make_budget_line()
        db.session.commit()
    client.get("/admin/space")
    with count_queries() as small:
        client.get("/admin/space")
    with app.app_context():
        for index in range(15):
            make_board_member(name=f"Membre {index}")
            make_general_assembly(held_on=date(2010 + index, 3, 1))
            make_budget_line(year=2010 + index)
            make_budget_line(year=2010 + index, direction="expense", source=None)
        db.session.commit()
    with count_queries() as large:
        response = client.get("/admin/space")
    assert response.status_code == 200
    assert large.count == small.count
