"""The OpenAPI document describes the three `/data` operations as they behave."""

from __future__ import annotations

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

PROBLEM_REF = "#/components/schemas/Problem"

EXPECTED = {
    ("/v1/d/pii/data", "post"): ("createDataEntry", {"201", "400", "401", "403", "413"}),
    ("/v1/d/pii/data/{data_id}", "get"): ("getDataEntry", {"200", "400", "401", "403", "404"}),
    ("/v1/d/pii/data/{data_id}", "delete"): (
        "deleteDataEntry",
        {"204", "400", "401", "403", "404"},
    ),
}


def resolve(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)


@pytest.mark.parametrize(("path", "method"), list(EXPECTED))
def test_every_documented_error_status_has_a_problem_body(schema, path, method):
    operation = schema["paths"][path][method]
    operation_id, statuses = EXPECTED[(path, method)]

    assert operation["operationId"] == operation_id
    assert operation["tags"] == ["data"]
    assert statuses <= set(operation["responses"])
    for status in statuses - {"200", "201", "204"}:
        content = operation["responses"][status]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}


def test_the_problem_component_has_the_contract_fields(schema):
    problem = resolve(schema, PROBLEM_REF)

    assert {"type", "title", "status", "message", "request_id", "errors"} <= set(
        problem["properties"]
    )


def test_post_documents_the_real_request_body(schema):
    body = schema["paths"]["/v1/d/pii/data"]["post"]["requestBody"]
    request = resolve(schema, body["content"]["application/json"]["schema"]["$ref"])

    assert body["required"] is True
    assert set(request["properties"]) == {"content_type", "content", "ttl"}
    assert set(request["required"]) == {"content_type", "content"}
    assert request["properties"]["content"]["format"] == "byte"
    assert request["properties"]["ttl"]["type"] == "integer"
    assert request["properties"]["ttl"]["minimum"] == 1


def test_post_documents_the_201_body_and_location(schema):
    created = schema["paths"]["/v1/d/pii/data"]["post"]["responses"]["201"]
    body = resolve(schema, created["content"]["application/json"]["schema"]["$ref"])

    assert set(body["properties"]) == {"id"}
    assert "Location" in created["headers"]


def test_get_documents_binary_content_and_its_headers(schema):
    operation = schema["paths"]["/v1/d/pii/data/{data_id}"]["get"]
    ok = operation["responses"]["200"]

    assert ok["content"] == {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    assert {"Content-Length", "Cache-Control"} <= set(ok["headers"])
    (data_id,) = [p for p in operation["parameters"] if p["name"] == "data_id"]
    assert data_id["in"] == "path"
    assert data_id["schema"]["pattern"].startswith("^NS-[A-Z]{2}-")
