"""What every back-office page shows a support agent, whatever the model: plain
titles, and times in one format that says its zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from pii.profiles import deletion
from tests.support import (
    ADMIN_DELETION_REQUESTS_URL,
    ADMIN_PROFILES_URL,
    admin_change_url,
    page_text,
)

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (ADMIN_PROFILES_URL, "Profiles"),
        (ADMIN_DELETION_REQUESTS_URL, "Deletion requests"),
        ("/admin/pii/token/", "Tokens"),
        ("/admin/pii/apikey/", "API keys"),
    ],
)
@pytest.mark.django_db
def test_a_list_is_titled_by_what_it_lists(officer_client, url, title):
    text = page_text(officer_client.get(url))

    assert f"<h1>{title}</h1>" in text
    assert "Select " not in text


@pytest.mark.django_db
def test_the_profile_and_request_pages_show_times_as_the_lists_do(officer_client, make_profile):
    profile = make_profile(now=T0)
    with time_machine.travel(T0, tick=False):
        request_ = deletion.deletion_request_create(profile_id=profile.pk, now=timezone.now())

    pages = [
        page_text(officer_client.get(ADMIN_PROFILES_URL)),
        page_text(officer_client.get(admin_change_url(profile.pk))),
        page_text(officer_client.get(ADMIN_DELETION_REQUESTS_URL)),
        page_text(officer_client.get(f"{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/change/")),
    ]

    for text in pages:
        assert "2025-03-01 09:30 UTC" in text
        assert "a.m." not in text
