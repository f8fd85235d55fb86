"""GET /data/{id} on PostgreSQL outside a transaction: one statement that reads
the entry in binary format and writes its event (`audit_read_row` with
`live_at` and `binary`). The bytes come back exact, and an expired entry is
not found, with no event, exactly as the ORM's `live()` decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pii.models import AccessEvent
from tests.support import assert_problem, data_url, make_data_entry
from vault.models import DataEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EVERY_BYTE = bytes(range(256)) * 4 + b"\x00"


def _events(response) -> int:
    return AccessEvent.objects.filter(request_id=response["X-Request-ID"]).count()


def test_the_content_comes_back_byte_exact(api_client):
    entry = make_data_entry(EVERY_BYTE, content_type="application/octet-stream")

    response = api_client.get(data_url(entry.pk))

    assert response.status_code == 200
    assert response.content == EVERY_BYTE
    assert response["Content-Length"] == str(len(EVERY_BYTE))
    assert _events(response) == 1


def test_the_id_is_found_in_any_letter_case(api_client):
    entry = make_data_entry()

    response = api_client.get(data_url(entry.pk[:6] + entry.pk[6:].upper()))

    assert response.status_code == 200
    assert AccessEvent.objects.get(request_id=response["X-Request-ID"]).object_ids == (
        f" {entry.pk} "
    )


@pytest.mark.parametrize(
    ("age", "found"),
    [
        (timedelta(0), False),  # expires_at == now: expired (`expires_at <= now`)
        (timedelta(days=1, seconds=1), False),
        (-timedelta(seconds=5), True),
    ],
    ids=["expiring-now", "expired", "not-yet"],
)
def test_an_entry_is_live_exactly_as_the_orm_says(api_client, age, found, monkeypatch):
    entry = make_data_entry(ttl_days=1)
    now = entry.expires_at + age
    monkeypatch.setattr(timezone, "now", lambda: now)

    response = api_client.get(data_url(entry.pk))

    assert DataEntry.objects.live(now).filter(pk=entry.pk).exists() is found
    if found:
        assert response.status_code == 200
        assert _events(response) == 1
    else:
        assert_problem(response, 404)
        assert _events(response) == 0


def test_an_entry_without_expiry_is_live(api_client):
    entry = make_data_entry(ttl_days=None)
    assert entry.expires_at is None

    response = api_client.get(data_url(entry.pk))

    assert response.status_code == 200
