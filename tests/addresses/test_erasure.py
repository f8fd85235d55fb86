"""Addresses through the deletion workflow: erased with the profile, writable
again after a rejection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from addresses.models import Address
from pii.core.registry import resolver_for
from pii.profiles.deletion import (
    deletion_request_approve,
    deletion_request_create,
    deletion_request_reject,
)
from tests.support import ADDRESS, address_url, addresses_url

pytestmark = pytest.mark.django_db


def test_approving_the_deletion_erases_the_addresses(api_client, make_profile, create_address):
    erased, kept = make_profile(), make_profile()
    gone = [create_address(erased.pk), create_address(erased.pk, city="Bonn")]
    survivor = create_address(kept.pk)
    request = deletion_request_create(profile_id=erased.pk, now=timezone.now())

    deletion_request_approve(deletion_request_id=request.pk, now=timezone.now(), decided_by=None)

    assert api_client.get(addresses_url(erased.pk)).status_code == 404
    for address in gone:
        assert api_client.get(address_url(erased.pk, address["id"])).status_code == 404
    resolve = resolver_for("address").resolve
    assert resolve([a["id"] for a in gone], now=timezone.now()) == {}
    assert list(Address.objects.values_list("pk", flat=True)) == [survivor["id"]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM addresses_address")
        assert cursor.fetchone()[0] == 1


def test_after_a_rejection_writes_work_again(api_client, profile, create_address):
    address = create_address(profile.pk)
    request = deletion_request_create(profile_id=profile.pk, now=timezone.now())
    refused = api_client.post(addresses_url(profile.pk), {**ADDRESS, "city": "Bonn"}, format="json")

    deletion_request_reject(
        deletion_request_id=request.pk, now=timezone.now(), decided_by=None, reason="Customer"
    )
    created = api_client.post(addresses_url(profile.pk), {**ADDRESS, "city": "Bonn"}, format="json")
    deleted = api_client.delete(address_url(profile.pk, address["id"]))

    assert refused.status_code == 409
    assert created.status_code == 201
    assert deleted.status_code == 204
