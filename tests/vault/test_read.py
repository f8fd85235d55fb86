"""`GET /data/{data_id}`: the exact bytes with the stored media type, 400 for a
malformed id, 404 for unknown and expired entries (at once, before
any purge)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import BINARY, T0, assert_problem, body_bytes, data_url
from vault.models import DataEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "content",
    [
        BINARY,
        b"\x00",
        b"\x00" * 1000,
        b"\xff\xfe\xfd",
        b"\xc3\x28\xa0\xa1",  # invalid UTF-8
        b"plain text\r\n",
        "Jos\u00e9 \u00c5str\u00f6m \U0001f600".encode("utf-16"),
        os.urandom(100_003),  # not a multiple of the AES block or the stream chunk
        os.urandom(256 * 1024),  # one stream chunk exactly: answered in one piece
        os.urandom(256 * 1024 + 1),  # just over: streamed
        os.urandom(600 * 1024),  # several stream chunks
    ],
    ids=lambda c: f"{len(c)}-bytes",
)
def test_content_comes_back_byte_exact(store, reader, content):
    data_id = store(content, content_type="application/octet-stream")

    response = reader.get(data_url(data_id))

    assert response.status_code == 200
    assert response["Content-Length"] == str(len(content))
    assert body_bytes(response) == content


def test_get_answers_the_stored_headers(store, reader):
    data_id = store(BINARY, content_type="application/pdf")

    response = reader.get(data_url(data_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(BINARY))
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_media_type_parameters_come_back_as_stored(store, reader):
    data_id = store("h\u00e9".encode(), content_type="text/plain; charset=utf-8")

    response = reader.get(data_url(data_id))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert body_bytes(response) == "h\u00e9".encode()


def test_an_id_with_upper_case_hex_is_well_formed(store, reader):
    data_id = store(b"x")
    shouted = data_id[:6] + data_id[6:].upper()

    # The UUID part is case-insensitive (docs/vault.md): the same entry.
    response = reader.get(data_url(shouted))
    assert response.status_code == 200
    assert body_bytes(response) == b"x"


@pytest.mark.parametrize(
    "bad_id",
    [
        "nope",
        "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX",  # a profile id
        "NS-eu-a5548746-acc1-4d75-81b9-72aec2bfebb7",
        "NS-EU-a5548746-acc1-1d75-81b9-72aec2bfebb7",  # not version 4
        "NS-EU-a5548746-acc1-4d75-c1b9-72aec2bfebb7",  # wrong variant
        "NS-EU-a5548746acc14d7581b972aec2bfebb7",
        "a5548746-acc1-4d75-81b9-72aec2bfebb7",
        "NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7x",
    ],
)
def test_a_malformed_id_is_400(reader, bad_id):
    assert_problem(reader.get(data_url(bad_id)), 400)


def test_an_expired_entry_is_404_before_any_purge(store, reader):
    with time_machine.travel(T0, tick=False):
        data_id = store(b"short-lived", ttl=1)
    expires_at = T0 + timedelta(days=1)

    with time_machine.travel(expires_at - timedelta(microseconds=1), tick=False):
        assert reader.get(data_url(data_id)).status_code == 200
    with time_machine.travel(expires_at, tick=False):
        assert_problem(reader.get(data_url(data_id)), 404)

    # The row is still there: only purge_expired removes it.
    assert DataEntry.objects.filter(pk=data_id).exists()


def test_an_entry_without_ttl_is_still_there_years_later(store, reader):
    with time_machine.travel(T0, tick=False):
        data_id = store(b"kept")

    with time_machine.travel(T0 + timedelta(days=365 * 50), tick=False):
        response = reader.get(data_url(data_id))

    assert response.status_code == 200
    assert body_bytes(response) == b"kept"


def test_a_read_is_one_query_of_the_entry(store, reader):
    data_id = store(b"x" * 100)

    with CaptureQueriesContext(connection) as queries:
        response = reader.get(data_url(data_id))

    assert body_bytes(response) == b"x" * 100
    assert sum("vault_dataentry" in q["sql"] for q in queries.captured_queries) == 1


def test_a_database_failure_during_a_read_is_503(store, reader):
    from django.db import OperationalError

    data_id = store(b"x")

    def fail_select(execute, sql, params, many, context):
        if sql.startswith("SELECT") and "vault_dataentry" in sql:
            raise OperationalError("simulated")
        return execute(sql, params, many, context)

    reader.raise_request_exception = False
    with connection.execute_wrapper(fail_select):
        response = reader.get(data_url(data_id))

    assert_problem(response, 503)
