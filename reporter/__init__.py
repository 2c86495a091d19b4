"""LookCloser Reporter: report a worry about a child, and be told at once what to do."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from reporter import campaign, crypto, resilience
from reporter import config as config_module
from reporter.crypto import DataCipher, development_key
from reporter.extensions import babel, csrf, db, limiter, migrate
from reporter.i18n import available_locales, request_locale
from reporter.postcodes import PostcodeIndex
from reporter.reference import get_reference

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"


def create_app(env: str | None = None, overrides: dict | None = None) -> Flask:
    env = env or os.environ.get("REPORTER_ENV", "development")
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.config.from_object(config_module.CONFIGS[env]())
    app.config.update(overrides or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Guidance reads admin overrides from the database: a database that stops answering
        # must fail fast so the danger numbers still show, not hang the request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"connect_timeout": app.config["DATABASE_CONNECT_TIMEOUT"]},
        }
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", resilience.storage_options(app.config))
    if env == "production":
        config_module.check_production(app.config)
    if not app.config["REPORTER_DATA_KEY"]:
        app.config["REPORTER_DATA_KEY"] = development_key(Path(app.instance_path))
    from reporter.public.static_pages import KeptResponses

    # Inside ProxyFix: a kept response is looked up by the scheme and host the phone asked for.
    app.wsgi_app = KeptResponses(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        # Flask types wsgi_app as a method; wrapping it is Flask's documented way to add
        # WSGI middleware.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.config["REPORTER_LOCALES"] = available_locales(
        Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    )

    # Reference data is checked here: the app does not start on inconsistent data.
    app.extensions[campaign.EXTENSION] = get_reference()
    app.extensions[campaign.POSTCODES] = PostcodeIndex.from_file()
    app.extensions[crypto.EXTENSION] = DataCipher(app.config["REPORTER_DATA_KEY"])

    db.init_app(app)
    resilience.init_app(app)  # after db: releases the session without raising
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    from reporter import body_limits, client

    client.init_app(app)
    body_limits.init_app(app)  # before CSRF reads the body
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=request_locale)

    from reporter import errors, favicon, health, security, templating
    from reporter.api import bp as api_bp
    from reporter.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(health.bp)
    csrf.exempt(api_bp)
    # The reporter's pages carry no token: cross-site posts are refused by their headers
    # (public/cross_origin.py). The staff side keeps Flask-WTF's tokens.
    csrf.exempt(public_bp)
    for module in (errors, favicon, security, templating):
        module.init_app(app)
    from reporter import compression, offline, static_files

    for module in (compression, static_files, offline):  # compression runs after the others
        module.init_app(app)

    from reporter import cli, triage

    cli.init_app(app)
    triage.init_app(app)
    return app


def warm_up(app: Flask) -> None:
    """Render the public pages once in every language (templates compiled, catalogues read),
    in gunicorn's master before it starts its workers (gunicorn.conf.py, `when_ready`), so
    that every worker it forks, at start and after each restart (`GUNICORN_MAX_REQUESTS`),
    begins with them. A worker that did this on its first request kept that reporter waiting
    about 0.2 s, and a request that came while both workers were restarting waited as long."""
    from reporter.campaign import campaign_data
    from reporter.i18n import LANGUAGE_ARG, offered

    client = app.test_client(use_cookies=False)
    with app.app_context():  # each page below is a request of its own, with its own `g`
        sector, languages = next(iter(campaign_data().sectors)), offered()
    for language in languages:
        client.get(f"/report?{LANGUAGE_ARG}={language}")
        client.get(f"/report?sector={sector}&{LANGUAGE_ARG}={language}")
