"""The OpenAPI document describes the five profile operations as they behave."""

from __future__ import annotations

import pytest
from drf_spectacular.validation import validate_schema

from tests.support import PROFILE_FIELDS

pytestmark = pytest.mark.django_db


# path -> method -> (operationId, documented statuses)
EXPECTED = {
    "/v1/d/pii/profiles": {
        "get": ("listProfiles", {"200", "400", "401", "403"}),
        "post": ("getOrCreateProfile", {"200", "201", "400", "401", "403", "409", "413", "422"}),
    },
    "/v1/d/pii/profiles/{profile_id}": {
        "get": ("getProfile", {"200", "400", "401", "403", "404"}),
        "patch": ("updateProfile", {"200", "400", "401", "403", "404", "409", "413", "422"}),
    },
    "/v1/d/pii/profiles/{profile_id}/delete": {
        "post": ("requestProfileDeletion", {"202", "400", "401", "403", "404", "409"}),
    },
}


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)


@pytest.mark.parametrize(
    ("path", "method"),
    [(path, method) for path, methods in EXPECTED.items() for method in methods],
)
def test_each_operation_documents_every_status(schema, path, method):
    operation = schema["paths"][path][method]
    operation_id, statuses = EXPECTED[path][method]

    assert operation["operationId"] == operation_id
    assert statuses <= set(operation["responses"])
    for status in statuses - {"200", "201", "202"}:
        content = operation["responses"][status]["content"]
        assert list(content) == ["application/problem+json"]


def ref_name(response: dict) -> str:
    content = response["content"]
    media = content.get("application/json") or next(iter(content.values()))
    return media["schema"]["$ref"].rsplit("/", 1)[-1]


def test_success_bodies_are_real_components(schema):
    paths = schema["paths"]
    assert ref_name(paths["/v1/d/pii/profiles"]["get"]["responses"]["200"]) == "ProfileList"
    for status in ("200", "201"):
        response = paths["/v1/d/pii/profiles"]["post"]["responses"][status]
        assert ref_name(response) == "Profile"
    detail = paths["/v1/d/pii/profiles/{profile_id}"]
    assert ref_name(detail["get"]["responses"]["200"]) == "Profile"
    assert ref_name(detail["patch"]["responses"]["200"]) == "Profile"
    deletion = paths["/v1/d/pii/profiles/{profile_id}/delete"]["post"]["responses"]["202"]
    assert ref_name(deletion) == "ProfileDeletionRequest"


def test_profile_component_lists_every_field(schema):
    profile = schema["components"]["schemas"]["Profile"]

    assert set(profile["properties"]) == PROFILE_FIELDS
    assert profile["properties"]["created_at"]["format"] == "date-time"
    extended = profile["properties"]["extended_attributes"]
    assert extended["maxProperties"] == 20
    assert extended["additionalProperties"]["required"] == ["data_type", "value"]


def test_request_bodies_are_described(schema):
    post = schema["paths"]["/v1/d/pii/profiles"]["post"]["requestBody"]
    patch = schema["paths"]["/v1/d/pii/profiles/{profile_id}"]["patch"]["requestBody"]
    components = schema["components"]["schemas"]

    create = components[post["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    update = components[patch["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert create["required"] == ["email"]
    assert create["properties"]["phone_number"]["pattern"] == r"^\+[1-9][0-9]{1,14}$"
    assert create["properties"]["full_name"]["maxLength"] == 256
    assert update["required"] == ["last_updated_at"]
    assert "email" in update["properties"]


def test_list_parameters_carry_their_ranges(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/v1/d/pii/profiles"]["get"]["parameters"]
    }

    assert parameters["offset"]["minimum"] == 0
    assert (parameters["count"]["minimum"], parameters["count"]["maximum"]) == (1, 500)
    assert parameters["count"]["default"] == 10
    assert parameters["q"]["minLength"] == 3
    assert set(parameters["sort"]["enum"]) == {
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
        "email",
        "-email",
        "full_name",
        "-full_name",
    }
    assert parameters["sort"]["default"] == "-created_at"


def test_patch_conflict_documents_current_updated_at(schema):
    response = schema["paths"]["/v1/d/pii/profiles/{profile_id}"]["patch"]["responses"]["409"]
    ref = response["content"]["application/problem+json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    assert "current_updated_at" in schema["components"]["schemas"][ref]["properties"]


def test_created_profile_documents_the_location_header(schema):
    created = schema["paths"]["/v1/d/pii/profiles"]["post"]["responses"]["201"]

    assert "Location" in created["headers"]
