"""Probes, request ids, and RFC 9457 answers for every error a client can cause."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from gateway.app import create_app
from gateway.problems import PROBLEM_CONTENT_TYPE
from gateway.settings import DeploymentMode, Settings


def assert_problem(response_json: dict[str, object], status: int, code: str) -> None:
    assert response_json["status"] == status
    assert response_json["code"] == code
    assert response_json["type"] == f"urn:samtykke:problem:{code}"
    assert isinstance(response_json["title"], str)
    assert response_json["title"]


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert_problem(response.json(), 404, "not-found")


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert_problem(response.json(), 405, "method-not-allowed")


class _Echo(BaseModel):
    name: str
    amount: int


def _app_with_json_route(app: FastAPI) -> FastAPI:
    @app.post("/echo")
    def echo(body: _Echo) -> _Echo:
        return body

    return app


def test_malformed_json_is_a_problem(app: FastAPI) -> None:
    with TestClient(_app_with_json_route(app)) as client:
        response = client.post(
            "/echo", content=b'{"name": "x", ', headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert_problem(response.json(), 400, "malformed-json")


def test_invalid_body_lists_errors_without_echoing_values(app: FastAPI) -> None:
    with TestClient(_app_with_json_route(app)) as client:
        response = client.post("/echo", json={"name": "x", "amount": "21818297804a"})
    assert response.status_code == 422
    body = response.json()
    assert_problem(body, 422, "invalid-request")
    assert body["errors"][0]["location"] == ["body", "amount"]
    assert "21818297804" not in response.text


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    chosen = client.get("/healthz", headers={"x-request-id": "abc12345-trace"})
    assert chosen.headers["x-request-id"] == "abc12345-trace"
    hostile = client.get("/healthz", headers={"x-request-id": "<script>"})
    assert hostile.headers["x-request-id"] != "<script>"
    assert len(hostile.headers["x-request-id"]) == 36


def test_problem_carries_the_request_id(client: TestClient) -> None:
    response = client.get("/missing", headers={"x-request-id": "req-00000001"})
    assert response.json()["requestId"] == "req-00000001"


def test_database_outage_gives_503_problems(tmp_path: Path) -> None:
    # Nothing listens on port 1: every connection attempt is refused at once.
    settings = Settings(
        mode=DeploymentMode.TEST,
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/absent",
        key_dir=tmp_path / "keys",
    )
    app = create_app(settings)

    @app.get("/needs-database")
    def needs_database() -> None:
        with app.state.engine.connect():
            pass

    with TestClient(app, raise_server_exceptions=False) as client:
        ready = client.get("/readyz")
        route = client.get("/needs-database")
        citizen = client.get("/citizen/consents", follow_redirects=False)
        alive = client.get("/healthz")
    assert ready.status_code == 503
    assert_problem(ready.json(), 503, "database-unavailable")
    assert ready.headers["retry-after"] == "5"
    assert route.status_code == 503
    assert_problem(route.json(), 503, "database-unavailable")
    # The citizen's session is read from the database before any page.
    assert citizen.status_code == 503
    assert_problem(citizen.json(), 503, "database-unavailable")
    assert alive.status_code == 200
