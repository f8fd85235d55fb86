"""The erasure receipt: written when the erasure executes (ids and counts, no
PII, the id of the access-log event that records it), completed at download
with the digest of the segment that seals that event, downloadable from the
deletion request's admin page (JSON, printable page)."""

from __future__ import annotations

import io
import json
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.test import Client

from pii.audit.sealing import audit_seal
from pii.core.errors import AuditUnavailable
from pii.models import AccessEvent, DeletionRequest, Profile
from pii.profiles.deletion import deletion_request_approve, profile_erase
from pii.subject_rights.receipt import NOT_SEALED, receipt_document
from tests.support import (
    CLERK_PERMISSIONS,
    T0,
    access_log_refusing,
    make_address,
    make_deletion_request,
    make_profile,
    make_staff,
)

pytestmark = pytest.mark.django_db

EMAIL = "grace@example.com"
NAME = "Grace Hopper"


def receipt_url(request_id: str, fmt: str) -> str:
    return f"/admin/pii/deletionrequest/{request_id}/receipt.{fmt}"


@pytest.fixture
def erased() -> tuple[DeletionRequest, Profile, Any]:
    profile = make_profile(email=EMAIL, full_name=NAME)
    make_address(profile, city="Arlington")
    make_address(profile, city="New York")
    approver = make_staff("approver")
    request = make_deletion_request(profile, now=T0)
    record = deletion_request_approve(deletion_request_id=request.pk, now=T0, decided_by=approver)
    return DeletionRequest.objects.get(pk=record.pk), profile, approver


def test_erasure_stores_a_receipt_of_ids_and_counts(erased):
    record, profile, approver = erased

    receipt = record.receipt

    assert receipt["deletion_request_id"] == record.pk
    assert receipt["profile_id"] == profile.pk
    assert receipt["display_id"] == profile.display_id
    assert receipt["erased"] == {
        "profile": 1,
        "addresses": 2,
        "search_index_entries": len(profile.search_tokens),
        "email_digest": True,
    }
    assert receipt["erased"]["search_index_entries"] > 0
    assert receipt["approved_by"] == {"id": approver.pk, "username": "approver"}
    assert receipt["requested_at"] == receipt["approved_at"] == receipt["executed_at"]
    assert receipt["executed_at"] == "2025-03-01T12:00:00.000000Z"
    text = json.dumps(receipt)
    assert EMAIL not in text
    assert NAME not in text
    assert "Arlington" not in text


def test_erasure_without_a_request_keeps_a_receipt_too(make_profile):
    profile = make_profile()

    record = profile_erase(profile_id=profile.pk, now=T0, decided_by=None)

    assert record.receipt["erased"]["addresses"] == 0
    assert record.receipt["approved_by"] is None


def test_rejected_request_has_no_receipt(make_profile):
    from pii.profiles.deletion import deletion_request_reject

    request = make_deletion_request(make_profile())
    record = deletion_request_reject(
        deletion_request_id=request.pk, now=T0, decided_by=None, reason="No"
    )

    assert DeletionRequest.objects.get(pk=record.pk).receipt is None
    assert receipt_document(record) is None


def erase_event_id(profile: Profile) -> int:
    return AccessEvent.objects.get(action="profile.erase", subject_id=profile.pk).pk


def test_erasure_stores_the_id_of_its_access_log_event(erased):
    record, profile, _ = erased

    stored = DeletionRequest.objects.get(pk=record.pk).receipt

    assert stored["access_log_event_id"] == erase_event_id(profile)


def test_no_erasure_and_no_receipt_when_its_event_cannot_be_written(make_profile):
    profile = make_profile()
    request = make_deletion_request(profile, now=T0)

    with access_log_refusing(), pytest.raises(AuditUnavailable):
        deletion_request_approve(deletion_request_id=request.pk, now=T0, decided_by=None)
    assert Profile.objects.filter(pk=profile.pk).exists()
    record = DeletionRequest.objects.get(pk=request.pk)
    assert (record.status, record.receipt) == ("pending", None)


def test_download_says_not_sealed_yet_before_sealing(erased):
    record, profile, _ = erased

    document = receipt_document(record)

    assert document["access_log_event_id"] == erase_event_id(profile)
    assert document["access_log_segment_digest"] == NOT_SEALED


def test_download_gives_the_digest_of_the_sealing_segment_and_verify_audit_confirms_it(erased):
    record, _, _ = erased
    segment = audit_seal(now=T0)
    out = io.StringIO()

    document = receipt_document(record)
    call_command("verify_audit", "--event", str(document["access_log_event_id"]), stdout=out)

    assert document["access_log_segment_digest"] == segment.digest
    assert f"is sealed in segment {segment.pk}" in out.getvalue()


def test_migration_fills_the_event_id_of_earlier_receipts(erased):
    record, profile, _ = erased
    stored = {**record.receipt, "access_log_event_id": None}  # as erasures wrote it before
    DeletionRequest.objects.filter(pk=record.pk).update(receipt=stored)
    fill_event_ids = import_module("pii.migrations.0008_receipt_event_id").fill_event_ids

    fill_event_ids(django_apps, None)

    receipt = DeletionRequest.objects.get(pk=record.pk).receipt
    assert receipt == {**stored, "access_log_event_id": erase_event_id(profile)}


# --- the admin page -------------------------------------------------------------------


def staff_client(*perms: str) -> Client:
    client = Client()
    client.force_login(make_staff("reviewer", perms))
    return client


def test_admin_offers_and_serves_both_downloads(erased):
    record, profile, _ = erased
    client = staff_client(*CLERK_PERMISSIONS)

    page = client.get(f"/admin/pii/deletionrequest/{record.pk}/change/").content.decode()
    as_json = client.get(receipt_url(record.pk, "json"))
    as_html = client.get(receipt_url(record.pk, "html"))

    assert receipt_url(record.pk, "json") in page
    assert receipt_url(record.pk, "html") in page
    assert as_json.status_code == 200
    assert as_json["Content-Type"] == "application/json"
    assert "attachment" in as_json["Content-Disposition"]
    assert as_json.json()["profile_id"] == profile.pk
    assert as_html.status_code == 200
    html = as_html.content.decode()
    assert profile.display_id in html
    assert "Erasure receipt" in html
    assert "<script" not in html
    assert "<link" not in html


def test_pending_request_offers_no_receipt(make_profile):
    request = make_deletion_request(make_profile())
    client = staff_client(*CLERK_PERMISSIONS)

    page = client.get(f"/admin/pii/deletionrequest/{request.pk}/change/").content.decode()

    assert "receipt.json" not in page
    assert client.get(receipt_url(request.pk, "json")).status_code == 404


def test_receipt_needs_the_view_permission(erased):
    record, _, _ = erased
    client = staff_client("view_profile")

    assert client.get(receipt_url(record.pk, "json")).status_code == 403
