"""Removing expired tokens: the Purger `pii` registers for `purge_expired`."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from pii.core import registry
from pii.core.ids import new_object_id
from pii.models import Token
from tests.races import race_calls

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TOKENIZE = "/v1/d/pii/tokenize"


def make_tokens(count: int, *, expires_at: datetime) -> list[str]:
    rows = [
        Token(id=new_object_id(), value={"n": i}, created_at=T0, expires_at=expires_at)
        for i in range(count)
    ]
    Token.objects.bulk_create(rows)
    return [row.id for row in rows]


def tokens_purger() -> registry.Purger:
    return next(p for p in registry.purgers() if p.kind == "tokens")


def test_the_tokens_purger_is_registered():
    assert tokens_purger().kind == "tokens"


@pytest.mark.django_db
def test_count_due_counts_only_expired_tokens():
    make_tokens(3, expires_at=T0)
    make_tokens(2, expires_at=T0 + timedelta(seconds=1))

    assert tokens_purger().count_due(now=T0) == 3
    assert tokens_purger().count_due(now=T0 - timedelta(microseconds=1)) == 0


@pytest.mark.django_db
def test_purge_batch_removes_at_most_batch_size_expired_tokens():
    expired = make_tokens(7, expires_at=T0 - timedelta(days=1))
    alive = make_tokens(4, expires_at=T0 + timedelta(days=1))
    purger = tokens_purger()

    removed = [purger.purge_batch(now=T0, batch_size=3) for _ in range(4)]

    assert removed == [3, 3, 1, 0]
    assert not Token.objects.filter(pk__in=expired).exists()
    assert set(Token.objects.values_list("pk", flat=True)) == set(alive)


@pytest.mark.django_db
def test_a_token_expiring_exactly_now_is_due(api_client):
    (due,) = make_tokens(1, expires_at=T0)

    assert tokens_purger().purge_batch(now=T0, batch_size=10) == 1
    assert not Token.objects.filter(pk=due).exists()


@pytest.mark.django_db
def test_purge_batch_is_one_select_and_one_delete(django_assert_max_num_queries):
    make_tokens(50, expires_at=T0 - timedelta(days=1))

    # SELECT ... FOR UPDATE SKIP LOCKED, DELETE, plus the savepoint pair
    # of the transaction inside the test's own transaction.
    with django_assert_max_num_queries(4) as queries:
        assert tokens_purger().purge_batch(now=T0, batch_size=50) == 50

    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements.count("SELECT") == 1
    assert statements.count("DELETE") == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_split_the_work():
    make_tokens(300, expires_at=T0 - timedelta(days=1))
    alive = make_tokens(5, expires_at=T0 + timedelta(days=1))

    def run() -> int:
        removed = 0
        while batch := tokens_purger().purge_batch(now=T0, batch_size=7):
            removed += batch
        return removed

    totals = race_calls(run, run)

    assert sum(totals) == 300
    assert set(Token.objects.values_list("pk", flat=True)) == set(alive)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_purge_skips_tokens_another_transaction_holds_instead_of_waiting():
    expired = make_tokens(10, expires_at=T0 - timedelta(days=1))
    held = expired[:4]
    locked = threading.Event()
    release = threading.Event()
    removed: list[int] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                list(Token.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def purge() -> None:
        try:
            removed.append(tokens_purger().purge_batch(now=T0, batch_size=100))
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=10)
    purger = threading.Thread(target=purge)
    purger.start()
    purger.join(timeout=10)
    finished_while_held = not purger.is_alive()
    release.set()
    holder.join()
    purger.join()

    assert finished_while_held
    assert removed == [6]
    assert set(Token.objects.values_list("pk", flat=True)) == set(held)


# --- through `manage.py purge_expired` -------------------------------------------


@pytest.mark.django_db
def test_purge_expired_removes_expired_tokens_and_keeps_the_others(api_client):
    with time_machine.travel(T0, tick=False):
        old = api_client.post(TOKENIZE, {"data": {"a": 1, "b": 2}}, format="json").json()
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        young = api_client.post(TOKENIZE, {"data": {"c": 3}}, format="json").json()
    out = io.StringIO()

    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        call_command("purge_expired", "--batch-size", "1", stdout=out)

    assert "tokens: removed 2" in out.getvalue()
    assert not Token.objects.filter(pk__in=old["tokens"].values()).exists()
    assert list(Token.objects.values_list("pk", flat=True)) == [young["tokens"]["c"]]


@pytest.mark.django_db
def test_purge_expired_dry_run_counts_expired_tokens_and_removes_nothing():
    make_tokens(3, expires_at=T0 - timedelta(seconds=1))
    make_tokens(2, expires_at=T0 + timedelta(seconds=1))
    out = io.StringIO()

    with time_machine.travel(T0, tick=False):
        call_command("purge_expired", "--dry-run", stdout=out)

    assert "tokens: 3 due" in out.getvalue()
    assert Token.objects.count() == 5
