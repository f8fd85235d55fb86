"""Settings for the test suite: the real settings, with fixed test-only keys.

Only keys are defaulted here; the database still comes from DATABASE_URL, so
the same suite runs on SQLite (default) and PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("FERNET_KEYS", "test-fernet-key-not-for-production")
os.environ.setdefault("BLIND_INDEX_KEY", "test-blind-index-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
