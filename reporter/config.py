"""Settings from the environment, one class per environment.

`REPORTER_ENV` picks the class (development, testing, production); every other setting is an
environment variable of the same name. README.md lists them all.
"""

from __future__ import annotations

import os
from pathlib import Path

from reporter.codes import Role
from reporter.uktime import UK_TIME_ZONE

INSTANCE_DIR = Path(
    os.environ.get("REPORTER_INSTANCE_DIR", Path(__file__).parent.parent / "instance")
)
DEFAULT_SECRET = "development-only-secret-key"  # noqa: S105 (refused in production)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_roles(default: str) -> tuple[str, ...]:
    value = os.environ.get("STAFF_SECOND_FACTOR_ROLES", default)
    return tuple(sorted({part.strip() for part in value.split(",") if part.strip()}))


def database_url(url: str) -> str:
    """`postgresql://` URLs use psycopg 3, the driver we install."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    DEBUG = _env_bool("FLASK_DEBUG", False)
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'reporter.sqlite'}")
    )
    # hide_parameters: no report content in error messages or logs. Pooled connections are
    # checked before use by resilience.check_out, not `pool_pre_ping`'s round trip every time.
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))  # seconds
    REPORTER_DATA_KEY = os.environ.get("REPORTER_DATA_KEY")
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # No X-RateLimit-* headers: each costs a round trip to the store on every POST let through.
    # A 429 still says when to try again, in Retry-After (errors.render_error).
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    # The store (Redis) unreachable: count in this process's memory instead of refusing every
    # request, and never turn a store error after a report was stored into a 500. Staff sign-in
    # refuses instead (see resilience.py). Redis must answer within RATELIMIT_STORE_TIMEOUT.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORE_TIMEOUT = float(os.environ.get("RATELIMIT_STORE_TIMEOUT", "0.5"))  # seconds
    # Reports per client address. Generous enough for a shared workplace network.
    # Only stored reports count: changing language or correcting mistakes never does.
    REPORT_RATE_LIMIT = os.environ.get("REPORT_RATE_LIMIT", "10 per 10 minutes;40 per day")
    # Reports per partner API key: a partner's server sends for many riders from one address.
    PARTNER_KEY_RATE_LIMIT = os.environ.get(
        "PARTNER_KEY_RATE_LIMIT", "300 per 10 minutes;5000 per day"
    )
    # Entry links (/p/<code>) asked for with a code that does not exist, per client address:
    # past this, no code is looked up for that address (services/partnerships/entry_limits.py).
    ENTRY_MISS_LIMIT = os.environ.get("ENTRY_MISS_LIMIT", "20 per 10 minutes;100 per day")
    # Every POST per client address (form, API, staff), against floods: generous, for a depot's
    # or a mobile network's shared address.
    POST_FLOOD_LIMIT = os.environ.get("POST_FLOOD_LIMIT", "60 per minute;1000 per hour")
    # Number of proxies in front of the app whose X-Forwarded-For we trust (0 = none).
    PROXY_COUNT = int(os.environ.get("REPORTER_PROXY_COUNT", "0"))
    WTF_CSRF_TIME_LIMIT = None  # a slow reporter must not lose the form; the session bounds it
    # Over HTTPS, Flask-WTF also wants a Referer from this host, but our pages send none
    # (Referrer-Policy: no-referrer, so no address leaks), and browsers then send no Referer
    # either: every form posted in production was refused. The token in the session, with
    # SameSite=Lax secure cookies, is the protection.
    WTF_CSRF_SSL_STRICT = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 2
    MAX_CONTENT_LENGTH = 64 * 1024
    # Staff email alerts (no report content). Without MAIL_SERVER, mail goes to MAIL_OUTBOX_DIR.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "LookCloser Reporter <no-reply@localhost>")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))  # seconds per SMTP operation
    # The outbox worker (`flask --app wsgi outbox work`): a claimed message is the worker's for
    # OUTBOX_LEASE_SECONDS (far longer than one send can take), retries wait
    # OUTBOX_RETRY_SECONDS doubled per attempt up to OUTBOX_RETRY_MAX_SECONDS, and after
    # OUTBOX_MAX_ATTEMPTS a message is marked failed. /healthz is degraded when a message has
    # waited longer than OUTBOX_STALE_SECONDS or has failed.
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "2"))
    OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
    OUTBOX_RETRY_SECONDS = float(os.environ.get("OUTBOX_RETRY_SECONDS", "15"))
    OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "600"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "50"))
    OUTBOX_STALE_SECONDS = float(os.environ.get("OUTBOX_STALE_SECONDS", "300"))
    # A sent email is deleted this long after it was sent (at least 1 day: the daily summary's
    # once-a-day check reads it). The worker prunes when it starts and every
    # OUTBOX_PRUNE_SECONDS; unsent and failed emails are never pruned.
    OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
    OUTBOX_PRUNE_SECONDS = float(os.environ.get("OUTBOX_PRUNE_SECONDS", "3600"))
    # The zip of a partner's posters is built by the outbox worker, POSTER_BUNDLE_SLICE_SECONDS
    # at a time between sends (so an urgent alert never waits behind it), under a lease of
    # POSTER_BUNDLE_LEASE_SECONDS renewed after each slice; a build that keeps killing its worker
    # is given up after POSTER_BUNDLE_MAX_ATTEMPTS.
    POSTER_BUNDLE_SLICE_SECONDS = float(os.environ.get("POSTER_BUNDLE_SLICE_SECONDS", "0.25"))
    POSTER_BUNDLE_LEASE_SECONDS = float(os.environ.get("POSTER_BUNDLE_LEASE_SECONDS", "120"))
    POSTER_BUNDLE_MAX_ATTEMPTS = int(os.environ.get("POSTER_BUNDLE_MAX_ATTEMPTS", "3"))
    REPORTER_BASE_URL = os.environ.get("REPORTER_BASE_URL", "http://127.0.0.1:5000")
    # Staff sign-in: failures are counted per address and per account, and past
    # STAFF_SIGN_IN_FREE_FAILURES each one doubles the wait (services/accounts/throttle.py).
    STAFF_SIGN_IN_FREE_FAILURES = int(os.environ.get("STAFF_SIGN_IN_FREE_FAILURES", "5"))
    # Roles that must sign in with a second factor (comma-separated). Admins and national staff
    # see every report; production adds officers unless told otherwise.
    STAFF_SECOND_FACTOR_ROLES = _env_roles("admin,national")
    # A new account's one-time set-up link works this long (services/accounts/enrolment.py).
    STAFF_SETUP_LINK_HOURS = int(os.environ.get("STAFF_SETUP_LINK_HOURS", "72"))
    # Follow-up (/follow-up, the API's /follow-up): wrong attempts allowed per address and per
    # reference; a reference over its allowance is locked for follow-up until the window frees.
    FOLLOW_UP_ADDRESS_LIMIT = os.environ.get("FOLLOW_UP_ADDRESS_LIMIT", "20 per hour")
    FOLLOW_UP_REFERENCE_LIMIT = os.environ.get("FOLLOW_UP_REFERENCE_LIMIT", "5 per hour")
    STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
    STAFF_SESSION_MAX_HOURS = int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12"))
    # Closed reports keep their content this long, then `retention purge` removes it.
    REPORT_RETENTION_DAYS = int(os.environ.get("REPORT_RETENTION_DAYS", "730"))
    # Who the privacy notice names (UK GDPR article 13(1)(a) and (b)): the controller and how to
    # reach its data protection officer. Production refuses to start without them; development
    # and tests show EXAMPLE_PRIVACY_CONTACTS, marked as examples on the page itself.
    DATA_CONTROLLER_NAME = os.environ.get("DATA_CONTROLLER_NAME", "")
    DATA_CONTROLLER_CONTACT = os.environ.get("DATA_CONTROLLER_CONTACT", "")
    DPO_CONTACT = os.environ.get("DPO_CONTACT", "")
    # Pages, CSS and JS are compressed (brotli, else gzip): a page costs a third of its size on
    # a phone. The API's JSON is small and read by partners' servers: sent as it is.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/manifest+json"]
    # Pages the same for every visitor (the chooser, the blank form) are rendered once per
    # process and kept this long (reporter/public/static_pages.py), and a proxy may keep them
    # PUBLIC_PAGE_MAX_AGE seconds before it asks again (longer while the app does not answer).
    PUBLIC_PAGE_KEEP_SECONDS = float(os.environ.get("PUBLIC_PAGE_KEEP_SECONDS", "300"))
    PUBLIC_PAGE_MAX_AGE = int(os.environ.get("PUBLIC_PAGE_MAX_AGE", "60"))
    # Partners' own pages that may post the public form (scheme://host[:port], space-separated):
    # every other site's page is refused (reporter/public/cross_origin.py).
    TRUSTED_ORIGINS = tuple(os.environ.get("TRUSTED_ORIGINS", "").split())
    # Admins' moves of police forces are read at most this often per process; a move made in a
    # process applies there at once, in the others within this many seconds.
    FORCE_REGIONS_CACHE_SECONDS = float(os.environ.get("FORCE_REGIONS_CACHE_SECONDS", "10"))
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = UK_TIME_ZONE
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent.parent / "translations")


EXAMPLE_MARK = "EXAMPLE ONLY"
EXAMPLE_PRIVACY_CONTACTS = {
    "DATA_CONTROLLER_NAME": f"[{EXAMPLE_MARK}] The Prevention Programme (set DATA_CONTROLLER_NAME)",
    "DATA_CONTROLLER_CONTACT": f"[{EXAMPLE_MARK}] privacy@programme.example (set "
    "DATA_CONTROLLER_CONTACT)",
    "DPO_CONTACT": f"[{EXAMPLE_MARK}] dpo@programme.example (set DPO_CONTACT)",
}


def _example(name: str) -> str:
    return os.environ.get(name) or EXAMPLE_PRIVACY_CONTACTS[name]


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DATA_CONTROLLER_NAME = _example("DATA_CONTROLLER_NAME")
    DATA_CONTROLLER_CONTACT = _example("DATA_CONTROLLER_CONTACT")
    DPO_CONTACT = _example("DPO_CONTACT")
    DEBUG = _env_bool("FLASK_DEBUG", True)
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # Templates change while a developer works: render the public pages every time.
    PUBLIC_PAGE_KEEP_SECONDS = float(os.environ.get("PUBLIC_PAGE_KEEP_SECONDS", "0"))
    # The demo accounts sign in with their passwords alone (`flask users demo`).
    STAFF_SECOND_FACTOR_ROLES = _env_roles("")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REPORTER_DATA_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # tests only
    # Admins' moves of forces are read at every request (one app serves many tests). The
    # public pages are kept as in production; the suite forgets them after each test.
    FORCE_REGIONS_CACHE_SECONDS = 0.0
    DATA_CONTROLLER_NAME = EXAMPLE_PRIVACY_CONTACTS["DATA_CONTROLLER_NAME"]
    DATA_CONTROLLER_CONTACT = EXAMPLE_PRIVACY_CONTACTS["DATA_CONTROLLER_CONTACT"]
    DPO_CONTACT = EXAMPLE_PRIVACY_CONTACTS["DPO_CONTACT"]
    # Most tests sign in with a password alone; the tests of the rule (tests/triage/
    # test_enrolment.py) run with the base and production values.
    STAFF_SECOND_FACTOR_ROLES: tuple[str, ...] = ()


class ProductionConfig(Config):
    ENV_NAME = "production"
    STAFF_SECOND_FACTOR_ROLES = _env_roles("admin,national,officer")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


class ConfigError(RuntimeError):
    """The configuration would run the app unsafely."""


def check_production(config: dict) -> None:
    """Refuse to start production with a setting that would be unsafe there."""
    problems = []
    if config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET) or len(config["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off")
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        problems.append("RATELIMIT_STORAGE_URI must be a shared store such as redis://")
    if not config.get("REPORTER_DATA_KEY"):
        problems.append("REPORTER_DATA_KEY must be set")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on")
    if not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER must be set, or urgent alerts reach nobody")
    if not str(config.get("REPORTER_BASE_URL", "")).startswith("https://"):
        problems.append("REPORTER_BASE_URL must be the https:// address staff use")
    for name in EXAMPLE_PRIVACY_CONTACTS:
        value = str(config.get(name) or "")
        if not value.strip() or EXAMPLE_MARK in value:
            problems.append(f"{name} must be set: the privacy notice names it")
    unknown = set(config.get("STAFF_SECOND_FACTOR_ROLES", ())) - set(Role)
    if unknown:
        problems.append(f"STAFF_SECOND_FACTOR_ROLES names unknown roles: {sorted(unknown)}")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))
