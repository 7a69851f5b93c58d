"""Prometheus metrics, one registry per app so that several apps in one process stay apart.

Other parts add their own collectors to `Metrics.registry`: the audit
sequencing lag (`gateway.audit.sequencing`) and the push outbox's backlog
(`gateway.push.running`), read from the database at each scrape.

In production mode `/metrics` answers only a scraper that sends the
`SAMTYKKE_METRICS_TOKEN` as a bearer token, and nobody while none is set
(fail closed); test and demo modes serve it openly.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

from gateway.problems import ProblemError
from gateway.settings import DeploymentMode, Settings

# Most answers take milliseconds; registry calls may take seconds.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "samtykke_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "samtykke_http_request_duration_seconds",
            "Time from request to the end of the response, by route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # (method, route template, status) -> its two series: labels() is looked up once.
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self._request_series.get(key)
        if series is None:
            series = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._request_series[key] = series
        count, latency = series
        count.inc()
        latency.observe(seconds)


router = APIRouter(tags=["operations"])


def _require_metrics_token(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if settings.mode is not DeploymentMode.PRODUCTION:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = settings.metrics_token
    if (
        expected is None
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(token.strip().encode(), expected.get_secret_value().encode())
    ):
        raise ProblemError(
            401,
            "invalid-metrics-token",
            "The metrics token is missing or wrong",
            "Send the configured SAMTYKKE_METRICS_TOKEN as a bearer token.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}},
        401: {"description": "Production mode: the metrics token is missing or wrong"},
    },
)
def metrics(request: Request) -> Response:
    _require_metrics_token(request)
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
