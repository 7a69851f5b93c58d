"""The mock apps built together on one population, and their OpenAPI documents."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from mock_registries import brreg, fiskeri, idporten, landbruk, skatteetaten
from mock_registries.population import build_population
from mock_registries.settings import MockSettings

OPENAPI_DOCUMENTS = {
    "skatteetaten": Path("openapi/mock-skatteetaten.json"),
    "brreg": Path("openapi/mock-brreg.json"),
    "idporten": Path("openapi/mock-idporten.json"),
    "landbruk": Path("openapi/mock-landbruk.json"),
    "fiskeri": Path("openapi/mock-fiskeri.json"),
}


def build_apps(settings: MockSettings) -> dict[str, tuple[FastAPI, int]]:
    population = build_population(settings.seed, settings.population_size)
    return {
        "skatteetaten": (
            skatteetaten.create_app(settings, population=population),
            settings.skatteetaten_port,
        ),
        "brreg": (brreg.create_app(settings, population=population), settings.brreg_port),
        "idporten": (
            idporten.create_app(settings, population=population),
            settings.idporten_port,
        ),
        "landbruk": (
            landbruk.create_app(settings, population=population),
            settings.landbruk_port,
        ),
        "fiskeri": (fiskeri.create_app(settings, population=population), settings.fiskeri_port),
    }


class _Server(uvicorn.Server):
    """Leaves signals to its owner, which stops all the servers together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class MockServers:
    """The registries served from one event loop, started and stopped together."""

    def __init__(self, settings: MockSettings) -> None:
        self.servers = {
            name: _Server(
                uvicorn.Config(
                    app, host=settings.host, port=port, log_config=None, access_log=False
                )
            )
            for name, (app, port) in build_apps(settings).items()
        }

    async def run(self, sockets: Mapping[str, socket.socket] | None = None) -> None:
        """Serve until stopped; on the given pre-bound sockets (by name) when there are any."""
        await asyncio.gather(
            *(
                server.serve(sockets=[sockets[name]] if sockets else None)
                for name, server in self.servers.items()
            )
        )

    def stop(self) -> None:
        for server in self.servers.values():
            server.should_exit = True


def render_openapi(name: str) -> str:
    settings = MockSettings(population_size=0)
    app, _ = build_apps(settings)[name]
    document: dict[str, Any] = app.openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
