"""Settings, read only from the environment (and an optional `.env` file).

No secret has a default: a missing `SECRET_KEY`, `FERNET_KEYS`,
`BLIND_INDEX_KEY` or `AUDIT_KEY` stops start-up with a message naming the variable, with DEBUG
on or off. Every variable is described in docs/operations.md.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.logs import LOG_FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `.env` (made by `make run`) is for development. Real environment variables
# win over it; DJANGO_READ_DOT_ENV=false ignores it (the test suite does).
_env_file = BASE_DIR / ".env"
if env.bool("DJANGO_READ_DOT_ENV", default=True) and _env_file.exists():
    env.read_env(str(_env_file), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is not set. "
            "Set it (see docs/operations.md), "
            "or run `make run` once to create a development .env."
        )
    return value


# Required whatever DEBUG says: a development .env is one `make run` away, and
# a default key would silently encrypt real data with a published secret.
SECRET_KEY = _required("SECRET_KEY")
# Old SECRET_KEYs still accepted for signatures (admin sessions) while rotating.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# Comma-separated, newest first: encrypt with the first, decrypt with all.
FERNET_KEYS = [k.strip() for k in _required("FERNET_KEYS").split(",") if k.strip()]
if not FERNET_KEYS:
    raise ImproperlyConfigured("The environment variable FERNET_KEYS holds no key.")
# A separate secret for the keyed hashes behind search and uniqueness (blind index).
BLIND_INDEX_KEY = _required("BLIND_INDEX_KEY")
# Stored on every row so the index can be rebuilt under a new key later.
BLIND_INDEX_KEY_VERSION = env.int("BLIND_INDEX_KEY_VERSION", default=1)
# Authenticates the access log's sealed segments (docs/audit.md): a separate
# secret, so that write access to the database alone cannot forge the chain.
AUDIT_KEY = _required("AUDIT_KEY")

PII_REGION = env.str("PII_REGION", default="EU")
if re.fullmatch(r"[A-Z]{2}", PII_REGION) is None:
    raise ImproperlyConfigured("PII_REGION must be two upper-case letters, e.g. EU.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Domain settings.
DATA_MAX_BYTES = env.int("DATA_MAX_BYTES", default=10 * 1024 * 1024)
TOKEN_TTL_DAYS = env.int("TOKEN_TTL_DAYS", default=30)
DELETION_DUE_DAYS = env.int("DELETION_DUE_DAYS", default=30)
# Sealed access-log segments older than this are purged (docs/audit.md).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# The access log (docs/audit.md). Off only to measure what it costs
# (scripts/bench_audit.py); never in production.
AUDIT_LOG_ENABLED = env.bool("AUDIT_LOG_ENABLED", default=True)
# Request bodies: base64 grows content by 4/3, plus the JSON around it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", default=(DATA_MAX_BYTES * 4) // 3 + 64 * 1024
)

INSTALLED_APPS = [
    # WhiteNoise serves static files under runserver too, as gunicorn does.
    "whitenoise.runserver_nostatic",
    # django.contrib.admin, with pii's AdminSite (the dashboard) as `admin.site`.
    "pii.apps.PiiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "pii",
    "addresses",
    "vault",
    "axes",  # admin login lockout ("Admin security" below)
]

MIDDLEWARE = [
    "config.middleware.RequestIDMiddleware",
    "config.telemetry.RequestTelemetryMiddleware",
    # HTTP edges (config/http.py). HEAD runs last on the way out, so no later
    # layer puts a body back; chunked bodies are read before anything reads them.
    "config.http.HeadWithoutBodyMiddleware",
    # 503 for every PII request while the keys do not match the stored data.
    "config.keyguard.KeyGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.http.ContentSecurityPolicyMiddleware",
    "config.http.NoStoreApiMiddleware",
    "config.http.ChunkedBodyMiddleware",
    "config.http.ApiOptionsMiddleware",
    # Requests under /v1/ leave here for API_LANE_MIDDLEWARE, then the view
    # (config/lanes.py); the rest of this list is the browser side's lane.
    "config.lanes.ApiLaneMiddleware",
    # Static files (the admin's, the API docs' assets) from the app server itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
]
# The API's lane, after ApiLaneMiddleware (config/lanes.py): plain callables only.
API_LANE_MIDDLEWARE = ["config.audit.AuditContextMiddleware"]

# Off only to measure what metrics and the request log cost
# (scripts/bench_metrics.py); never in production.
if not env.bool("REQUEST_TELEMETRY", default=True):
    MIDDLEWARE.remove("config.telemetry.RequestTelemetryMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections, checked before reuse: one per gunicorn sync worker
# (no pool; see docs/operations.md, "Database connections").
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation: the planner's cost estimates of the search's index walk and
    # candidate count at 1M profiles pass jit_above_cost, and compiling them took
    # 100-250 ms of a 1 ms query (docs/search.md). An OLTP service gains nothing from it.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    # Server-side binding, and psycopg prepares a statement once it has run five
    # times on a connection: the hot reads (and their access-log insert) are
    # parsed and planned once per connection, not per request (docs/operations.md,
    # "Database connections"). Off for a PgBouncer in transaction mode older than
    # 1.21 (no prepared statements there).
    if env.bool("DB_SERVER_SIDE_BINDING", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
    # A PgBouncer in transaction mode cannot keep a cursor across transactions.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
    # Django's backend, with a health check that asks the socket instead of
    # sending `SELECT 1` on every request (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"

# SQLite (the embedded default of `make run`): concurrent writers must wait for
# each other, not fail. WAL lets readers run beside the one writer; write
# transactions take the lock when they begin (`BEGIN IMMEDIATE`), so a
# read-then-write transaction never has to be aborted half-way (SQLite cannot
# upgrade a read lock while another writer waits); a writer waits up to
# SQLITE_BUSY_TIMEOUT seconds for the lock before "database is locked" (503).
SQLITE_BUSY_TIMEOUT = env.int("SQLITE_BUSY_TIMEOUT", default=20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` fills it; WhiteNoise serves it (compressed, with
# content hashes in the names, cached forever). With DEBUG on, files are served
# straight from the apps and no collectstatic is needed.
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["pii.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["pii.api.auth.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pii.api.base.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "pii.api.base.JSONOnlyNegotiation",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "config.exceptions.ProblemExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "config.exceptions.ProblemFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PII service: Customer Profile API v1",
    "DESCRIPTION": (
        "Drop-in replacement for NewStore's (Legacy) Customer Profile API v1. "
        "Authenticate with `Authorization: Bearer <api key>`. Errors are "
        "`application/problem+json`. Scopes: each operation names the one it needs. "
        "A write (`profiles:write`) answers the whole object written, as the reference "
        "defines it: a `profiles:write`-only key reads the profile it creates, finds "
        "by email (get-or-create) or patches. `/detokenize` also needs, per key, the "
        "read scope of what the id names (`forbidden_error` otherwise)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/v1/d/pii",
    "SERVERS": [{"url": "/", "description": "This service"}],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pii.api.openapi.refuse_unknown_request_fields",
        "pii.api.purpose_schema.declare_access_purpose",
    ],
    # The bearer scheme comes from pii.api.openapi.ApiKeyAuthenticationScheme.
}

# Production hardening; `check --deploy` is clean with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), on every response that has none yet.
# Only this service's own script files run (the admin's, Redoc's bundle): no
# inline script, no eval, nothing from another host. Styles
# may be inline: Redoc inserts its styles at run time, and the admin uses
# `style` attributes. Redoc builds its search worker from a blob: URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, CSP_UNSAFE_INLINE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF, "data:"],
        "connect-src": [CSP_SELF],
        "worker-src": [CSP_SELF, "blob:"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the operator's domain, not ours.
    "security.W021",
]

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")

# --- Operations: logs, probes, metrics (docs/operations.md, "Probes, metrics and logs")
# `text` (the default) or `json`: one JSON object per line. Both go through
# `config.logs.RedactFilter` (exception messages withheld, paths reduced to ids).
LOG_FORMAT = env.str("LOG_FORMAT", default="text").lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
# /metrics answers only a scraper sending `Authorization: Bearer <METRICS_TOKEN>`;
# unset, it answers 404 (closed by default).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Readiness: the database probe's statement timeout, and Redis when configured.
READINESS_DB_TIMEOUT_MS = env.int("READINESS_DB_TIMEOUT_MS", default=2000)
REDIS_URL = env.str("REDIS_URL", default="")
# Probes and scrapes come over plain HTTP from the load balancer or the kubelet.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Admin security (docs/admin.md, "Login lockout and search limits") ---------------
# Staff searches (profiles, deletion requests) per user and minute; counted in
# the shared cache below, so every worker sees the same count.
ADMIN_SEARCH_RATE = env.int("ADMIN_SEARCH_RATE", default=30)
# The shared cache: Redis when REDIS_URL is set, else a database table (created
# by `migrate`: pii's post_migrate runs `createcachetable`). Never process memory:
# a limit counted per worker would not be a limit.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pii_cache",
        }
    }
# Accepted API keys are remembered this many seconds (pii.api_keys.cache), so a
# request needs no database query to authenticate; a key revoked or changed
# elsewhere takes effect within this bound (docs/operations.md, "The API key
# cache"). In Redis when REDIS_URL is set (shared by every worker and server,
# and revocation through the service evicts everywhere at once), else in each
# process's memory. 0: off.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=10)
if API_KEY_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("API_KEY_CACHE_SECONDS must be 0 or more.")
CACHES["api_keys"] = (
    {**CACHES["default"], "KEY_PREFIX": "pii"}
    if REDIS_URL
    else {"BACKEND": "pii.api_keys.cache.ProcessMemoryCache", "LOCATION": "api-keys"}
)
# PostgreSQL: heap pages a search may read ahead (effective_io_concurrency for
# its transaction only, never lowered; docs/operations.md).
SEARCH_IO_CONCURRENCY = env.int("SEARCH_IO_CONCURRENCY", default=32)
if not 0 <= SEARCH_IO_CONCURRENCY <= 1000:  # PostgreSQL's range: refused at start, not per search
    raise ImproperlyConfigured("SEARCH_IO_CONCURRENCY must be between 0 and 1000.")
# django-axes: a login (admin site) is refused with 429 for AXES_COOLOFF_MINUTES
# after AXES_FAILURE_LIMIT failures for one username from one IP address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Axes' log lines name the client: the IP address and path, never the username.
AXES_CLIENT_STR_CALLABLE = "pii.admin.site.axes_client_str"
# No "AXES: BEGIN ..." banner on every start-up and management command.
AXES_VERBOSE = False
