"""Worst case of `/detokenize` memory: 25 keys naming the same 10 MiB data entry.

    .venv/bin/python scripts/bench_detokenize_memory.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_detokenize_memory.py

The view is called in-process (Django's test client, DEBUG off) with tracemalloc
on; the figure is the peak of the Python heap during the one request minus the
heap before it: the decrypted content, the ciphertext read from the database,
the base64 text and the rendered JSON body all count. Without DATABASE_URL a
throw-away SQLite file is used; with it, use a database of its own (the script
migrates it and adds one entry and one key). Settings are `config.test_settings`.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="bench_detokenize_")) / "db.sqlite3"
    )
MIB = 1024 * 1024
KEYS = 25


def main() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.utils import timezone
    from rest_framework.test import APIClient

    from pii.models import ApiKey
    from vault.services import data_entry_create

    budget = settings.DATA_MAX_BYTES
    entry = data_entry_create(
        content_type="application/octet-stream",
        content=os.urandom(budget),
        ttl_days=1,
        now=timezone.now(),
    )
    _, key = ApiKey.objects.create_key(name="bench_detokenize", scopes=["detokenize", "data:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {"tokens": {f"k{i}": entry.pk for i in range(KEYS)}}

    client.post("/v1/d/pii/detokenize", {"tokens": {"warm": "x"}}, format="json")
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    response = client.post("/v1/d/pii/detokenize", body, format="json")
    content_length = len(response.content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    answer = response.json()
    growth = peak - before
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"budget (DATA_MAX_BYTES): {budget / MIB:.1f} MiB; {KEYS} keys, one entry")
    print(f"status {response.status_code}; answered {len(answer['data'])} key(s)")
    print(f"errors: {sorted(set(answer['errors'].values()))} x {len(answer['errors'])}")
    print(f"response body: {content_length / MIB:.1f} MiB")
    print(f"peak heap growth: {growth / MIB:.1f} MiB = {growth / budget:.2f}x the budget")


if __name__ == "__main__":
    main()
