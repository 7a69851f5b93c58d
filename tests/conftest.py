"""Shared fixtures. Every test that touches the database runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consent.storage.database import create_database_engine
from gateway.app import create_app
from gateway.settings import DeploymentMode, Settings
from tests.databases import BACKENDS, migrated_database, postgres_reachable, postgres_required

_postgres_state: dict[str, bool] = {}


def _require_backend(backend: str) -> None:
    if backend != "postgresql":
        return
    if "reachable" not in _postgres_state:
        _postgres_state["reachable"] = postgres_reachable()
    if not _postgres_state["reachable"]:
        if postgres_required():
            pytest.fail("PostgreSQL is required when CI=true, and it does not answer")
        pytest.skip("PostgreSQL does not answer; the SQLite run still covers this test")


@pytest.fixture(scope="session", params=BACKENDS)
def database_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    _require_backend(backend)
    return backend


@pytest.fixture(scope="session")
def database_url(database_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database shared by the session's tests; tests keep to their own rows."""
    with migrated_database(database_backend, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def fresh_database_url(database_backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, for tests that look at a whole table."""
    with migrated_database(database_backend, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        mode=DeploymentMode.TEST,
        database_url=database_url,
        issuer_url="http://testserver",
        key_dir=tmp_path / "keys",
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
