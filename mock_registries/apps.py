"""The three mock apps built together on one population, and their OpenAPI documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from mock_registries import brreg, idporten, skatteetaten
from mock_registries.population import build_population
from mock_registries.settings import MockSettings

OPENAPI_DOCUMENTS = {
    "skatteetaten": Path("openapi/mock-skatteetaten.json"),
    "brreg": Path("openapi/mock-brreg.json"),
    "idporten": Path("openapi/mock-idporten.json"),
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
    }


def render_openapi(name: str) -> str:
    settings = MockSettings(population_size=0)
    app, _ = build_apps(settings)[name]
    document: dict[str, Any] = app.openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
