"""The data subject export: content of data.json and summary.html, the admin
button and its permissions, the command, the access-log record, streaming."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from pii.core.errors import AuditUnavailable
from pii.models import AccessEvent, Profile
from pii.profiles.deletion import deletion_request_reject
from pii.subject_rights import export as export_module
from pii.subject_rights.export import SCHEMA_VERSION, subject_export
from tests.support import (
    CLERK_PERMISSIONS,
    T0,
    admin_change_url,
    make_address,
    make_deletion_request,
    make_profile,
    make_staff,
)

pytestmark = pytest.mark.django_db

EXPORTER_PERMISSIONS = (*CLERK_PERMISSIONS, "view_unmasked_pii", "export_personal_data")


def export_url(profile_id: str) -> str:
    return f"/admin/pii/profile/{profile_id}/export-personal-data/"


def event(**fields: Any) -> AccessEvent:
    values = {"occurred_at": T0, "actor_type": "api_key", "action": "profile.read", "outcome": 200}
    return AccessEvent.objects.create(**{**values, **fields})


def read_zip(content: bytes) -> tuple[dict[str, Any], str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "summary.html"]
        data = json.loads(archive.read("data.json"))
        summary = archive.read("summary.html").decode()
    return data, summary


def export_bytes(profile: Profile) -> bytes:
    out = io.BytesIO()
    subject_export(profile.pk, out, T0)
    return out.getvalue()


@pytest.fixture
def subject(django_user_model: Any) -> Profile:
    """A profile with every field, two addresses, a rejected deletion request and
    access-log events about it (as subject, as one object among others) and one not."""
    profile = make_profile(
        email="Ada@Example.com",
        full_name="Ada Lovelace",
        phone_number="+442071234567",
        store_id="store-1",
        created_by="associate-7",
        extended_attributes={"tier": {"data_type": "string", "value": "gold"}},
    )
    make_address(profile, city="London")
    make_address(profile, city="Paris")
    officer = make_staff("decider")
    request = make_deletion_request(profile, now=T0)
    deletion_request_reject(
        deletion_request_id=request.pk, now=T0, decided_by=officer, reason="Open order"
    )
    event(subject_id=profile.pk, actor_name="checkout-key", purpose="checkout")
    event(object_ids=f" NS-EU-other {profile.pk} ", action="profile.list", actor_type="staff")
    event(subject_id="NS-EU-someone-else", actor_name="not-about-her")
    return profile


def test_data_json_holds_the_profile_addresses_requests_and_access_log(subject: Profile):
    data, _ = read_zip(export_bytes(subject))

    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert data["profile"]["id"] == subject.pk
    assert data["profile"]["email"] == "Ada@Example.com"
    assert data["profile"]["full_name"] == "Ada Lovelace"
    assert data["profile"]["phone_number"] == "+442071234567"
    assert data["profile"]["store_id"] == "store-1"
    assert data["profile"]["created_by"] == "associate-7"
    assert data["profile"]["extended_attributes"] == {
        "tier": {"data_type": "string", "value": "gold"}
    }
    assert [a["city"] for a in data["addresses"]] == ["London", "Paris"]
    [request] = data["deletion_requests"]
    assert request["status"] == "rejected"
    assert request["decided_by_id"] is not None
    assert request["requested_at"] == request["decided_at"] == "2025-03-01T12:00:00.000000Z"
    actions = [(e["action"], e["actor_name"], e["purpose"]) for e in data["access_log"]]
    assert ("profile.read", "checkout-key", "checkout") in actions
    assert "profile.list" in [e["action"] for e in data["access_log"]]
    assert "not-about-her" not in [e["actor_name"] for e in data["access_log"]]
    assert "not linked to a profile" in data["not_included"]


def test_summary_is_self_contained_readable_html(subject: Profile):
    _, summary = read_zip(export_bytes(subject))

    assert summary.startswith("<!DOCTYPE html>")
    assert "Ada Lovelace" in summary
    assert "London" in summary
    assert "checkout-key" in summary
    assert "not linked to a profile" in summary
    # No external asset: no link, script or remote source.
    for marker in ("<link", "<script", "src=", "http://", "https://", "@import"):
        assert marker not in summary


def test_summary_escapes_values(make_profile: Any):
    profile = make_profile(full_name="<script>alert(1)</script>")

    _, summary = read_zip(export_bytes(profile))

    assert "<script>" not in summary
    assert "&lt;script&gt;" in summary


def test_export_writes_an_access_log_event(subject: Profile):
    export_bytes(subject)

    recorded = AccessEvent.objects.filter(action="profile.export", subject_id=subject.pk).get()
    assert recorded.purpose == "data_subject_request"
    assert recorded.object_ids == f" {subject.pk} "
    assert recorded.details == {"schema_version": SCHEMA_VERSION}


def test_no_export_when_its_record_cannot_be_written(subject: Profile, access_log_down):
    out = io.BytesIO()

    with pytest.raises(AuditUnavailable):
        subject_export(subject.pk, out, T0)
    assert out.getvalue() == b""


# --- the admin button -----------------------------------------------------------------


def logged_in(*perms: str) -> Client:
    client = Client()
    client.force_login(make_staff("exporter", perms))
    return client


def test_admin_button_downloads_the_zip(subject: Profile):
    client = logged_in(*EXPORTER_PERMISSIONS)

    page = client.get(admin_change_url(subject.pk))
    response = client.get(export_url(subject.pk))

    assert export_url(subject.pk) in page.content.decode()
    assert "Export personal data" in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    data, _ = read_zip(b"".join(response.streaming_content))
    assert data["profile"]["id"] == subject.pk


def test_admin_export_is_recorded_as_the_staff_user_for_a_data_subject_request(subject):
    client = logged_in(*EXPORTER_PERMISSIONS)

    response = client.get(export_url(subject.pk))

    recorded = AccessEvent.objects.get(action="profile.export", subject_id=subject.pk)
    assert (recorded.actor_type, recorded.actor_name) == ("staff", "exporter")
    assert recorded.purpose == "data_subject_request"
    assert recorded.request_id == response["X-Request-ID"]


def test_admin_export_answers_503_when_its_record_cannot_be_written(subject, access_log_down):
    client = logged_in(*EXPORTER_PERMISSIONS)
    client.raise_request_exception = False

    response = client.get(export_url(subject.pk))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["message"] == "The access log is unavailable. Retry later."


@pytest.mark.parametrize(
    "perms",
    [
        (*CLERK_PERMISSIONS, "view_unmasked_pii"),
        (*CLERK_PERMISSIONS, "export_personal_data"),
    ],
    ids=["without-export-permission", "without-unmasked-permission"],
)
def test_export_needs_both_permissions(subject: Profile, perms: tuple[str, ...]):
    client = logged_in(*perms)

    page = client.get(admin_change_url(subject.pk))
    response = client.get(export_url(subject.pk))

    assert response.status_code == 403
    assert "Export personal data" not in page.content.decode()


def test_export_of_an_unknown_profile_is_404(subject: Profile):
    client = logged_in(*EXPORTER_PERMISSIONS)

    response = client.get(export_url("NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX"))

    assert response.status_code == 404


# --- the command ----------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--profile-id", "--display-id", "--email"])
def test_command_writes_the_same_zip(subject: Profile, tmp_path, option: str):
    output = tmp_path / "export.zip"
    value = {
        "--profile-id": subject.pk,
        "--display-id": subject.display_id,
        "--email": "ada@EXAMPLE.com",  # found through the digest: case ignored
    }[option]
    stderr = io.StringIO()

    call_command("export_subject", option, value, "--output", str(output), stderr=stderr)

    data, _ = read_zip(output.read_bytes())
    assert data["profile"]["id"] == subject.pk
    assert "addresses: 2" in stderr.getvalue()


def test_command_refuses_to_overwrite(subject: Profile, tmp_path):
    output = tmp_path / "export.zip"
    output.write_bytes(b"keep me")

    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("export_subject", "--profile-id", subject.pk, "--output", str(output))
    assert output.read_bytes() == b"keep me"


def test_command_unknown_profile(db: None, tmp_path):
    output = tmp_path / "export.zip"

    with pytest.raises(CommandError, match="No such profile"):
        call_command("export_subject", "--email", "nobody@example.com", "--output", str(output))
    assert not output.exists()


def _heap_peak_of_export(profile: Profile) -> int:
    import tempfile
    import tracemalloc

    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        subject_export(profile.pk, out, T0)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_export_streams_memory_stays_flat_as_the_history_grows(make_profile, monkeypatch):
    # Small chunks so that a few thousand events span many of them
    # (scripts/bench_export.py measures 1,000 addresses and 100,000 events).
    monkeypatch.setattr(export_module, "CHUNK_SIZE", 100)
    profile = make_profile()

    def add(count: int) -> None:
        AccessEvent.objects.bulk_create(
            AccessEvent(
                occurred_at=T0,
                actor_type="api_key",
                actor_name="k" * 40,
                action="profile.read",
                subject_id=profile.pk,
                outcome=200,
            )
            for _ in range(count)
        )

    add(300)
    _heap_peak_of_export(profile)  # warm caches (templates, json, zip)
    small = _heap_peak_of_export(profile)
    add(2700)
    large = _heap_peak_of_export(profile)

    # Ten times the events: holding them all would add well over 1 MB.
    assert large < small + 400_000, (small, large)
