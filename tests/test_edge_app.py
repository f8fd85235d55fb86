"""HTTP edges handled inside the apps (issue 11, items 2 and 3): data ids in any
letter case, stored documents served as attachments in a sandbox, client map
keys never echoed in error field names, request body schemas that refuse
unknown fields as the service does."""

from __future__ import annotations

import json

import pytest

from tests.support import (
    DATA_URL,
    DETOKENIZE_URL,
    TOKENIZE_URL,
    assert_problem,
    body_bytes,
    data_url,
    make_data_entry,
    make_token,
)

pytestmark = pytest.mark.django_db


def _upper_uuid(data_id: str) -> str:
    # NS-EU- stays as it is: the region is upper case by definition.
    return data_id[:6] + data_id[6:].upper()


# --- data ids: the UUID part is case-insensitive ----------------------------------------


def test_a_data_id_in_upper_case_reads_the_same_entry(api_client):
    entry = make_data_entry(b"hello")

    response = api_client.get(data_url(_upper_uuid(entry.pk)))

    assert response.status_code == 200
    assert body_bytes(response) == b"hello"


def test_a_data_id_in_mixed_case_deletes_the_entry(api_client):
    entry = make_data_entry()
    mixed = entry.pk[:6] + "".join(ch.upper() if i % 2 else ch for i, ch in enumerate(entry.pk[6:]))

    response = api_client.delete(data_url(mixed))

    assert response.status_code == 204
    assert api_client.get(data_url(entry.pk)).status_code == 404


def test_detokenize_finds_a_data_id_in_upper_case_under_its_key(api_client):
    entry = make_data_entry(b"hello", content_type="text/plain")

    response = api_client.post(
        DETOKENIZE_URL, {"tokens": {"doc": _upper_uuid(entry.pk)}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["data"]["doc"]["content_type"] == "text/plain"
    assert response.json()["errors"] == {}


def test_a_data_id_with_a_lower_case_region_is_still_malformed(api_client):
    entry = make_data_entry()

    response = api_client.get(data_url("ns-eu-" + entry.pk[6:]))

    assert_problem(response, 400)


# --- a stored document never runs on the API's origin -----------------------------------


def test_a_stored_html_document_is_served_as_a_sandboxed_attachment(api_client):
    entry = make_data_entry(b"<script>alert(1)</script>", content_type="text/html")

    response = api_client.get(data_url(entry.pk))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{entry.pk}"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/html")


# --- client map keys are never echoed in error field names ------------------------------

PII_KEY = "jane.doe@example.org"


@pytest.mark.parametrize(
    "tokens",
    [
        {PII_KEY: 42},
        {"ok": "NS-EU-x", PII_KEY: None},
        {PII_KEY: ["a"]},
    ],
)
def test_detokenize_errors_never_name_a_clients_key(api_client, tokens):
    response = api_client.post(DETOKENIZE_URL, {"tokens": tokens}, format="json")

    body = assert_problem(response, 400)
    assert "jane" not in response.content.decode()
    assert all("jane" not in field for field in body["errors"])
    assert "tokens" in body["errors"]


def test_detokenize_error_says_which_key_by_position(api_client):
    response = api_client.post(
        DETOKENIZE_URL, {"tokens": {"ok": "NS-EU-x", PII_KEY: 42}}, format="json"
    )

    body = assert_problem(response, 400)
    assert body["errors"] == {"tokens": ["Key 2 of 2: Must be a string."]}


def test_a_lone_surrogate_key_is_refused_without_echo(api_client):
    raw = '{"tokens": {"jane.doe\\ud800@example.org": 1}}'

    response = api_client.post(DETOKENIZE_URL, raw, content_type="application/json")

    body = assert_problem(response, 400)
    assert "jane" not in response.content.decode()
    assert list(body["errors"]) == ["tokens"]


def test_tokenize_errors_never_name_a_clients_key(api_client):
    keys = {f"{PII_KEY}{i}": i for i in range(30)}

    response = api_client.post(TOKENIZE_URL, {"data": keys}, format="json")

    body = assert_problem(response, 400)
    assert "jane" not in response.content.decode()
    assert list(body["errors"]) == ["data"]


def test_detokenize_still_answers_per_key_for_valid_strings(api_client):
    token = make_token("secret")

    response = api_client.post(
        DETOKENIZE_URL, {"tokens": {PII_KEY: token, "x": "nope"}}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {PII_KEY: "secret"},
        "errors": {"x": "token_not_found_error"},
    }


# --- request body schemas refuse unknown fields, as the service does --------------------

STRICT_BODIES = [
    ("/profiles", "post"),
    ("/profiles/{profile_id}", "patch"),
    ("/profiles/{profile_id}/addresses", "post"),
    ("/profiles/{profile_id}/addresses/{address_id}", "patch"),
    ("/data", "post"),
    ("/tokenize", "post"),
    ("/detokenize", "post"),
]


@pytest.fixture(scope="module")
def openapi_document(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/v1/d/pii/openapi.json")
    return json.loads(response.content)


def _request_schema(document: dict, path: str, method: str) -> dict:
    operation = document["paths"]["/v1/d/pii" + path][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(("path", "method"), STRICT_BODIES)
def test_a_request_body_schema_refuses_unknown_fields(openapi_document, path, method):
    schema = _request_schema(openapi_document, path, method)

    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    "path", ["/profiles/{profile_id}", "/profiles/{profile_id}/addresses/{address_id}"]
)
def test_a_patch_schema_lists_the_read_only_fields_it_ignores(openapi_document, path):
    schema = _request_schema(openapi_document, path, "patch")

    for name in ("id", "display_id", "created_at", "updated_at"):
        assert schema["properties"][name]["readOnly"] is True


def test_maps_keyed_by_the_client_stay_open(openapi_document):
    schema = _request_schema(openapi_document, "/detokenize", "post")

    assert schema["properties"]["tokens"]["additionalProperties"] == {"type": "string"}


def test_the_data_body_schema_lists_every_field_the_service_takes(openapi_document):
    schema = _request_schema(openapi_document, "/data", "post")

    assert set(schema["properties"]) >= {"content_type", "content", "ttl"}


def test_an_unknown_field_is_refused_by_the_service_too(api_client):
    response = api_client.post(
        DATA_URL, {"content_type": "a/b", "content": "", "x": 1}, format="json"
    )

    assert_problem(response, 400)
