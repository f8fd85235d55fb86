"""What the database holds: ciphertext, an opaque digest, and nothing after erasure."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from addresses.models import Address
from addresses.rules import ADDRESS_FIELDS
from addresses.services import address_digest
from tests.support import ADDRESS, addresses_url, stored_text

pytestmark = pytest.mark.django_db

# Every field but the country code (kept clear: it is not personal on its own).
ENCRYPTED = [f for f in ADDRESS_FIELDS if f != "country_code"]


def _raw_rows() -> list[dict[str, object]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM addresses_address")
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_raw_columns_hold_no_clear_text(api_client, profile):
    response = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")
    assert response.status_code == 201

    rows = _raw_rows()

    assert len(rows) == 1
    raw = rows[0]
    dump = " ".join(stored_text(v) for v in raw.values())
    for field in ENCRYPTED:
        assert ADDRESS[field] not in dump, field
        assert stored_text(raw[field]).startswith("gAAAAA"), field  # a Fernet token
    # Parts of values must not leak either (e.g. a street or a phone's digits).
    for fragment in ("Mustermann", "Heidestrasse", "Koeln", "51147", "22112345678"):
        assert fragment not in dump
    # Left in clear on purpose (docs/addresses.md).
    assert raw["country_code"] == "DE"


def test_a_patch_writes_ciphertext_and_a_new_digest(api_client, profile):
    created = api_client.post(addresses_url(profile.pk), ADDRESS, format="json").json()
    before = _raw_rows()[0]
    url = f"{addresses_url(profile.pk)}/{created['id']}"

    response = api_client.patch(
        url,
        {"last_updated_at": created["updated_at"], "city": "Wuppertal", "state": "NRW-Ost"},
        format="json",
    )

    assert response.status_code == 200
    raw = _raw_rows()[0]
    dump = " ".join(stored_text(v) for v in raw.values())
    assert "Wuppertal" not in dump
    assert "NRW-Ost" not in dump
    assert stored_text(raw["city"]).startswith("gAAAAA")
    assert raw["equality_digest"] != before["equality_digest"]


def test_the_digest_is_keyed_with_the_blind_index_key(api_client, profile):
    body = api_client.post(addresses_url(profile.pk), ADDRESS, format="json").json()
    digest = _raw_rows()[0]["equality_digest"]
    values = {**ADDRESS, "country_code": body["country_code"]}

    with override_settings(BLIND_INDEX_KEY="another-key"):
        under_another_key = address_digest(profile_id=profile.pk, values=values)

    assert len(digest) == 64
    assert digest == address_digest(profile_id=profile.pk, values=values)
    assert under_another_key != digest


def test_the_same_address_on_two_profiles_has_unrelated_digests(make_profile, create_address):
    one, two = make_profile(), make_profile()
    create_address(one.pk)
    create_address(two.pk)

    digests = {row["equality_digest"] for row in _raw_rows()}

    assert len(digests) == 2


def test_null_optional_fields_are_stored_as_null(api_client, profile):
    payload = {k: ADDRESS[k] for k in ("full_name", "address_line_1", "zip_code", "city")}
    api_client.post(addresses_url(profile.pk), {**payload, "country_code": "de"}, format="json")

    raw = _raw_rows()[0]

    for field in ("company_name", "address_line_2", "state", "contact_phone"):
        assert raw[field] is None


def test_deleting_the_profile_deletes_its_addresses(api_client, make_profile, create_address):
    erased, kept = make_profile(), make_profile()
    create_address(erased.pk)
    create_address(erased.pk, city="Bonn")
    survivor = create_address(kept.pk)

    erased.delete()

    assert list(Address.objects.values_list("pk", flat=True)) == [survivor["id"]]
    assert len(_raw_rows()) == 1


def test_the_database_refuses_a_second_equal_address_of_a_profile(
    api_client, profile, create_address
):
    from django.db import IntegrityError, transaction

    existing = Address.objects.get(pk=create_address(profile.pk)["id"])
    duplicate = Address(
        profile=profile,
        **{f: getattr(existing, f) for f in ADDRESS},
        equality_digest=existing.equality_digest,
        created_at=existing.created_at,
        updated_at=existing.updated_at,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)
