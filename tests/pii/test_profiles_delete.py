"""POST /profiles/{profile_id}/delete: the deletion request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from pii.models import DeletionRequest
from tests.support import (
    assert_problem,
    create_profile,
    delete_url,
    profile_url,
    unknown_profile_id,
)

pytestmark = pytest.mark.django_db


def test_delete_answers_202_describing_the_request(api_client):
    profile = create_profile(api_client)

    with time_machine.travel(datetime(2024, 6, 1, 8, 30, tzinfo=UTC), tick=False):
        response = api_client.post(delete_url(profile["id"]))

    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"
    body = response.json()
    request = DeletionRequest.objects.get()
    assert body == {
        "id": request.pk,
        "profile_id": profile["id"],
        "status": "pending",
        "requested_at": "2024-06-01T08:30:00.000000Z",
    }
    assert request.profile_id == profile["id"]
    assert request.display_id == profile["display_id"]


def test_a_second_request_while_pending_answers_409(api_client):
    profile = create_profile(api_client)
    api_client.post(delete_url(profile["id"]))

    response = api_client.post(delete_url(profile["id"]))

    assert_problem(response, 409)
    assert DeletionRequest.objects.count() == 1


@pytest.mark.parametrize("status", ["executed"])
def test_a_request_after_execution_answers_409(api_client, status):
    profile = create_profile(api_client)
    api_client.post(delete_url(profile["id"]))
    DeletionRequest.objects.update(status=status)

    response = api_client.post(delete_url(profile["id"]))

    assert_problem(response, 409)
    assert DeletionRequest.objects.count() == 1


def test_a_new_request_can_follow_a_rejected_one(api_client):
    profile = create_profile(api_client)
    api_client.post(delete_url(profile["id"]))
    DeletionRequest.objects.update(status=DeletionRequest.Status.REJECTED)

    response = api_client.post(delete_url(profile["id"]))

    assert response.status_code == 202
    assert DeletionRequest.objects.count() == 2


def test_rejection_makes_the_profile_writable_again(api_client):
    profile = create_profile(api_client)
    api_client.post(delete_url(profile["id"]))
    DeletionRequest.objects.update(status=DeletionRequest.Status.REJECTED)

    response = api_client.patch(
        profile_url(profile["id"]),
        {"last_updated_at": profile["updated_at"], "full_name": "Writable"},
        format="json",
    )

    assert response.status_code == 200


def test_requesting_deletion_does_not_change_the_profile(api_client):
    profile = create_profile(api_client, full_name="Kept")

    api_client.post(delete_url(profile["id"]))

    assert api_client.get(profile_url(profile["id"])).json() == profile


def test_delete_unknown_profile_answers_404(api_client):
    response = api_client.post(delete_url(unknown_profile_id()))

    assert_problem(response, 404)
    assert DeletionRequest.objects.count() == 0


@pytest.mark.parametrize("bad_id", ["nope", "NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7"])
def test_delete_malformed_id_answers_400(api_client, bad_id):
    response = api_client.post(delete_url(bad_id))

    assert_problem(response, 400)


def test_a_body_sent_with_the_request_is_ignored(api_client):
    profile = create_profile(api_client)

    response = api_client.post(delete_url(profile["id"]), {"reason": "x"}, format="json")

    assert response.status_code == 202


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_answer_405(api_client, method):
    profile = create_profile(api_client)

    response = getattr(api_client, method)(delete_url(profile["id"]))

    assert_problem(response, 405)
