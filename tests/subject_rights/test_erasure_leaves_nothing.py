"""After an erasure, walk every table: nothing references the profile except its
deletion requests (with the receipt) and access-log events (ids only), and no
ciphertext, digest or clear value of its personal data remains anywhere."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from addresses.models import Address
from pii.models import AccessEvent, DeletionRequest, Profile
from pii.profiles.deletion import deletion_request_approve, deletion_request_reject
from tests.support import (
    T0,
    make_address,
    make_deletion_request,
    make_profile,
    make_staff,
    stored_text,
)

pytestmark = pytest.mark.django_db

# Where the profile's id may stay: ids, never PII.
ALLOWED = {DeletionRequest._meta.db_table, AccessEvent._meta.db_table}
CLEAR = ("walk@example.com", "Walter Erasmus", "+4930123456789", "Unter den Linden 7")


def stored_values(table: str, columns: list[str], where: str, pk: str) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608 - names from the models
            f"WHERE {quote(where)} = %s",
            [pk],
        )
        return [stored_text(v) for row in cursor.fetchall() for v in row if v not in (None, "")]


def every_row_of_every_table() -> dict[str, list[str]]:
    """Each table's rows as text (raw SQL, so nothing is decrypted or skipped)."""
    quote = connection.ops.quote_name
    rows: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - introspected names
            rows[table] = [" ".join(stored_text(v) for v in row) for row in cursor.fetchall()]
    return rows


def test_erasure_leaves_only_ids_in_requests_and_access_log():
    profile = make_profile(email=CLEAR[0], full_name=CLEAR[1], phone_number=CLEAR[2])
    make_address(profile, address_line_1=CLEAR[3])
    make_address(profile, city="Potsdam")
    assert profile.search_tokens
    staff = make_staff("officer")
    earlier = make_deletion_request(profile, now=T0)
    deletion_request_reject(deletion_request_id=earlier.pk, now=T0, decided_by=staff, reason="x")
    request = make_deletion_request(profile, now=T0)
    # What erasure must remove, as stored: ciphertexts, digests, search tokens.
    profile_columns = [
        "email",
        "full_name",
        "phone_number",
        "extended_attributes",
        "email_digest",
        "search_tokens",
    ]
    secrets = stored_values(Profile._meta.db_table, profile_columns, "id", profile.pk)
    address_columns = [
        f.column
        for f in Address._meta.concrete_fields
        if f.get_internal_type() == "BinaryField" or f.name == "equality_digest"
    ]
    secrets += stored_values(Address._meta.db_table, address_columns, "profile_id", profile.pk)
    assert len(secrets) >= 10
    address_ids = list(Address.objects.filter(profile=profile).values_list("pk", flat=True))

    deletion_request_approve(deletion_request_id=request.pk, now=T0, decided_by=staff)

    # Every model, through the ORM: no text column holds the profile's id.
    for model in apps.get_models():
        if model._meta.db_table in ALLOWED:
            continue
        for field in model._meta.concrete_fields:
            clear_text = field.get_internal_type() in ("CharField", "TextField")
            if clear_text and not field.choices:
                hits = model._default_manager.filter(**{f"{field.name}__contains": profile.pk})
                assert not hits.exists(), f"{model._meta.label}.{field.name}"
    # Every table, raw: no id (outside the allowed tables), no ciphertext, no clear value.
    for table, rows in every_row_of_every_table().items():
        for row in rows:
            if table not in ALLOWED:
                assert profile.pk not in row, table
                assert not any(a in row for a in address_ids), table
            for secret in secrets:
                assert secret not in row, f"stored PII of the profile left in {table}"
            for value in CLEAR:
                assert value not in row, f"clear PII in {table}"
    # What stays: both requests (detached), the receipt, ids only.
    kept = DeletionRequest.objects.filter(profile_ref=profile.pk)
    assert sorted(kept.values_list("status", flat=True)) == ["executed", "rejected"]
    assert not kept.filter(profile__isnull=False).exists()
    assert kept.get(status="executed").receipt["erased"]["addresses"] == 2
