"""The application factory: configuration, extensions, features, hooks — wiring only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from coworking import (
    auth,
    backup,
    community,
    events,
    health,
    label,
    members,
    models,  # noqa: F401 (every model mapped before the first query)
    seed,
    space,
    stats,
)
from coworking import config as settings
from coworking.database import configure_engine
from coworking.error_pages import register_error_handlers
from coworking.extensions import babel, csrf, db, login_manager, login_throttle, migrate
from coworking.i18n import register_filters, select_locale, select_timezone
from coworking.json_bounds import init_json
from coworking.security import init_security
from coworking.templating import register_template_helpers

PACKAGE_DIR = Path(__file__).resolve().parent
MAX_DATABASE_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """The int converter, limited to ids PostgreSQL and SQLite can hold."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def protect_instance_folder(path: str) -> None:
    """Create the instance folder (database, secret key) readable by its owner only."""
    folder = Path(path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid == os.getuid():
        folder.chmod(0o700)


def _resource_dir(name: str) -> str:
    """Return the top-level templates/ or static/ folder (source tree), else the wheel's copy."""
    in_tree = PACKAGE_DIR.parent / name
    return str(in_tree if in_tree.is_dir() else PACKAGE_DIR / name)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        "coworking",  # the package's name: its folder is the app's root path
        instance_path=os.environ.get("COWORKING_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=_resource_dir("templates"),
        static_folder=_resource_dir("static"),
    )
    protect_instance_folder(app.instance_path)
    app.config.update(settings.default_settings(app.instance_path))
    if test_config:
        app.config.update(test_config)
        if (
            "SQLALCHEMY_DATABASE_URI" in test_config
            and "SQLALCHEMY_ENGINE_OPTIONS" not in test_config
        ):
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(
                test_config["SQLALCHEMY_DATABASE_URI"]
            )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_secret_key(app.instance_path)

    proxies = int(app.config.get("COWORKING_TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a reverse proxy: the client's address (login throttling) and scheme come from it.
        proxied = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
        app.wsgi_app = proxied  # type: ignore[method-assign]  # Flask's documented way to wrap it

    # Ids in URLs stay within the databases' integer: a larger one is a 404, not an overflow.
    app.url_map.converters["int"] = BoundedIntegerConverter
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_throttle.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


# Each feature package has register(app), which adds its blueprints and commands; in the
# order of the layers (docs/architecture.md), lowest first.
FEATURES = (auth, members, space, events, community, stats, label, backup, seed)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(health.bp)
    for feature in FEATURES:
        feature.register(app)


def register_hooks(app: Flask) -> None:
    init_json(app)
    init_security(app)
    register_error_handlers(app)
    register_filters(app)
    register_template_helpers(app)
