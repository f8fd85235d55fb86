"""`GET /profiles/{id}` builds its body without DRF's per-field machinery
(`profile_json`): it must stay exactly what `ProfileSerializer`, the documented
shape, gives, in the same key order, for full and sparse profiles."""

from __future__ import annotations

import pytest
from rest_framework.renderers import JSONRenderer

from pii.api.profile_serializers import ProfileSerializer
from pii.models import Profile
from tests.support import make_profile, profile_url

pytestmark = pytest.mark.django_db

# Every optional field set (texts, a phone, extended attributes), or none.
FULL = dict.fromkeys(("full_name", "store_id", "created_by"), "Text 1") | {
    "phone_number": "+4915112345678",
    "extended_attributes": {"loyalty_id": {"data_type": "string", "value": "0042"}},
}


@pytest.mark.parametrize("fields", [FULL, {}], ids=["full", "sparse"])
def test_get_answers_exactly_what_the_serializer_documents(api_client, fields):
    profile = make_profile(**fields)

    response = api_client.get(profile_url(profile.pk))

    expected = dict(ProfileSerializer(Profile.objects.get(pk=profile.pk)).data)
    assert response.status_code == 200
    assert list(response.json().items()) == list(expected.items())


def test_get_answers_the_bytes_and_headers_a_drf_response_would(api_client):
    """The body is rendered by the API's JSON renderer without a DRF `Response`
    (`pii.api.base.json_response`): the same bytes (UTF-8, not escaped; compact),
    the same `Content-Type`, and DRF's `Allow`."""
    profile = make_profile(**FULL | {"full_name": "Jürgen Müller"})

    response = api_client.get(profile_url(profile.pk))

    expected = JSONRenderer().render(ProfileSerializer(Profile.objects.get(pk=profile.pk)).data)
    assert response.status_code == 200
    assert response.content == expected
    assert "Jürgen Müller".encode() in response.content
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, PATCH, HEAD, OPTIONS"
