"""Default settings, overridden by COWORKING_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def load_secret_key(instance_path: str) -> str:
    """Return COWORKING_SECRET_KEY, else a key generated once into the instance folder."""
    from_env = os.environ.get("COWORKING_SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two workers starting together must not write two different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def default_settings(instance_path: str) -> dict[str, object]:
    """Build the settings from the environment, with safe defaults."""
    database_url = os.environ.get("COWORKING_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "coworking.sqlite3")
    )
    redis_url = os.environ.get("COWORKING_REDIS_URL")
    secure_cookies = os.environ.get("COWORKING_SECURE_COOKIES", "0") == "1"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "COWORKING_REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": True,
        # Uploads (documents, CSV, iCal, archives): 10 MB a file, a little more a request.
        "COWORKING_MAX_UPLOAD_BYTES": int(
            os.environ.get("COWORKING_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
        ),
        "MAX_CONTENT_LENGTH": int(os.environ.get("COWORKING_MAX_CONTENT_LENGTH", 60 * 1024 * 1024)),
        # Social-media archives (a tweets.js can be big): streamed, checked whole, then
        # written in short batches; the import page accepts a request this big for them.
        "COWORKING_MAX_ARCHIVE_BYTES": int(
            os.environ.get("COWORKING_MAX_ARCHIVE_BYTES", 100 * 1024 * 1024)
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "coworking_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_NAME": "coworking_remember",
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        # CSRF is checked once, centrally, in coworking.security (bearer-token API calls excepted).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "COWORKING_LANGUAGES": ("fr", "en"),
        "COWORKING_TIMEZONE": "Europe/Paris",
        "COWORKING_DOSSIER_WORKER": os.environ.get("COWORKING_DOSSIER_WORKER", "thread"),
        "COWORKING_TRUSTED_PROXIES": int(os.environ.get("COWORKING_TRUSTED_PROXIES", 0)),
        "COWORKING_RETENTION_YEARS": int(os.environ.get("COWORKING_RETENTION_YEARS", 3)),
    }


def engine_options(database_url: str) -> dict[str, object]:
    """Return engine options suited to the database kind (pool for PostgreSQL)."""
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {
        "pool_size": int(os.environ.get("COWORKING_DB_POOL_SIZE", 5)),
        "max_overflow": int(os.environ.get("COWORKING_DB_MAX_OVERFLOW", 5)),
        "pool_pre_ping": True,
        "pool_recycle": 1800,
    }
