"""/metrics: closed by default, Prometheus text, route names as labels (never paths)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config import metrics
from pii.profiles.deletion import deletion_request_create
from tests.support import (
    METRICS_TOKEN,
    create_profile,
    metric_value,
    profile_url,
    scrape,
    unknown_profile_id,
)

pytestmark = pytest.mark.django_db

TOKEN = METRICS_TOKEN
EMAIL = "jane.metrics@example.org"
value = metric_value


@pytest.fixture
def scraper(anon_client, settings):
    settings.METRICS_TOKEN = TOKEN
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return anon_client


def test_metrics_answer_404_while_no_token_is_configured(anon_client, settings):
    settings.METRICS_TOKEN = ""

    response = anon_client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
def test_metrics_answer_401_without_the_token(anon_client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = anon_client.get("/metrics", **extra)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_an_api_key_does_not_open_metrics(api_client, settings):
    settings.METRICS_TOKEN = TOKEN

    assert api_client.get("/metrics").status_code == 401


def test_metrics_answer_the_prometheus_text_format(scraper):
    response = scraper.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_requests_are_counted_by_route_name_method_and_status_class(scraper, api_client):
    profile = create_profile(api_client)
    before = scrape(scraper)

    api_client.get(profile_url(profile["id"]))
    api_client.get(profile_url(unknown_profile_id()))
    after = scrape(scraper)

    labels = {"route": "profile-detail", "method": "GET"}
    name = "pii_http_requests_total"
    assert (
        value(after, name, status="2xx", **labels) - value(before, name, status="2xx", **labels)
        == 1
    )
    assert (
        value(after, name, status="4xx", **labels) - value(before, name, status="4xx", **labels)
        == 1
    )
    histogram = "pii_http_request_duration_seconds_count"
    assert value(after, histogram, **labels) - value(before, histogram, **labels) == 2


def test_no_path_id_or_pii_becomes_a_label(scraper, api_client):
    profile = create_profile(api_client)
    api_client.get(profile_url(profile["id"]))
    api_client.get(f"/v1/d/pii/profiles/{EMAIL}/whatever?q={EMAIL}")
    api_client.get(f"/not-a-route/{EMAIL}")

    text = scraper.get("/metrics").content.decode()

    assert profile["id"] not in text
    assert EMAIL not in text
    assert "/v1/d/pii" not in text
    routes = {s.labels["route"] for s in scrape(scraper)["pii_http_requests_total"]}
    assert {"profile-detail", "config.views.api_not_found", "<unmatched>"} <= routes


def test_database_queries_per_request_are_observed_by_route(scraper, api_client):
    profile = create_profile(api_client)
    before = scrape(scraper)

    api_client.get(profile_url(profile["id"]))
    after = scrape(scraper)

    name = "pii_http_request_db_queries_sum"
    assert value(after, name, route="profile-detail") > value(before, name, route="profile-detail")
    assert "pii_http_request_db_seconds_bucket" in after


def test_backlogs_are_read_at_scrape_time(scraper, api_client):
    now = timezone.now()
    overdue = create_profile(api_client)
    recent = create_profile(api_client)
    deletion_request_create(profile_id=overdue["id"], now=now - timedelta(days=365))
    deletion_request_create(profile_id=recent["id"], now=now)

    samples = scrape(scraper)

    assert value(samples, "pii_backlog_up") == 1
    assert value(samples, "pii_deletion_requests_pending") == 2
    assert value(samples, "pii_deletion_requests_overdue") == 1
    kinds = {s.labels["kind"] for s in samples["pii_expired_rows_awaiting_purge"]}
    assert {"tokens", "data_entries"} <= kinds


def test_an_unreadable_backlog_leaves_the_gauges_out(scraper, monkeypatch):
    from pii.core import registry

    def broken() -> list:
        raise RuntimeError("database gone")

    monkeypatch.setattr(registry, "purgers", broken)

    samples = scrape(scraper)

    assert value(samples, "pii_backlog_up") == 0
    assert "pii_expired_rows_awaiting_purge" not in samples
    assert "pii_http_requests_total" in samples  # the rest still answers


def test_made_up_methods_share_one_label():
    assert metrics.method_label("BREW") == "other"
    assert metrics.method_label("GET") == "GET"
    assert metrics.status_class(503) == "5xx"
