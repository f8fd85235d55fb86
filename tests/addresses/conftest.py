"""Fixtures for the address API tests. `make_profile` and `profile` come from
tests/conftest.py; helpers live in `tests.support`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.support import ADDRESS, addresses_url


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
