"""The OpenAPI document and the docs page: public, and fully local (no CDN)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS

from pii.api_keys.services import api_key_create
from pii.audit.purposes import PURPOSES
from tests.support import PROFILES_URL, bearer_client


class AssetCollector(HTMLParser):
    """Every URL the page makes a browser load: src/href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url") and value:
                self.urls.append(value)


@pytest.mark.django_db
def test_the_openapi_document_is_public_json(anon_client):
    response = anon_client.get("/v1/d/pii/openapi.json", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["BearerApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `manage.py create_api_key` or the admin.",
    }
    assert schema["paths"]
    assert all(path.startswith("/v1/d/pii/") for path in schema["paths"])
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            assert operation["security"] == [{"BearerApiKey": []}]


@pytest.mark.django_db
def test_the_openapi_document_leaves_out_itself_and_the_docs(anon_client):
    paths = anon_client.get("/v1/d/pii/openapi.json").json()["paths"]

    assert "/v1/d/pii/openapi.json" not in paths
    assert "/v1/d/pii/docs" not in paths


@pytest.mark.django_db
def test_the_docs_page_is_public_and_loads_nothing_from_another_host(anon_client):
    response = anon_client.get("/v1/d/pii/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "://" not in html  # no absolute URL at all: no CDN, no web fonts
    collector = AssetCollector()
    collector.feed(html)
    assert "/v1/d/pii/openapi.json" in collector.urls
    scripts = [u for u in collector.urls if u.endswith(".js")]
    assert scripts
    assert all(u.startswith("/static/") for u in scripts)


@pytest.mark.django_db
def test_the_docs_assets_are_served_by_the_service(anon_client):
    html = anon_client.get("/v1/d/pii/docs").content.decode()
    collector = AssetCollector()
    collector.feed(html)
    assets = [u for u in collector.urls if u.startswith("/static/")]

    for url in assets:
        response = anon_client.get(url)
        assert response.status_code == 200, url
        assert "javascript" in response["Content-Type"]
        body = b"".join(response.streaming_content)
        assert len(body) > 100_000  # the real Redoc bundle, not a stub
        assert "X-Request-ID" in response


@pytest.mark.django_db
def test_an_unknown_static_file_is_a_404(anon_client):
    assert anon_client.get("/static/nope.js").status_code == 404


def test_the_schema_builds_and_validates_without_warnings(tmp_path, capsys):
    """Every endpoint (all apps) documented cleanly: any warning fails the build."""
    GENERATOR_STATS.reset()  # warnings of schemas generated earlier in this process
    target = tmp_path / "schema.yaml"

    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    except Exception as exc:
        pytest.fail(f"{exc!r}\n{capsys.readouterr().err}")

    assert target.stat().st_size > 0
    assert "/v1/d/pii/profiles" in target.read_text()


# --- X-Access-Purpose (docs/audit.md, "Purposes") ---------------------------------------

OPERATIONS = ("get", "put", "post", "patch", "delete")


def api_operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in OPERATIONS:
                yield f"{method.upper()} {path}", operation


def test_every_operation_declares_the_optional_purpose_header(schema):
    operations = dict(api_operations(schema))

    assert len(operations) >= 15
    for name, operation in operations.items():
        (header,) = [p for p in operation["parameters"] if p["name"] == "X-Access-Purpose"]
        assert (header["in"], header["required"]) == ("header", False), name
        assert header["schema"]["enum"] == list(PURPOSES), name


def test_every_operation_documents_the_purpose_refusals(schema):
    for name, operation in api_operations(schema):
        bad_request, forbidden = operation["responses"]["400"], operation["responses"]["403"]
        assert "unknown `X-Access-Purpose`" in bad_request["description"], name
        assert "limited to purposes" in forbidden["description"], name
        assert "application/problem+json" in forbidden["content"], name


@pytest.mark.django_db
def test_the_documented_purposes_are_the_accepted_ones(schema):
    header = next(
        p
        for _, operation in api_operations(schema)
        for p in operation["parameters"]
        if p["name"] == "X-Access-Purpose"
    )
    _, key = api_key_create(
        name="every-purpose", scopes=["profiles:read"], purposes=PURPOSES, now=timezone.now()
    )
    client = bearer_client(key)

    for purpose in header["schema"]["enum"]:
        response = client.get(PROFILES_URL, HTTP_X_ACCESS_PURPOSE=purpose)
        assert response.status_code == 200, purpose
    assert client.get(PROFILES_URL, HTTP_X_ACCESS_PURPOSE="marketing").status_code == 400
    assert client.get(PROFILES_URL).status_code == 403
