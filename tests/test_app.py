"""The factory, configuration, health check and language."""

from __future__ import annotations

import os

from sqlalchemy import text

from coworking import create_app
from coworking.extensions import db
from tests.conftest import csrf_token


def test_config_from_test_config(app):
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fr"


def test_default_database_is_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("COWORKING_DATABASE_URL", raising=False)
    monkeypatch.delenv("COWORKING_SECRET_KEY", raising=False)
    application = create_app()
    assert (
        application.config["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'coworking.sqlite3'}"
    )
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert application.config["SECRET_KEY"] == key_file.read_text().strip()
    assert create_app().config["SECRET_KEY"] == application.config["SECRET_KEY"]
    with application.app_context():
        pragmas = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "secure_delete")
        }
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["busy_timeout"] >= 5000
    assert pragmas["secure_delete"] == 1


def test_secret_key_and_database_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("COWORKING_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("COWORKING_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    application = create_app()
    assert application.config["SECRET_KEY"] == "from-the-environment"
    assert application.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert not (tmp_path / "secret_key").exists()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path, monkeypatch):
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        }
    )
    response = application.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "error"


def test_switch_to_english_is_remembered_per_user(app, client, auth):
    email = auth.login_as("viewer")
    token = csrf_token(client, "/")
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 302
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in body and "Dashboard" in body
    auth.logout()
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, other).login(email)
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


def test_anonymous_language_choice(client):
    token = csrf_token(client, "/login")
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in body and "Log in" in body
    client.post("/language", data={"lang": "xx", "csrf_token": csrf_token(client, "/login")})
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_instance_path_env_is_respected(tmp_path, monkeypatch):
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path / "inst"))
    application = create_app({"SECRET_KEY": "x"})
    assert application.instance_path == str(tmp_path / "inst")
    assert os.path.isdir(application.instance_path)


def test_trusted_proxy_gives_the_client_address(tmp_path, monkeypatch):
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("COWORKING_TRUSTED_PROXIES", "1")
    application = create_app({"SECRET_KEY": "x"})
    seen = {}

    @application.before_request
    def remember_address():
        from flask import request

        seen["address"] = request.remote_addr

    application.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["address"] == "203.0.113.7"


def test_wsgi_entry_point_builds_the_app_and_freezes_what_it_loaded(tmp_path):
    """`gunicorn coworking.wsgi:app` (make serve) gets the application; import-time objects are
    moved out of the garbage collector's full collections."""
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        COWORKING_INSTANCE_PATH=str(tmp_path),
        COWORKING_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
    )
    check = "import gc; from coworking.wsgi import app; print(app.name, gc.get_freeze_count() > 0)"
    result = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["coworking", "True"]


def test_instance_folder_and_sqlite_files_are_private_under_umask_022(tmp_path, monkeypatch):
    """The probe found the database created world-readable (644) under umask 022."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("COWORKING_DATABASE_URL", raising=False)
    previous = os.umask(0o022)
    try:
        application = create_app()
        with application.app_context():
            db.create_all()
            db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
            db.session.execute(text("INSERT INTO probe VALUES (1)"))
            db.session.commit()
            files = {
                name: oct((instance / name).stat().st_mode & 0o777)
                for name in ("coworking.sqlite3", "coworking.sqlite3-wal", "coworking.sqlite3-shm")
            }
            db.engine.dispose()
    finally:
        os.umask(previous)
    assert oct(instance.stat().st_mode & 0o777) == "0o700"
    assert files == dict.fromkeys(files, "0o600")


def test_an_older_world_readable_database_is_tightened(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    database = instance / "coworking.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("COWORKING_DATABASE_URL", raising=False)
    application = create_app()
    with application.app_context():
        db.engine.dispose()
    assert oct(instance.stat().st_mode & 0o777) == "0o700"
    assert oct(database.stat().st_mode & 0o777) == "0o600"
