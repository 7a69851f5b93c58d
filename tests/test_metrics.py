"""Prometheus metrics count requests by route template, never by raw path."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_requests_are_counted_by_route_and_status(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/healthz")
    client.get("/people/21818297804")
    text = client.get("/metrics").text
    assert 'samtykke_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert 'samtykke_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert "samtykke_http_request_duration_seconds_bucket" in text
    assert "21818297804" not in text
