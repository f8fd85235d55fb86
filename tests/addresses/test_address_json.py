"""Address bodies are built without DRF's per-field machinery (`address_json`):
they must stay exactly what `AddressSerializer`, the documented shape, gives, in
the same key order, for full and sparse addresses, on every operation that
answers an address."""

from __future__ import annotations

import pytest
from rest_framework.renderers import JSONRenderer

from addresses.api.serializers import AddressSerializer
from addresses.models import Address
from tests.support import ADDRESS, address_url, addresses_url

pytestmark = pytest.mark.django_db

# Every optional field set, or none of them.
FULL = ADDRESS | {
    "company_name": "Acme",
    "address_line_2": "Apt 4",
    "state": "BE",
    "contact_phone": "+4915112345678",
}
SPARSE = {
    name: value
    for name, value in ADDRESS.items()
    if name not in {"company_name", "address_line_2", "state", "contact_phone"}
}


def _documented(address_id: str) -> list[tuple[str, object]]:
    return list(AddressSerializer(Address.objects.get(pk=address_id)).data.items())


@pytest.mark.parametrize("fields", [FULL, SPARSE], ids=["full", "sparse"])
def test_create_get_and_list_answer_exactly_what_the_serializer_documents(
    api_client, profile, fields
):
    created = api_client.post(addresses_url(profile.pk), fields, format="json")
    address_id = created.json()["id"]

    got = api_client.get(address_url(profile.pk, address_id))
    listed = api_client.get(addresses_url(profile.pk))

    assert (created.status_code, got.status_code, listed.status_code) == (201, 200, 200)
    documented = _documented(address_id)
    assert list(created.json().items()) == documented
    assert list(got.json().items()) == documented
    assert [list(a.items()) for a in listed.json()["addresses"]] == [documented]


def test_get_answers_the_bytes_and_headers_a_drf_response_would(api_client, profile):
    """GET renders without a DRF `Response` (`pii.api.base.json_response`): the
    same bytes, `Content-Type` and `Allow` as one."""
    created = api_client.post(
        addresses_url(profile.pk), FULL | {"city": "Düsseldorf"}, format="json"
    )
    address_id = created.json()["id"]

    response = api_client.get(address_url(profile.pk, address_id))

    expected = JSONRenderer().render(dict(_documented(address_id)))
    assert response.status_code == 200
    assert response.content == expected
    assert "Düsseldorf".encode() in response.content
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS"
