"""What each API operation records (docs/audit.md, "Recording"), fail-closed
reads and writes, and no PII value in any event."""

from __future__ import annotations

from typing import Any

import pytest

from pii.core.timestamps import rfc3339
from pii.models import AccessEvent, Profile
from tests.support import (
    ADDRESS,
    DATA_URL,
    DETOKENIZE_URL,
    PROFILES_URL,
    TOKENIZE_URL,
    address_url,
    addresses_url,
    assert_problem,
    make_address,
    make_data_entry,
    make_profile,
    make_token,
    payload,
    profile_url,
)

pytestmark = pytest.mark.django_db


def _event_of(response: Any) -> AccessEvent:
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    return event


def _ids(event: AccessEvent) -> list[str]:
    return event.object_ids.split()


def test_a_search_is_one_event_with_the_ids_returned_never_the_term(api_client):
    jane = make_profile(full_name="Jane Searchable")
    make_profile(full_name="John Other")

    response = api_client.get(PROFILES_URL, {"q": "Searchable", "count": 10})

    assert response.status_code == 200
    event = _event_of(response)
    assert (event.action, event.object_kind) == ("profile.list", "profile")
    assert _ids(event) == [jane.pk]
    assert event.details == {"count": 1, "total": 1, "searched": True}
    assert "earchable" not in str(list(AccessEvent.objects.values_list()))


def test_a_profile_update_names_the_fields_changed(api_client, profile):
    body = {"last_updated_at": rfc3339(profile.updated_at), "full_name": "New Name"}

    response = api_client.patch(profile_url(profile.pk), body, format="json")

    event = _event_of(response)
    assert (event.action, event.subject_id, _ids(event)) == (
        "profile.update",
        profile.pk,
        [profile.pk],
    )
    assert event.details == {"fields": ["full_name"]}


def test_get_or_create_of_an_existing_profile_is_a_read(api_client, profile):
    response = api_client.post(PROFILES_URL, {"email": profile.email}, format="json")

    assert response.status_code == 200
    assert _event_of(response).action == "profile.read"


def test_address_events_have_the_profile_as_subject(api_client, profile):
    created = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")
    listed = api_client.get(addresses_url(profile.pk))

    create_event, list_event = _event_of(created), _event_of(listed)
    assert (create_event.action, create_event.subject_id) == ("address.create", profile.pk)
    assert _ids(create_event) == [created.json()["id"]]
    assert (list_event.action, list_event.subject_id) == ("address.list", profile.pk)
    assert _ids(list_event) == [created.json()["id"]]


def test_tokenize_records_token_ids_count_and_kinds(api_client):
    response = api_client.post(
        TOKENIZE_URL, {"data": {"a": "text", "b": 42, "c": {"x": 1}}}, format="json"
    )

    event = _event_of(response)
    assert sorted(_ids(event)) == sorted(response.json()["tokens"].values())
    assert event.details == {
        "count": 3,
        "invalid": 0,
        "kinds": {"string": 1, "number": 1, "object": 1},
    }


def test_detokenize_records_what_was_resolved_by_kind(api_client, profile):
    address = make_address(profile)
    token = make_token("secret value")
    entry = make_data_entry()
    tokens = {"t": token, "p": profile.pk, "a": address.pk, "d": entry.pk, "x": "nope"}

    response = api_client.post(DETOKENIZE_URL, {"tokens": tokens}, format="json")

    event = _event_of(response)
    assert event.details == {
        "resolved": {
            "address": [address.pk],
            "data": [entry.pk],
            "profile": [profile.pk],
            "token": [token],
        },
        "not_found": 1,
    }
    assert sorted(_ids(event)) == sorted([token, profile.pk, address.pk, entry.pk])


def test_data_entry_events(api_client):
    created = api_client.post(DATA_URL, payload(), format="json")
    data_id = created.json()["id"]
    read = api_client.get(f"{DATA_URL}/{data_id}")

    assert (_event_of(created).action, _ids(_event_of(created))) == ("data.create", [data_id])
    assert (_event_of(read).action, _ids(_event_of(read))) == ("data.read", [data_id])


# --- fail closed ---------------------------------------------------------------------


@pytest.fixture
def broken_log(access_log_down: None, api_client: Any) -> None:
    """Every event insert fails; the client answers 5xx instead of raising."""
    api_client.raise_request_exception = False


def test_a_read_that_cannot_be_recorded_is_not_answered(api_client, profile, broken_log):
    response = api_client.get(profile_url(profile.pk))

    assert_problem(response, 503)
    assert profile.email not in response.content.decode()


def test_a_search_that_cannot_be_recorded_is_not_answered(api_client, profile, broken_log):
    response = api_client.get(PROFILES_URL)

    assert_problem(response, 503)
    assert profile.pk not in response.content.decode()


def test_a_write_that_cannot_be_recorded_is_rolled_back(api_client, profile, broken_log):
    body = {"last_updated_at": rfc3339(profile.updated_at), "full_name": "Not Kept"}

    response = api_client.patch(profile_url(profile.pk), body, format="json")

    assert_problem(response, 503)
    assert Profile.objects.get(pk=profile.pk).full_name == profile.full_name


def test_a_create_that_cannot_be_recorded_leaves_nothing(api_client, broken_log):
    response = api_client.post(PROFILES_URL, {"email": "new@example.org"}, format="json")

    assert_problem(response, 503)
    assert not Profile.objects.exists()


def test_a_refused_write_claims_nothing(api_client, profile):
    body = {"last_updated_at": "2000-01-01T00:00:00.000000Z", "full_name": "Stale"}

    response = api_client.patch(profile_url(profile.pk), body, format="json")

    assert response.status_code == 409
    assert not AccessEvent.objects.filter(request_id=response["X-Request-ID"]).exists()


# --- no PII in the log ---------------------------------------------------------------

PII = {
    "email": "marie.curie@radium.example",
    "full_name": "Marie Sklodowska",
    "phone_number": "+4915199988877",
}
ADDRESS_LINE = "Rue Pierre Curie 11"
TOKEN_VALUE = "tokenized-secret-4711"


def test_no_event_holds_a_pii_value(api_client):
    created = api_client.post(PROFILES_URL, PII, format="json").json()
    profile_id = created["id"]
    api_client.get(PROFILES_URL, {"q": "Sklodowska"})
    api_client.get(PROFILES_URL, {"q": PII["email"]})
    api_client.get(profile_url(profile_id))
    api_client.patch(
        profile_url(profile_id),
        {"last_updated_at": created["updated_at"], "full_name": "Marie Curie-Sklodowska"},
        format="json",
    )
    address = api_client.post(
        addresses_url(profile_id), {**ADDRESS, "address_line_1": ADDRESS_LINE}, format="json"
    ).json()
    api_client.get(address_url(profile_id, address["id"]))
    tokens = api_client.post(TOKENIZE_URL, {"data": {"k": TOKEN_VALUE}}, format="json").json()
    api_client.post(
        DETOKENIZE_URL, {"tokens": {"k": tokens["tokens"]["k"], "p": profile_id}}, format="json"
    )
    api_client.post(DATA_URL, payload(TOKEN_VALUE.encode()), format="json")

    rows = list(AccessEvent.objects.values_list())
    assert len(rows) >= 10
    dump = repr(rows).lower()
    for value in [*PII.values(), "Curie-Sklodowska", "sklodowska", ADDRESS_LINE, TOKEN_VALUE]:
        assert value.lower() not in dump, value


@pytest.mark.postgres
def test_postgres_events_carry_the_writing_transaction_id(api_client, profile):
    response = api_client.get(profile_url(profile.pk))

    assert _event_of(response).txid is not None
