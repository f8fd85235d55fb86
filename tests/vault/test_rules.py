"""The vault's rules hold when the service is called directly, not only
through the API: bad media types, ttls and contents are refused by name, and
nothing is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from pii.core import registry
from pii.core.errors import ContentTooLarge, InvalidInput
from tests.support import BAD_MEDIA_TYPES, BAD_TTL, T0
from vault import rules
from vault.models import DataEntry
from vault.services import data_entry_create

pytestmark = pytest.mark.django_db


def create(**overrides):
    values = {"content_type": "application/pdf", "content": b"%PDF", "ttl_days": None}
    return data_entry_create(**{**values, **overrides}, now=T0)


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        *(pytest.param("content_type", {"content_type": v}, id=repr(v)) for v in BAD_MEDIA_TYPES),
        *(pytest.param("ttl", {"ttl_days": v}, id=f"ttl-{v!r}") for v in BAD_TTL),
    ],
)
def test_the_service_refuses_a_bad_media_type_or_ttl(field, overrides):
    with pytest.raises(InvalidInput) as caught:
        create(**overrides)

    assert list(caught.value.errors) == [field]
    assert DataEntry.objects.count() == 0


@pytest.mark.parametrize("content", ["aGVsbG8=", None, 123, ["x"]], ids=repr)
def test_the_service_refuses_content_that_is_not_bytes(content):
    with pytest.raises(InvalidInput) as caught:
        create(content=content)

    assert caught.value.errors == {"content": [rules.CONTENT_NOT_BYTES]}
    assert DataEntry.objects.count() == 0


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidInput) as caught:
        create(content_type="pdf", content="x", ttl_days=0)

    assert set(caught.value.errors) == {"content_type", "content", "ttl"}


@override_settings(DATA_MAX_BYTES=16)
def test_the_service_refuses_content_over_the_limit():
    with pytest.raises(ContentTooLarge, match="16 bytes"):
        create(content=b"x" * 17)

    assert DataEntry.objects.count() == 0


@override_settings(DATA_MAX_BYTES=16)
def test_the_service_stores_valid_input():
    entry = create(content=bytearray(b"x" * 16), ttl_days=1)

    assert DataEntry.objects.get(pk=entry.pk).size == 16
    assert entry.expires_at == T0 + timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "decoded"), [("aGVsbG8=", b"hello"), ("", b""), ("aGVsbG8", None), ("-_-_", None)]
)
def test_decode_base64_is_strict(text, decoded):
    assert rules.decode_base64(text) == decoded


def test_the_dashboard_counts_expired_entries_awaiting_purge():
    (item,) = [i for i in registry.dashboard_counts() if i.permission == "vault.view_dataentry"]
    for expires_at in (T0 - timedelta(days=1), T0, T0 + timedelta(days=1), None):
        DataEntry.objects.create(
            content_type="text/plain", content=b"c", size=1, created_at=T0, expires_at=expires_at
        )

    assert item.count(now=T0) == 2
    assert (item.url_name, item.query) == ("admin:vault_dataentry_changelist", "expired=yes")
