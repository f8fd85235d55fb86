"""Expiry carried out: the vault's Purger, `pii.core.purge.purge_expired` and the
`purge_expired` command (batches, dry run, progress, failures, overlap)."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from pii.core import purge, registry
from pii.core.ids import new_object_id
from pii.models import Token
from tests.races import race_calls
from tests.support import T0, run_python
from vault.models import DataEntry
from vault.services import DATA_ENTRIES_KIND

EXPIRED = T0 - timedelta(days=1)
LIVE = T0 + timedelta(days=1)


def make_entries(count: int, *, expires_at, content: bytes = b"c") -> list[str]:
    rows = [
        DataEntry(
            content_type="text/plain",
            content=content,
            size=len(content),
            created_at=T0 - timedelta(days=30),
            expires_at=expires_at,
        )
        for _ in range(count)
    ]
    DataEntry.objects.bulk_create(rows)
    return [row.pk for row in rows]


def make_tokens(count: int, *, expires_at) -> None:
    Token.objects.bulk_create(
        Token(id=new_object_id(), value={"n": i}, created_at=T0, expires_at=expires_at)
        for i in range(count)
    )


def vault_purger() -> registry.Purger:
    return next(p for p in registry.purgers() if p.kind == DATA_ENTRIES_KIND)


def run_command(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def fail_on_vault_delete(execute, sql, params, many, context):
    if sql.startswith('DELETE FROM "vault_dataentry"'):
        raise OperationalError("simulated: the database went away")
    return execute(sql, params, many, context)


# --- the Purger -----------------------------------------------------------------------


def test_vault_registers_its_purger():
    assert vault_purger().kind == DATA_ENTRIES_KIND


@pytest.mark.django_db
def test_count_due_counts_expired_entries_only():
    make_entries(3, expires_at=T0)  # expiring exactly now counts
    make_entries(2, expires_at=LIVE)
    make_entries(2, expires_at=None)

    assert vault_purger().count_due(now=T0) == 3
    assert vault_purger().count_due(now=T0 - timedelta(microseconds=1)) == 0


@pytest.mark.django_db
def test_purge_batch_removes_at_most_batch_size_and_only_expired_entries():
    make_entries(7, expires_at=EXPIRED)
    kept = make_entries(2, expires_at=LIVE) + make_entries(2, expires_at=None)

    removed = [vault_purger().purge_batch(now=T0, batch_size=3) for _ in range(4)]

    assert removed == [3, 3, 1, 0]
    assert set(DataEntry.objects.values_list("pk", flat=True)) == set(kept)


@pytest.mark.django_db
def test_purge_batch_takes_the_oldest_expiries_first():
    oldest = make_entries(2, expires_at=EXPIRED - timedelta(days=5))
    newer = make_entries(2, expires_at=EXPIRED)

    vault_purger().purge_batch(now=T0, batch_size=2)

    remaining = set(DataEntry.objects.values_list("pk", flat=True))
    assert remaining == set(newer)
    assert not remaining & set(oldest)


@pytest.mark.django_db
def test_purge_batch_reads_ids_only_and_deletes_in_one_statement():
    make_entries(50, expires_at=EXPIRED, content=b"x" * 10_000)

    with CaptureQueriesContext(connection) as queries:
        assert vault_purger().purge_batch(now=T0, batch_size=50) == 50

    statements = [q["sql"] for q in queries.captured_queries if "vault_dataentry" in q["sql"]]
    assert len(statements) == 2
    select, delete = statements
    assert select.startswith('SELECT "vault_dataentry"."id" AS "pk" FROM')
    assert '"content"' not in select
    if connection.vendor == "postgresql":
        assert "FOR UPDATE SKIP LOCKED" in select
    assert delete.startswith('DELETE FROM "vault_dataentry" WHERE')


# --- pii.core.purge.purge_expired ----------------------------------------------------------


def purge_reporting(**options: Any) -> tuple[dict[str, int], list[purge.PurgeProgress]]:
    """`purge_expired` at T0 with `options`: its counts and the progress it reported."""
    seen: list[purge.PurgeProgress] = []
    return purge.purge_expired(now=T0, progress=seen.append, **options), seen


@pytest.mark.django_db
def test_purge_expired_removes_every_kind_in_batches_and_reports_progress():
    make_entries(10, expires_at=EXPIRED)
    make_tokens(5, expires_at=EXPIRED)
    make_entries(1, expires_at=LIVE)

    removed, seen = purge_reporting(batch_size=4)

    assert removed == {"access_log": 0, "data_entries": 10, "tokens": 5}
    assert [(p.kind, p.removed, p.batches) for p in seen] == [
        ("data_entries", 4, 1),
        ("data_entries", 8, 2),
        ("data_entries", 10, 3),
        ("tokens", 4, 1),
        ("tokens", 5, 2),
    ]
    assert all(p.rate >= 0 for p in seen)
    assert DataEntry.objects.count() == 1
    assert Token.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_counts_and_removes_nothing():
    make_entries(4, expires_at=EXPIRED)
    make_tokens(2, expires_at=EXPIRED)
    make_entries(3, expires_at=LIVE)

    due, seen = purge_reporting(dry_run=True)

    assert due == {"access_log": 0, "data_entries": 4, "tokens": 2}
    assert seen == []
    assert DataEntry.objects.count() == 7
    assert Token.objects.count() == 2


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="batch_size"):
        purge.purge_expired(now=T0, batch_size=0)


@pytest.mark.django_db
def test_a_failing_batch_raises_with_what_was_removed_before():
    make_entries(5, expires_at=EXPIRED)
    calls = {"n": 0}
    real = registry._purgers[DATA_ENTRIES_KIND].purge_batch

    def flaky(*, now, batch_size):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("simulated")
        return real(now=now, batch_size=batch_size)

    original = registry._purgers[DATA_ENTRIES_KIND]
    registry._purgers[DATA_ENTRIES_KIND] = registry.Purger(
        kind=DATA_ENTRIES_KIND, count_due=original.count_due, purge_batch=flaky
    )
    try:
        with pytest.raises(purge.PurgeFailed) as failed:
            purge.purge_expired(now=T0, batch_size=2)
    finally:
        registry._purgers[DATA_ENTRIES_KIND] = original

    assert failed.value.kind == "data_entries"
    assert failed.value.removed == {"access_log": 0, "data_entries": 2}
    assert str(failed.value) == "purging data_entries failed: OperationalError"
    assert DataEntry.objects.count() == 3  # the first batch committed


# --- the command ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_prints_what_it_removed_per_kind():
    make_entries(3, expires_at=EXPIRED)
    make_tokens(2, expires_at=EXPIRED)
    live = make_entries(2, expires_at=LIVE)

    with time_machine.travel(T0, tick=False):
        out = run_command()

    lines = out.splitlines()
    assert "data_entries: removed 3" in lines
    assert "tokens: removed 2" in lines
    assert lines[-1].startswith("purge_expired at 2025-03-01T12:00:00.000000Z: removed 5 in ")
    assert set(DataEntry.objects.values_list("pk", flat=True)) == set(live)


@pytest.mark.django_db
def test_the_command_works_in_several_batches_and_shows_progress():
    make_entries(10, expires_at=EXPIRED)

    with time_machine.travel(T0, tick=False):
        out = run_command("--batch-size", "3", "--progress-every", "2")

    progress = [line for line in out.splitlines() if " batches, " in line]
    assert [line.split(" batches,")[0] for line in progress] == [
        "data_entries: 6 removed in 2",
        "data_entries: 10 removed in 4",
    ]
    assert progress[0].endswith(" rows/s")
    assert "data_entries: removed 10" in out
    assert DataEntry.objects.count() == 0


@pytest.mark.django_db
def test_progress_every_zero_prints_no_progress():
    make_entries(4, expires_at=EXPIRED)

    with time_machine.travel(T0, tick=False):
        out = run_command("--batch-size", "1", "--progress-every", "0")

    assert " batches, " not in out
    assert "data_entries: removed 4" in out


@pytest.mark.django_db
def test_the_command_dry_run_prints_counts_and_removes_nothing():
    make_entries(3, expires_at=EXPIRED)
    make_tokens(1, expires_at=EXPIRED)

    with time_machine.travel(T0, tick=False):
        out = run_command("--dry-run")

    assert "data_entries: 3 due (dry run, nothing removed)" in out.splitlines()
    assert "tokens: 1 due (dry run, nothing removed)" in out.splitlines()
    assert DataEntry.objects.count() == 3
    assert Token.objects.count() == 1


@pytest.mark.django_db
def test_the_command_with_nothing_due_removes_nothing():
    make_entries(2, expires_at=LIVE)

    with time_machine.travel(T0, tick=False):
        out = run_command()

    assert "data_entries: removed 0" in out
    assert DataEntry.objects.count() == 2


@pytest.mark.django_db
def test_an_expired_entry_is_purged_only_once_it_is_due():
    make_entries(1, expires_at=T0)

    with time_machine.travel(T0 - timedelta(microseconds=1), tick=False):
        run_command()
    assert DataEntry.objects.count() == 1
    with time_machine.travel(T0, tick=False):
        run_command()
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_a_bad_batch_size_is_a_command_error(value):
    with pytest.raises(CommandError, match="batch-size"):
        call_command("purge_expired", "--batch-size", value)


@pytest.mark.django_db
def test_a_database_error_fails_the_command_after_reporting_progress():
    make_entries(5, expires_at=EXPIRED)
    from io import StringIO

    out = StringIO()
    with (
        time_machine.travel(T0, tick=False),
        connection.execute_wrapper(fail_on_vault_delete),
        pytest.raises(CommandError) as failed,
    ):
        call_command("purge_expired", "--batch-size", "2", stdout=out)

    assert str(failed.value) == ("purge_expired: purging data_entries failed: OperationalError")
    assert "data_entries: removed 0 before failing" in out.getvalue()
    assert DataEntry.objects.count() == 5


def test_the_command_exits_non_zero_when_the_database_fails(tmp_path: Path):
    # A real process on a database without the tables: every query fails.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }

    result = run_python("manage.py", "purge_expired", env=env)

    assert result.returncode == 1
    # The first kind (in name order) fails.
    assert "CommandError: purge_expired: purging access_log failed: OperationalError" in (
        result.stderr
    )


# --- two runs at once (PostgreSQL) ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_remove_each_row_exactly_once():
    make_entries(400, expires_at=EXPIRED)
    make_tokens(150, expires_at=EXPIRED)
    live = make_entries(5, expires_at=LIVE)

    def run() -> dict[str, int]:
        return purge.purge_expired(now=T0, batch_size=7)

    results = race_calls(run, run)

    assert len(results) == 2
    assert sum(r["data_entries"] for r in results) == 400
    assert sum(r["tokens"] for r in results) == 150
    assert set(DataEntry.objects.values_list("pk", flat=True)) == set(live)
    assert Token.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_purge_skips_entries_another_transaction_holds_instead_of_waiting():
    expired = make_entries(10, expires_at=EXPIRED)
    held = expired[:4]
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(DataEntry.objects.select_for_update().filter(pk__in=held).values("pk"))
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        removed = purge.purge_expired(now=T0, batch_size=3)
        remaining_while_held = set(DataEntry.objects.values_list("pk", flat=True))
    finally:
        release.set()
        holder.join()

    assert removed["data_entries"] == 6
    assert remaining_while_held == set(held)
    assert purge.purge_expired(now=T0, batch_size=3)["data_entries"] == 4
