"""The admin's landing page: counts of what needs attention, each linked to its list."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from pii.admin.dashboard import dashboard_items
from pii.profiles import deletion
from tests.support import page_text

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def items_by_label(response) -> dict[str, object]:
    return {item.label: item for item in response.context["pii_dashboard"]}


@pytest.fixture
def world(make_profile, api_client):
    """4 profiles, 2 pending deletion requests (1 overdue at T0 + 31 days), 1
    rejected; 3 tokens and 2 data entries made at T0 (ttl 1 day), 1 of each
    made 10 days later (still live at T0 + 31 days... tokens live 30 days)."""
    with time_machine.travel(T0, tick=False):
        profiles = [make_profile(email=f"p{i}@example.org") for i in range(4)]
        deletion.deletion_request_create(profile_id=profiles[0].pk, now=T0)
        api_client.post("/v1/d/pii/tokenize", {"data": {"a": 1, "b": 2, "c": 3}}, format="json")
        for _ in range(2):
            api_client.post(
                "/v1/d/pii/data",
                {
                    "content_type": "text/plain",
                    "content": base64.b64encode(b"x").decode(),
                    "ttl": 1,
                },
                format="json",
            )
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        later = T0 + timedelta(days=10)
        deletion.deletion_request_create(profile_id=profiles[1].pk, now=later)
        rejected = deletion.deletion_request_create(profile_id=profiles[2].pk, now=later)
        rejected.status = "rejected"
        rejected.save()
        api_client.post("/v1/d/pii/tokenize", {"data": {"d": 4}}, format="json")
        api_client.post(
            "/v1/d/pii/data",
            {"content_type": "text/plain", "content": base64.b64encode(b"y").decode()},
            format="json",
        )
    return profiles


@pytest.mark.django_db
def test_the_index_shows_the_counts(officer_client, world):
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        response = officer_client.get("/admin/")

    items = items_by_label(response)
    assert items["Profiles"].count == 4
    assert items["Pending deletion requests"].count == 2
    assert items["Pending deletion requests"].note == "1 overdue"
    assert items["Pending deletion requests"].alert is True
    assert items["Expired data entries awaiting purge"].count == 2
    assert items["Live tokens"].count == 1
    assert items["Expired tokens awaiting purge"].count == 3


@pytest.mark.django_db
def test_each_count_links_to_its_filtered_list(officer_client, world):
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        response = officer_client.get("/admin/")
        items = items_by_label(response)
        text = page_text(response)
        followed = {label: officer_client.get(item.url) for label, item in items.items()}
        overdue = officer_client.get(items["Pending deletion requests"].note_url)

    assert items["Profiles"].url == "/admin/pii/profile/"
    assert items["Pending deletion requests"].url == ("/admin/pii/deletionrequest/?status=pending")
    assert items["Pending deletion requests"].note_url == "/admin/pii/deletionrequest/?due=overdue"
    assert items["Expired data entries awaiting purge"].url == (
        "/admin/vault/dataentry/?expired=yes"
    )
    assert items["Live tokens"].url == "/admin/pii/token/?expired=no"
    assert items["Expired tokens awaiting purge"].url == "/admin/pii/token/?expired=yes"
    for item in items.values():
        assert f'href="{item.url}"' in text.replace("&amp;", "&")
    # Each list shows as many rows as its count said.
    for label, item in items.items():
        assert followed[label].status_code == 200, label
        assert followed[label].context["cl"].result_count == item.count, label
    assert overdue.context["cl"].result_count == 1


@pytest.mark.django_db
def test_no_overdue_request_no_alert(officer_client, world):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = officer_client.get("/admin/")

    item = items_by_label(response)["Pending deletion requests"]
    assert item.note == "0 overdue"
    assert item.alert is False


@pytest.mark.django_db
def test_staff_see_only_the_counts_they_may_view(make_staff, world):
    client = Client()
    client.force_login(make_staff("tokens-only", ("view_token",)))

    response = client.get("/admin/")

    assert set(items_by_label(response)) == {"Live tokens", "Expired tokens awaiting purge"}


@pytest.mark.django_db
def test_the_counts_decrypt_nothing(rf, officer, world, monkeypatch):
    from cryptography.fernet import Fernet

    def refuse(*args, **kwargs):
        raise AssertionError("decrypted")

    monkeypatch.setattr(Fernet, "decrypt", refuse)
    request = rf.get("/admin/")
    request.user = officer

    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        items = dashboard_items(request, now=datetime.now(tz=UTC))

    assert len(items) == 5
