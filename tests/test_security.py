"""The security baseline, proved over every endpoint that exists (now and later)."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

from coworking.roles import Role
from coworking.security import SAFE_METHODS, required_role
from tests.conftest import csrf_token

# The only endpoints reachable without a login (DESIGN.md, HTTP).
PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz",
    "auth.login",
    "auth.set_language",
    "events.calendar_feed",
    "events.api_events",
}
# State changes a viewer may make: their own session and language.
SELF_SERVICE_ENDPOINTS = {"auth.logout", "auth.set_language"}
ROLES = [Role.VIEWER, Role.MANAGER, Role.ADMIN]


def _sample_url(rule: Rule) -> str:
    values = {}
    for argument in rule.arguments:
        converter = rule._converters[argument]
        values[argument] = 1 if isinstance(converter, IntegerConverter) else "sample"
        if argument == "filename":
            values[argument] = "css/app.css"
    return rule.build(values)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_endpoint_declares_its_access(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


def test_only_the_listed_endpoints_are_public(app):
    public = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint == "static" or getattr(view, "access", "missing") is None
    }
    assert public <= PUBLIC_ENDPOINTS


def test_every_private_route_needs_a_login(app, client):
    token = csrf_token(client, "/login")
    checked = 0
    for rule, method in _routes(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _sample_url(rule)
        response = client.open(url, method=method, data={"csrf_token": token})
        checked += 1
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert response.is_json
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login"), (method, url)
    assert checked > 0


def test_admin_pages_are_for_admins_only(app):
    for rule, method in _routes(app):
        if rule.rule.startswith("/admin"):
            assert required_role(app.view_functions[rule.endpoint], method) == Role.ADMIN, rule


def test_viewers_change_nothing(app):
    for rule, method in _routes(app):
        if method in SAFE_METHODS or rule.endpoint in PUBLIC_ENDPOINTS | SELF_SERVICE_ENDPOINTS:
            continue
        needed = required_role(app.view_functions[rule.endpoint], method)
        assert needed in (Role.MANAGER, Role.ADMIN), (method, rule.rule)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_role_matrix_is_enforced_on_the_server(app, client, auth, role):
    """Every endpoint × role: refused with 403 exactly when the role is below what it needs."""
    auth.login_as(role.value)
    token = csrf_token(client, "/")
    for rule, method in _routes(app):
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint in SELF_SERVICE_ENDPOINTS:
            continue
        needed = required_role(app.view_functions[rule.endpoint], method)
        url = _sample_url(rule)
        allowed = role.allows(needed)
        if allowed and method not in SAFE_METHODS:
            continue  # allowed changes are exercised by each feature's own tests
        response = client.open(url, method=method, data={"csrf_token": token})
        if allowed:
            assert response.status_code not in (401, 403), (role, method, url)
            assert not (
                response.status_code == 302 and response.headers["Location"].startswith("/login")
            )
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


def test_post_without_csrf_token_is_refused(app, client, auth):
    auth.login_as("admin")
    response = client.post("/admin/users", data={"email": "x@example.org", "role": "viewer"})
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_login_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 400


def test_security_headers_on_every_response(client):
    for path in ("/login", "/healthz", "/does-not-exist", "/static/css/app.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
        response.close()


def test_session_cookie_flags(app, client, auth):
    email = auth.create("viewer")[1]
    response = auth.login(email, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("coworking_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP in tests; COWORKING_SECURE_COOKIES=1 adds it
    remember = next(c for c in cookies if c.startswith("coworking_remember="))
    assert "HttpOnly" in remember


def test_secure_cookies_flag(monkeypatch, tmp_path):
    monkeypatch.setenv("COWORKING_SECURE_COOKIES", "1")
    from tests.conftest import make_app

    application = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["REMEMBER_COOKIE_SECURE"] is True


def test_max_content_length_gives_a_french_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "a" * 5000})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_error_pages_are_french_without_stack_traces(app, client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page introuvable" in body and "Traceback" not in body


def test_unexpected_error_gives_a_500_page(app, tmp_path):
    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("secret detail")

    boom.access = Role.VIEWER
    app.add_url_rule("/boom-test", "boom_test", boom)
    from tests.conftest import AuthActions

    test_client = app.test_client()
    AuthActions(app, test_client).login_as("viewer")
    response = test_client.get("/boom-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Erreur interne" in body and "secret detail" not in body


def test_api_tokens_open_the_api_only(app, client):
    from coworking.auth import services
    from coworking.extensions import db

    with app.app_context():
        _token, clear = services.create_api_token("kiosque", "manager")
        db.session.commit()
    headers = {"Authorization": f"Bearer {clear}"}
    # Outside /api/ a token authenticates nothing: refused, no data.
    response = client.get("/members/export.csv", headers=headers)
    assert response.status_code == 401 and response.is_json
    response = client.post("/events/1/delete", headers=headers)
    assert response.status_code in (400, 401)


def test_nul_bytes_are_refused_with_the_field_named(client, auth):
    auth.login_as("manager")
    response = auth.post("/admin/users", {"email": "a\x00b@example.org"})
    assert response.status_code == 400
    assert "« email »" in response.get_data(as_text=True)
    response = client.post(
        "/api/v1/checkins", data='{"visitor_name": "Bob\\u0000"}', content_type="application/json"
    )
    assert response.status_code in (400, 401)


def test_huge_ids_and_odd_page_numbers_are_not_errors(client, auth):
    auth.login_as("admin")
    assert client.get("/admin/users/99999999999999999999/role").status_code in (404, 405)
    assert client.get("/admin/audit?page=²").status_code == 200
    assert client.get("/admin/audit?page=" + "9" * 40).status_code == 200
