"""API tokens: the admin page (create once-shown, revoke, last use) and the create-token command."""

from __future__ import annotations

import re

from sqlalchemy import select

from coworking.auth import services
from coworking.auth.models import ApiToken
from coworking.extensions import db


def test_token_page_creates_shows_once_and_revokes(app, client, auth):
    auth.login_as("admin")
    assert client.get("/admin/tokens").status_code == 200
    response = auth.post("/admin/tokens", {"name": "Borne accueil", "role": "manager"})
    assert response.status_code == 200
    clear = re.search(r"(cw_[A-Za-z0-9_-]{20,})", response.get_data(as_text=True)).group(1)
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert clear not in listing and "Borne accueil" in listing and "jamais" in listing
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash != clear and services.find_active_token(clear).id == token.id
        token_id = token.id
    assert auth.post("/admin/tokens", {"name": "", "role": "manager"}).status_code == 400
    assert auth.post("/admin/tokens", {"name": "x", "role": "admin"}).status_code == 400
    assert auth.post(f"/admin/tokens/{token_id}/revoke", {}).status_code == 302
    with app.app_context():
        assert services.find_active_token(clear) is None


def test_tokens_page_is_for_admins(app, client, auth):
    auth.login_as("manager")
    assert client.get("/admin/tokens").status_code == 403


def test_create_token_command_prints_the_token_last(app, runner):
    result = runner.invoke(args=["create-token", "--name", "Kiosque", "--role", "viewer"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip().splitlines()[-1]
    with app.app_context():
        token = services.find_active_token(clear)
        assert token is not None and token.role == "viewer"
    bad = runner.invoke(args=["create-token", "--name", "X", "--role", "admin"])
    assert bad.exit_code != 0 and "gestionnaire ou lecteur" in bad.output
