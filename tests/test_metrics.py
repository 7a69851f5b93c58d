"""Prometheus metrics count requests by route template, never by raw path.

In production mode only the holder of the metrics token may read them.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import DeploymentMode, Settings
from tests.servers import running_server


def test_requests_are_counted_by_route_and_status(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/healthz")
    client.get("/people/21818297804")
    text = client.get("/metrics").text
    assert 'samtykke_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert 'samtykke_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert "samtykke_http_request_duration_seconds_bucket" in text
    assert "21818297804" not in text


def _production_app(database_url: str, key_dir: Path, token: str | None) -> FastAPI:
    return create_app(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            mode=DeploymentMode.PRODUCTION,
            database_url=database_url,
            key_dir=key_dir,
            metrics_token=token,
        )
    )


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "invalid-metrics-token"
    assert "samtykke_http_requests" not in answer.text


def test_production_metrics_need_the_metrics_token(database_url: str, tmp_path: Path) -> None:
    app = _production_app(database_url, tmp_path / "keys", "scraper-token")
    with running_server(app) as base_url:
        _refused(httpx.get(f"{base_url}/metrics"))
        _refused(httpx.get(f"{base_url}/metrics", headers={"Authorization": "Bearer wrong"}))
        scraped = httpx.get(
            f"{base_url}/metrics", headers={"Authorization": "Bearer scraper-token"}
        )
    assert scraped.status_code == 200
    assert "samtykke_http_requests_total" in scraped.text


def test_production_metrics_without_a_token_answer_nobody(
    database_url: str, tmp_path: Path
) -> None:
    with running_server(_production_app(database_url, tmp_path / "keys", None)) as base_url:
        _refused(httpx.get(f"{base_url}/metrics"))
        _refused(httpx.get(f"{base_url}/metrics", headers={"Authorization": "Bearer x"}))
