"""Every admin list costs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pii.profiles import deletion
from tests.support import ADMIN_DELETION_REQUESTS_URL, ADMIN_PROFILES_URL


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (ADMIN_PROFILES_URL, None),
        (ADMIN_PROFILES_URL, {"q": "shop.example"}),
        (ADMIN_DELETION_REQUESTS_URL, None),
        ("/admin/pii/token/", None),
        ("/admin/pii/apikey/", None),
        ("/admin/", None),
    ],
)
@pytest.mark.django_db
def test_a_list_costs_the_same_for_few_and_many_rows(
    officer_client, officer, make_profile, api_client, url, params
):
    def add(count: int, offset: int) -> None:
        for i in range(offset, offset + count):
            profile = make_profile(email=f"p{i}@shop.example")
            request_ = deletion.deletion_request_create(profile_id=profile.pk, now=timezone.now())
            if i % 2:
                from pii.profiles.deletion import deletion_request_reject

                deletion_request_reject(
                    deletion_request_id=request_.pk,
                    now=timezone.now(),
                    decided_by=officer,
                    reason="kept",
                )
        api_client.post(
            "/v1/d/pii/tokenize", {"data": {str(i): i for i in range(count)}}, format="json"
        )

    add(3, 0)
    few = queries(officer_client, url, params)
    add(20, 3)
    many = queries(officer_client, url, params)

    assert many == few
    # A search also counts against ADMIN_SEARCH_RATE (the database cache: a few
    # queries) and, on PostgreSQL, plans for its terms (a savepoint, the setting,
    # the release: `search_sql.planned_for_each_term`).
    planning = 3 if params and connection.vendor == "postgresql" else 0
    assert few <= (16 if params else 12) + planning
