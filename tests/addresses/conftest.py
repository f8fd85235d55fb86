"""Fixtures for the address API tests: profiles made through the pii service,
address payloads, and a helper that creates an address through the API."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pii.models import Profile
from pii.profiles.services import profile_get_or_create

_emails = itertools.count()

ADDRESS = {
    "full_name": "Erika Mustermann",
    "company_name": "Muster GmbH",
    "address_line_1": "Heidestrasse 17",
    "address_line_2": "Hinterhaus, 3. OG",
    "zip_code": "51147",
    "city": "Koeln",
    "state": "Nordrhein-Westfalen",
    "country_code": "DE",
    "contact_phone": "+4922112345678",
}


def addresses_url(profile_id: str) -> str:
    return f"/v1/d/pii/profiles/{profile_id}/addresses"


def address_url(profile_id: str, address_id: str) -> str:
    return f"/v1/d/pii/profiles/{profile_id}/addresses/{address_id}"


@pytest.fixture
def make_profile(db: None) -> Callable[[], Profile]:
    def _make() -> Profile:
        profile, created = profile_get_or_create(
            data={"email": f"customer{next(_emails)}@example.com"}, now=timezone.now()
        )
        assert created
        return profile

    return _make


@pytest.fixture
def profile(make_profile: Callable[[], Profile]) -> Profile:
    return make_profile()


@pytest.fixture
def address_payload() -> dict[str, Any]:
    return dict(ADDRESS)


@pytest.fixture
def create_address(api_client: APIClient) -> Callable[..., dict[str, Any]]:
    """create_address(profile_id, **overrides) -> the 201 body of a new address."""

    def _create(profile_id: str, **overrides: Any) -> dict[str, Any]:
        response = api_client.post(
            addresses_url(profile_id), {**ADDRESS, **overrides}, format="json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    return _create
