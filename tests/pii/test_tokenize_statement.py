"""POST /tokenize on PostgreSQL outside a transaction: the tokens and their
event are one statement (`audit_write_statement`: the tokens' INSERT as a CTE
of the event's), with every value written exactly as the ORM would write it,
and nothing written when the event cannot be."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pii.audit import actions
from pii.core.ids import new_object_id
from pii.models import AccessEvent, Token
from pii.tokens import services
from tests.support import assert_problem, detokenize, tokenize

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VALUES = {
    "text": "Grüße, 東京 \u2028",
    "number": 12.5,
    "integer": 7,
    "true": True,
    "null": None,
    "object": {"a": [1, "b", None]},
    "array": ["x", {"y": 2}],
}


def test_tokens_and_their_event_are_one_statement(api_client):
    tokenize(api_client, {"warm": "up"})  # the key is cached from here on

    with CaptureQueriesContext(connection) as queries:
        response = tokenize(api_client, VALUES)

    assert response.status_code == 200
    (statement,) = queries.captured_queries
    assert statement["sql"].startswith('WITH audit_write AS (INSERT INTO "pii_token"')
    event = AccessEvent.objects.get(request_id=response["X-Request-ID"])
    tokens = response.json()["tokens"]
    assert event.action == actions.TOKEN_TOKENIZE
    assert set(event.object_ids.split()) == set(tokens.values())
    assert event.details["count"] == len(VALUES)


def test_every_value_comes_back_exactly_through_detokenize_and_the_orm(api_client):
    tokens = tokenize(api_client, VALUES).json()["tokens"]

    answered = detokenize(api_client, tokens).json()
    stored = {token.pk: token for token in Token.objects.filter(pk__in=tokens.values())}

    assert answered == {"data": VALUES, "errors": {}}
    for key, token_id in tokens.items():
        assert stored[token_id].value == VALUES[key]
    # The two timestamps are one value each for the whole batch.
    (created_at,) = {token.created_at for token in stored.values()}
    (expires_at,) = {token.expires_at for token in stored.values()}
    assert expires_at == created_at + timedelta(days=settings.TOKEN_TTL_DAYS)


def test_a_column_given_neither_per_row_nor_shared_gets_its_default(monkeypatch):
    """The statement covers every column of Token: one the caller does not
    give is written as a new Token would have it (a column added later cannot
    be left out of /tokenize's INSERT). The default is one a column left out
    of the INSERT would not get (it would be NULL)."""
    value = Token._meta.get_field("value")
    monkeypatch.setattr(value, "get_default", lambda: {"by": "default"})
    now = timezone.now()
    ids = [new_object_id(now=now) for _ in range(2)]
    sql, params = services._tokens_insert(
        {"id": ids}, {"created_at": now, "expires_at": services.token_expires_at(now=now)}
    )

    with connection.cursor() as cursor:
        cursor.execute(sql, params)

    stored = Token.objects.filter(pk__in=ids)
    assert sorted(token.pk for token in stored) == sorted(ids)
    assert [token.value for token in stored] == [{"by": "default"}] * 2
    assert {token.created_at for token in stored} == {now}


def test_nothing_is_written_when_the_event_cannot_be(api_client, access_log_down):
    api_client.raise_request_exception = False
    before = Token.objects.count()

    response = tokenize(api_client, VALUES)

    assert_problem(response, 503)
    assert Token.objects.count() == before


def test_token_ids_have_no_pattern_index():
    """Migration 0013: ids are looked up whole, so no `varchar_pattern_ops`
    index is kept up to date on every /tokenize."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'pii_token'")
        definitions = [definition for (definition,) in cursor.fetchall()]

    assert len(definitions) == 2  # the primary key and expires_at (for the purge)
    assert not [d for d in definitions if "pattern_ops" in d]
