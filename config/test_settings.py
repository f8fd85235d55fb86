"""Settings for the test suite: the real settings, with fixed test-only keys.

Only keys are defaulted here; the database still comes from DATABASE_URL, so
the same suite runs on SQLite (default) and PostgreSQL. A developer's `.env`
is ignored so that the suite runs the same everywhere.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("FERNET_KEYS", "test-fernet-key-not-for-production")
os.environ.setdefault("BLIND_INDEX_KEY", "test-blind-index-key-not-for-production")
os.environ.setdefault("AUDIT_KEY", "test-audit-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

# No collectstatic in tests: plain storage (no manifest), and WhiteNoise finds
# files in the apps on request instead of scanning them all at start-up.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite: a file, not Django's shared in-memory database, so that the threaded
# concurrency tests (tests/test_sqlite_concurrency.py) see real SQLite locking
# (WAL, BEGIN IMMEDIATE, busy timeout) as `make run` does. One file per process.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"pii-test-{os.getpid()}.sqlite3"),
    }
