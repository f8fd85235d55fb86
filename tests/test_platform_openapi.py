"""The OpenAPI document and the docs page: public, and fully local (no CDN)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS


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
