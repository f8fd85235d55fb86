"""The address operations in the OpenAPI document."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

COLLECTION = "/v1/d/pii/profiles/{profile_id}/addresses"
DETAIL = "/v1/d/pii/profiles/{profile_id}/addresses/{address_id}"
COMMON = {"401", "403", "500", "503"}


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        (COLLECTION, "post", {"200", "201", "400", "404", "409", "413", "422"}),
        (COLLECTION, "get", {"200", "400", "404"}),
        (DETAIL, "get", {"200", "400", "404"}),
        (DETAIL, "patch", {"200", "400", "404", "409", "413", "422"}),
        (DETAIL, "delete", {"204", "400", "404", "409"}),
    ],
)
def test_every_documented_status_is_in_the_schema(schema, path, method, statuses):
    operation = schema["paths"][path][method]

    assert set(operation["responses"]) == statuses | COMMON
    for code in statuses | COMMON:
        if code.startswith("4") or code.startswith("5"):
            content = operation["responses"][code]["content"]
            (media,) = content.values()
            expected = "ConflictProblem" if code == "409" else "Problem"
            assert media["schema"]["$ref"] == f"#/components/schemas/{expected}"


def test_list_parameters_carry_their_ranges(schema):
    parameters = {p["name"]: p for p in schema["paths"][COLLECTION]["get"]["parameters"]}

    assert parameters["offset"]["schema"]["minimum"] == 0
    assert parameters["count"]["schema"]["minimum"] == 1
    assert parameters["count"]["schema"]["maximum"] == 1000
    assert parameters["count"]["schema"]["default"] == 10
    assert parameters["profile_id"]["in"] == "path"
    assert parameters["profile_id"]["schema"]["pattern"].startswith("^NS-")


def test_bodies_are_documented(schema):
    post = schema["paths"][COLLECTION]["post"]
    patch = schema["paths"][DETAIL]["patch"]
    components = schema["components"]["schemas"]

    create_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    update_ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    create = components[create_ref.rsplit("/", 1)[-1]]
    update = components[update_ref.rsplit("/", 1)[-1]]
    assert set(create["required"]) == {
        "full_name",
        "address_line_1",
        "zip_code",
        "city",
        "country_code",
    }
    assert update["required"] == ["last_updated_at"]
    assert create["properties"]["city"]["maxLength"] == 256
    assert "Location" in post["responses"]["201"]["headers"]
    listed = schema["paths"][COLLECTION]["get"]["responses"]["200"]["content"]
    list_ref = listed["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[list_ref]["properties"]) == {"addresses", "pagination_info"}


@pytest.mark.parametrize("name", ["AddressCreateRequest", "AddressUpdateRequest"])
def test_country_code_and_contact_phone_document_their_formats(schema, name):
    properties = schema["components"]["schemas"][name]["properties"]

    assert properties["country_code"]["pattern"] == "^[A-Za-z]{2}$"
    assert "maxLength" not in properties["country_code"]
    assert properties["contact_phone"]["pattern"] == "^\\+[1-9][0-9]{1,14}$"
    assert properties["contact_phone"]["nullable"] is True
