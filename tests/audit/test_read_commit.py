"""A read's event commits without waiting for the WAL flush, a write's does not
(docs/audit.md, "Cost"); a read whose event cannot be written still fails 503.
PostgreSQL only: elsewhere every event commits as before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pii.core.timestamps import rfc3339
from pii.models import AccessEvent
from tests.support import (
    address_url,
    assert_problem,
    data_url,
    make_address,
    make_data_entry,
    profile_url,
    unknown_profile_id,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# `SET LOCAL synchronous_commit TO off`, inside the event's INSERT itself.
ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)"


def _read_url(what: str, profile) -> str:
    if what == "address":
        return address_url(profile.pk, make_address(profile).pk)
    if what == "data":
        return data_url(make_data_entry().pk)
    return profile_url(profile.pk)


def _event_inserts(queries: CaptureQueriesContext) -> list[str]:
    """Statements writing an event: an INSERT, or a read whose event is a
    data-modifying CTE of its SELECT (`WITH audit_event AS (INSERT ...) SELECT`)."""
    return [
        q["sql"] for q in queries.captured_queries if 'INSERT INTO "pii_accessevent"' in q["sql"]
    ]


@pytest.mark.parametrize("what", ["profile", "address", "data"])
def test_a_reads_event_commits_without_waiting_for_the_flush(api_client, profile, what):
    url = _read_url(what, profile)

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url)

    assert response.status_code == 200
    (insert,) = _event_inserts(queries)
    assert ASYNC_COMMIT in insert
    assert AccessEvent.objects.filter(request_id=response["X-Request-ID"]).count() == 1


@pytest.mark.parametrize("what", ["profile", "address", "data"])
def test_a_read_and_its_event_are_one_statement(api_client, profile, what):
    url = _read_url(what, profile)
    api_client.get(url)  # the key is cached from here on

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url)

    assert response.status_code == 200
    (statement,) = queries.captured_queries
    assert statement["sql"].startswith("WITH audit_read AS MATERIALIZED (SELECT")
    assert 'audit_event AS (INSERT INTO "pii_accessevent"' in statement["sql"]
    assert AccessEvent.objects.filter(request_id=response["X-Request-ID"]).count() == 1


def test_an_unknown_profile_is_not_recorded_as_read(api_client):
    response = api_client.get(profile_url(unknown_profile_id()))

    assert_problem(response, 404)
    assert not AccessEvent.objects.filter(request_id=response["X-Request-ID"]).exists()


def test_a_writes_event_keeps_the_writes_durable_commit(api_client, profile):
    body = {"last_updated_at": rfc3339(profile.updated_at), "full_name": "Marie Curie"}

    with CaptureQueriesContext(connection) as queries:
        response = api_client.patch(profile_url(profile.pk), body, format="json")

    assert response.status_code == 200
    (insert,) = _event_inserts(queries)
    assert ASYNC_COMMIT not in insert


def test_a_read_whose_event_cannot_be_written_is_not_answered(api_client, profile, access_log_down):
    api_client.raise_request_exception = False

    response = api_client.get(profile_url(profile.pk))

    assert_problem(response, 503)
    assert profile.email not in response.content.decode()


def test_the_read_is_a_prepared_statement_after_a_few_requests(api_client, profile):
    """Server-side binding with psycopg's prepare threshold (config/settings.py,
    docs/operations.md "Database connections"): the hot read is planned once
    per connection, not on every request."""
    url = profile_url(profile.pk)
    for _ in range(6):
        assert api_client.get(url).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["WITH audit_read AS MATERIALIZED (SELECT%"],
        )
        (prepared,) = cursor.fetchone()

    assert prepared == 1
