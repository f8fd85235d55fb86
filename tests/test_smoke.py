from __future__ import annotations


def test_unknown_route_is_problem_json(anon_client):
    response = anon_client.get("/v1/d/pii/nope")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["request_id"] == response["X-Request-ID"]
