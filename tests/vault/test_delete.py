"""`DELETE /data/{data_id}`: 204, then gone; 400, 404 (401 and 403: tests/test_auth_matrix.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pii.core.ids import new_data_id
from tests.support import T0, assert_problem, data_url
from vault.models import DataEntry

pytestmark = pytest.mark.django_db


def test_delete_answers_204_and_the_entry_is_gone(store, writer, reader):
    data_id = store(b"to be deleted")
    kept = store(b"kept")

    response = writer.delete(data_url(data_id))

    assert response.status_code == 204
    assert response.content == b""
    assert not DataEntry.objects.filter(pk=data_id).exists()
    assert_problem(reader.get(data_url(data_id)), 404)
    assert reader.get(data_url(kept)).status_code == 200


def test_deleting_twice_is_404_the_second_time(store, writer):
    data_id = store()

    assert writer.delete(data_url(data_id)).status_code == 204
    assert_problem(writer.delete(data_url(data_id)), 404)


def test_deleting_an_unknown_id_is_404(writer):
    assert_problem(writer.delete(data_url(new_data_id())), 404)


def test_deleting_an_expired_entry_is_404_and_leaves_it_to_the_purge(store, writer):
    with time_machine.travel(T0, tick=False):
        data_id = store(ttl=2)

    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert_problem(writer.delete(data_url(data_id)), 404)

    assert DataEntry.objects.filter(pk=data_id).exists()


def test_delete_is_one_statement_that_never_reads_the_content(store, writer):
    data_id = store(b"x" * 1000)

    with CaptureQueriesContext(connection) as queries:
        assert writer.delete(data_url(data_id)).status_code == 204

    statements = [q["sql"] for q in queries.captured_queries if "vault_dataentry" in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith('DELETE FROM "vault_dataentry"')
