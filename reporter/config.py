"""Settings from the environment, one class per environment.

`REPORTER_ENV` picks the class (development, testing, production); every other setting is an
environment variable of the same name. README.md lists them all.
"""

from __future__ import annotations

import os
from pathlib import Path

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
    # hide_parameters: no report content in error messages or logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
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
    REPORTER_BASE_URL = os.environ.get("REPORTER_BASE_URL", "http://127.0.0.1:5000")
    # Staff sign-in: failed attempts allowed per account and per address; session lifetimes.
    STAFF_LOGIN_ACCOUNT_LIMIT = os.environ.get("STAFF_LOGIN_ACCOUNT_LIMIT", "5 per 15 minutes")
    STAFF_LOGIN_ADDRESS_LIMIT = os.environ.get("STAFF_LOGIN_ADDRESS_LIMIT", "20 per 15 minutes")
    # Follow-up (/follow-up, the API's /follow-up): wrong attempts allowed per address and per
    # reference; a reference over its allowance is locked for follow-up until the window frees.
    FOLLOW_UP_ADDRESS_LIMIT = os.environ.get("FOLLOW_UP_ADDRESS_LIMIT", "20 per hour")
    FOLLOW_UP_REFERENCE_LIMIT = os.environ.get("FOLLOW_UP_REFERENCE_LIMIT", "5 per hour")
    STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
    STAFF_SESSION_MAX_HOURS = int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12"))
    # Closed reports keep their content this long, then `retention purge` removes it.
    REPORT_RETENTION_DAYS = int(os.environ.get("REPORT_RETENTION_DAYS", "730"))
    # Pages, CSS and JS are compressed (brotli, else gzip): a page costs a third of its size on
    # a phone. The API's JSON is small and read by partners' servers: sent as it is.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/manifest+json"]
    # Pages the same for every visitor (the empty form, the chooser) are rendered once per
    # process (reporter/page_cache.py); off where templates change while the app runs.
    PAGE_CACHE = _env_bool("PAGE_CACHE", True)
    # Admins' moves of police forces are read at most this often per process; a move made in a
    # process applies there at once, in the others within this many seconds.
    FORCE_REGIONS_CACHE_SECONDS = float(os.environ.get("FORCE_REGIONS_CACHE_SECONDS", "10"))
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = UK_TIME_ZONE
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent.parent / "translations")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = _env_bool("FLASK_DEBUG", True)
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    PAGE_CACHE = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REPORTER_DATA_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # tests only
    # Per-process caches are off (one app may serve many tests); tests of them turn them on.
    PAGE_CACHE = False
    FORCE_REGIONS_CACHE_SECONDS = 0.0


class ProductionConfig(Config):
    ENV_NAME = "production"


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
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))
