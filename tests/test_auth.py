"""Accounts: login, logout, throttling, sessions, user administration, create-user."""

from __future__ import annotations

from sqlalchemy import select

from coworking.audit.models import AuditEntry
from coworking.auth import services
from coworking.auth.models import User
from coworking.auth.passwords import hash_password, verify_password
from coworking.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def test_login_page_is_french(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in body
    assert "Connexion" in body and "Mot de passe" in body


def test_login_case_insensitive_email_and_logout(client, auth):
    auth.create("manager", email="Claire.Dupont@Example.org")
    response = auth.login("CLAIRE.DUPONT@example.ORG")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_needs_post(client, auth):
    auth.login_as("viewer")
    assert client.get("/logout").status_code == 405


def test_wrong_password_and_unknown_email_say_the_same(client, auth):
    email = auth.create("viewer")[1]
    wrong = auth.login(email, "not the right password")
    unknown = auth.login("nobody@example.org", "not the right password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_empty_login_fields_are_named(client):
    token = csrf_token(client)
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Saisissez votre adresse e-mail." in body
    assert "Saisissez votre mot de passe." in body


def test_next_only_accepts_local_paths(client, auth):
    email = auth.create("viewer")[1]
    for target, expected in [
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        client.get("/")  # fresh anonymous page
        token = csrf_token(client, "/login")
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
        auth.logout()


def test_login_renews_the_session(client, auth):
    email = auth.create("viewer")[1]
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_remember_me_lasts_at_most_30_days(client, auth):
    email = auth.create("viewer")[1]
    response = auth.login(email, remember=True)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("coworking_remember=")
    )
    assert "Expires=" in cookie
    from datetime import UTC, datetime, timedelta
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - datetime.now(UTC) <= timedelta(days=30, minutes=1)


def test_throttling_after_ten_failures_per_account(client, auth):
    email = auth.create("viewer")[1]
    for _ in range(10):
        assert auth.login(email, "wrong password!!").status_code == 401
    response = auth.login(email, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_throttling_after_ten_failures_per_address(client, auth):
    for number in range(10):
        assert auth.login(f"someone{number}@example.org", "wrong password!!").status_code == 401
    email = auth.create("viewer")[1]
    assert auth.login(email, PASSWORD).status_code == 429


def test_successful_logins_are_not_counted(client, auth):
    email = auth.create("viewer")[1]
    for _ in range(12):
        assert auth.login(email).status_code == 302
        auth.logout()


def test_deactivated_user_sessions_stop_working(app, client, auth):
    user_id, email = auth.create("manager")
    auth.login(email)
    assert client.get("/").status_code == 200
    with app.app_context():
        services.set_active(db.session.get(User, user_id), False)
        db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login(email).status_code == 401


def test_password_reset_ends_other_sessions(app, client, auth):
    user_id, email = auth.create("manager")
    auth.login(email)
    with app.app_context():
        services.reset_password(db.session.get(User, user_id), "a brand new passphrase")
        db.session.commit()
    assert client.get("/").status_code == 302


def test_admin_creates_changes_deactivates_and_resets(app, client, auth):
    auth.login_as("admin")
    response = auth.post(
        "/admin/users",
        {
            "email": "New.Manager@example.org",
            "role": "manager",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = services.find_user_by_email("new.manager@example.org")
        assert user.role == "manager"
        user_id = user.id
    assert auth.post(f"/admin/users/{user_id}/role", {"role": "viewer"}).status_code == 302
    assert auth.post(f"/admin/users/{user_id}/active").status_code == 302
    new_password = "another long passphrase"
    assert (
        auth.post(
            f"/admin/users/{user_id}/password", {"password": new_password, "confirm": new_password}
        ).status_code
        == 302
    )
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role == "viewer" and not user.active
        assert verify_password(user.password_hash, new_password)
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["user.create", "user.role", "user.deactivate", "user.password_reset"]
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "user.password_reset" in page


def test_admin_form_errors_are_shown_next_to_fields(client, auth):
    admin_email = auth.login_as("admin")
    response = auth.post(
        "/admin/users",
        {"email": admin_email, "role": "manager", "password": "short", "confirm": "other"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "au moins 12 caractères" in body
    assert "Les deux mots de passe diffèrent." in body


def test_duplicate_email_is_refused(client, auth):
    admin_email = auth.login_as("admin")
    response = auth.post(
        "/admin/users",
        {
            "email": admin_email.upper(),
            "role": "manager",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "Un compte existe déjà" in response.get_data(as_text=True)


def test_last_admin_cannot_be_demoted(app, client, auth):
    auth.login_as("admin")
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.role == "admin")).one()
        admin_id = admin.id
    auth.post(f"/admin/users/{admin_id}/role", {"role": "viewer"})
    with app.app_context():
        assert db.session.get(User, admin_id).role == "admin"


def test_passwords_are_argon2id(app_ctx):
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")


def test_create_user_command(app, runner):
    result = runner.invoke(
        args=["create-user", "Chef@Example.org", "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.find_user_by_email("chef@example.org").role == "admin"


def test_create_user_command_refuses_bad_input(app, runner):
    cases = [
        (
            ["create-user", "a@example.org", "--role", "boss", "--password-stdin"],
            f"{PASSWORD}\n",
            "Rôle inconnu",
        ),
        (
            ["create-user", "a@example.org", "--role", "admin", "--password-stdin"],
            "short\n",
            "12 caractères",
        ),
        (
            ["create-user", "a@example.org", "--role", "admin", "--password-stdin"],
            f"{PASSWORD}\nother\n",
            "diffèrent",
        ),
        (
            ["create-user", "not-an-email", "--role", "admin", "--password-stdin"],
            f"{PASSWORD}\n",
            "invalide",
        ),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code != 0
        assert message in result.output
    runner.invoke(
        args=["create-user", "dup@example.org", "--role", "viewer", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    result = runner.invoke(
        args=["create-user", "DUP@example.org", "--role", "viewer", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code != 0 and "existe déjà" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 1
