"""`POST /data`: 201 with the id, 400 for every kind of bad input, 413 on both
paths (decoded content over DATA_MAX_BYTES, request body over the
request-size guard); nothing is stored on any error."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from pii.core.ids import DATA_ID_RE
from tests.support import (
    BAD_MEDIA_TYPES,
    BAD_TTL,
    BINARY,
    DATA_URL,
    T0,
    assert_problem,
    b64,
    body_bytes,
    data_url,
    payload,
    raw_content,
)
from vault.crypto import token_size
from vault.models import DataEntry
from vault.services import EXPIRES_AT_MAX

pytestmark = pytest.mark.django_db


# --- 201 ------------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_store_answers_201_with_the_new_id_only(writer):
    response = writer.post(DATA_URL, payload(ttl=30), format="json")

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["id"]
    assert DATA_ID_RE.match(body["id"])
    assert body["id"].startswith("NS-EU-")
    assert response["Location"] == data_url(body["id"])


@time_machine.travel(T0, tick=False)
def test_store_keeps_metadata_in_columns(writer):
    response = writer.post(DATA_URL, payload(b"12345", ttl=30), format="json")

    entry = DataEntry.objects.get(pk=response.json()["id"])
    assert entry.content_type == "application/pdf"
    assert entry.size == 5
    assert entry.created_at == T0
    assert entry.expires_at == T0 + timedelta(days=30)
    assert entry.content == b"12345"


@pytest.mark.parametrize("extra", [{}, {"ttl": None}], ids=["absent", "null"])
def test_without_ttl_the_entry_never_expires(writer, extra):
    response = writer.post(DATA_URL, payload(**extra), format="json")

    assert response.status_code == 201
    assert DataEntry.objects.get(pk=response.json()["id"]).expires_at is None


@time_machine.travel(T0, tick=False)
def test_a_ttl_past_the_year_9999_is_capped(writer):
    response = writer.post(DATA_URL, payload(ttl=2**63 - 1), format="json")

    assert response.status_code == 201
    assert DataEntry.objects.get(pk=response.json()["id"]).expires_at == EXPIRES_AT_MAX


def test_the_content_column_holds_no_clear_text(writer):
    secret = b"Jane Roe, passport X1234567, born 1980-01-01" * 4

    data_id = writer.post(DATA_URL, payload(secret), format="json").json()["id"]

    raw = raw_content(data_id)
    assert secret not in raw
    assert b"passport" not in raw
    assert b64(secret).encode() not in raw
    assert base64.urlsafe_b64encode(secret) not in raw
    assert len(raw) == token_size(len(secret))
    assert raw[0] == 0x80  # a Fernet token, in its binary form


def test_the_same_content_twice_is_stored_as_different_ciphertexts(writer):
    first = writer.post(DATA_URL, payload(BINARY), format="json").json()["id"]
    second = writer.post(DATA_URL, payload(BINARY), format="json").json()["id"]

    assert first != second
    assert raw_content(first) != raw_content(second)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/pdf",
        "text/plain; charset=utf-8",
        "text/plain;charset=UTF-8",
        'multipart/form-data; boundary="a b;c"',
        "application/vnd.api+json",
        "image/svg+xml",
        "application/x-www-form-urlencoded",
        "Application/PDF",
    ],
)
def test_valid_media_types_are_stored_as_sent(writer, reader, content_type):
    response = writer.post(DATA_URL, payload(content_type=content_type), format="json")

    assert response.status_code == 201
    assert DataEntry.objects.get(pk=response.json()["id"]).content_type == content_type


def test_empty_content_is_a_valid_entry(writer, reader):
    data_id = writer.post(DATA_URL, payload(b""), format="json").json()["id"]

    response = reader.get(data_url(data_id))
    assert response.status_code == 200
    assert response["Content-Length"] == "0"
    assert body_bytes(response) == b""


def test_non_zero_pad_bits_are_ignored_as_other_decoders_do(writer, reader):
    data_id = writer.post(DATA_URL, {**payload(), "content": "aGl="}, format="json").json()["id"]

    assert body_bytes(reader.get(data_url(data_id))) == b"hi"


def test_a_body_without_json_content_type_is_still_parsed(writer):
    response = writer.post(DATA_URL, json.dumps(payload()), content_type="text/plain")

    assert response.status_code == 201


# --- 400 ------------------------------------------------------------------------------

BAD_CONTENT = [
    "not base64!",
    "aGVs bG8=",  # white space inside
    "aGVsbG8=\n",  # trailing newline
    "aGVsbG8",  # missing padding
    "aGVsbG8==",  # too much padding
    "aGVsbG8=aGVsbG8=",  # padding in the middle
    "aGVsbG8=a",
    "-_-_",  # URL-safe alphabet
    "====",
    "aGVsbG8\u00e9",  # not ASCII
    "aGVs\x00bG8=",
    123,
    None,
    ["aGVsbG8="],
    {"data": "aGVsbG8="},
]


@pytest.mark.parametrize("content", BAD_CONTENT)
def test_bad_base64_is_400_naming_content(writer, content):
    body = {"content_type": "application/pdf", "content": content}

    problem = assert_problem(writer.post(DATA_URL, body, format="json"), 400)

    assert list(problem["errors"]) == ["content"]
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize("content_type", BAD_MEDIA_TYPES)
def test_bad_media_type_is_400_naming_content_type(writer, content_type):
    problem = assert_problem(
        writer.post(DATA_URL, payload(content_type=content_type), format="json"), 400
    )

    assert list(problem["errors"]) == ["content_type"]
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize("ttl", BAD_TTL, ids=repr)
def test_bad_ttl_is_400_naming_ttl(writer, ttl):
    problem = assert_problem(writer.post(DATA_URL, payload(ttl=ttl), format="json"), 400)

    assert list(problem["errors"]) == ["ttl"]
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize("ttl", ["1e400", "1E2", "30.0", "-0"])
def test_ttl_numbers_that_are_not_json_integers_are_400(writer, ttl):
    raw = '{"content_type": "application/pdf", "content": "aGk=", "ttl": ' + ttl + "}"

    response = writer.post(DATA_URL, raw, content_type="application/json")

    assert list(assert_problem(response, 400)["errors"]) == ["ttl"]
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({}, {"content_type", "content"}),
        ({"content": "aGVsbG8="}, {"content_type"}),
        ({"content_type": "application/pdf"}, {"content"}),
        ({"ttl": 3}, {"content_type", "content"}),
    ],
)
def test_missing_fields_are_400_naming_each(writer, body, missing):
    problem = assert_problem(writer.post(DATA_URL, body, format="json"), 400)

    assert set(problem["errors"]) == missing
    assert DataEntry.objects.count() == 0


def test_unknown_fields_are_400_naming_them(writer):
    body = payload(filename="jane-roe.pdf", id="NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7")

    problem = assert_problem(writer.post(DATA_URL, body, format="json"), 400)

    assert set(problem["errors"]) == {"filename", "id"}
    assert "filename" in problem["message"]
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize(
    "raw", ["[]", '"text"', "42", "null", "{not json", '{"content_type": '], ids=repr
)
def test_a_body_that_is_not_a_json_object_is_400(writer, raw):
    assert_problem(writer.post(DATA_URL, raw, content_type="application/json"), 400)
    assert DataEntry.objects.count() == 0


def test_error_bodies_do_not_quote_what_was_sent(writer):
    body = {"content_type": "text/jane.roe@example.org;", "content": "jane roe secret", "ttl": "x"}

    response = writer.post(DATA_URL, body, format="json")

    text = response.content.decode()
    assert response.status_code == 400
    assert "jane" not in text
    assert "secret" not in text


# --- 413 ------------------------------------------------------------------------------


@override_settings(DATA_MAX_BYTES=16)
def test_decoded_content_over_the_limit_is_413(writer):
    response = writer.post(DATA_URL, payload(b"x" * 17), format="json")

    problem = assert_problem(response, 413)
    assert "16 bytes" in problem["message"]
    assert DataEntry.objects.count() == 0


@override_settings(DATA_MAX_BYTES=16)
def test_decoded_content_at_the_limit_is_stored(writer):
    response = writer.post(DATA_URL, payload(b"x" * 16), format="json")

    assert response.status_code == 201


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_request_body_over_the_request_size_guard_is_413_before_parsing(writer):
    # 600 bytes decoded is far under DATA_MAX_BYTES: the guard trips, not the service.
    body = json.dumps(payload(b"y" * 600, filler="z" * 300))
    assert len(body) > 1024

    response = writer.post(DATA_URL, body, content_type="application/json")

    assert_problem(response, 413)
    assert DataEntry.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_request_body_over_the_guard_is_413_even_when_not_json(writer):
    response = writer.post(DATA_URL, "x" * 2000, content_type="application/json")

    assert_problem(response, 413)


def test_with_default_settings_10_mib_is_stored_and_one_byte_more_is_413(writer, reader):
    ten_mib = 10 * 1024 * 1024
    content = bytes(range(256)) * (ten_mib // 256)

    stored = writer.post(DATA_URL, payload(content), format="json")
    refused = writer.post(DATA_URL, payload(content + b"\x00"), format="json")

    assert stored.status_code == 201
    assert_problem(refused, 413)
    assert DataEntry.objects.count() == 1
    response = reader.get(data_url(stored.json()["id"]))
    assert response["Content-Length"] == str(ten_mib)
    assert body_bytes(response) == content


# --- the parser and the database path ---------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"content_type": "application/pdf", "content": "aGk=", "ttl": NaN}',
        b'{"content_type": "application/pdf", "content": "aGk=", "ttl": Infinity}',
        b'{"content_type": "application/pdf", "content": "\xff\xfe"}',  # not UTF-8
        b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
        b"",
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's stack
    ],
    ids=["nan", "infinity", "not-utf8", "bom", "empty", "deeply-nested"],
)
def test_bodies_that_are_not_strict_json_are_400(writer, raw):
    assert_problem(writer.post(DATA_URL, raw, content_type="application/json"), 400)
    assert DataEntry.objects.count() == 0


def test_the_insert_goes_through_djangos_cursor_wrappers(writer):
    """A database failure during the insert is a 503 problem, nothing stored, on
    every backend (on PostgreSQL the insert binds in binary, on a psycopg cursor
    Django wraps like its own)."""
    from django.db import OperationalError, connection

    def fail_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "vault_dataentry"'):
            raise OperationalError("simulated")
        return execute(sql, params, many, context)

    writer.raise_request_exception = False
    with connection.execute_wrapper(fail_insert):
        response = writer.post(DATA_URL, payload(BINARY), format="json")

    assert_problem(response, 503)
    assert DataEntry.objects.count() == 0


def test_a_store_is_one_insert(writer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = writer.post(DATA_URL, payload(BINARY), format="json")

    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries if "vault_dataentry" in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith('INSERT INTO "vault_dataentry"')
