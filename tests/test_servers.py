"""The real-server helper answers the first request without any wait."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.servers import running_server


def test_first_request_is_answered() -> None:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    with running_server(app) as base_url:
        response = httpx.get(f"{base_url}/ping", timeout=5)
    assert response.json() == {"pong": "yes"}
