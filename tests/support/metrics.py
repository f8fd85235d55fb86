"""Reading /metrics in tests: one scrape as {sample name: [samples]}, and the
sum of the samples matching some labels. Import from `tests.support`."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-tests-0123456789"

__all__ = ["METRICS_TOKEN", "metric_value", "scrape"]


def scrape(client: Any) -> dict[str, list]:
    """{sample name: [samples]} of one scrape (the client sends METRICS_TOKEN)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def metric_value(samples: dict[str, list], name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    return sum(
        s.value
        for s in samples.get(name, [])
        if all(s.labels.get(k) == v for k, v in labels.items())
    )
