"""What the mock apps share: the JSON model base, health, and the fault middleware."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from mock_registries.faults import ErrorBody, FaultInjectionMiddleware
from mock_registries.settings import MockSettings


class WireModel(BaseModel):
    """snake_case in Python, the registry's camelCase field names on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def add_health_and_faults(app: FastAPI, settings: MockSettings, error_body: ErrorBody) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(
        FaultInjectionMiddleware,
        error_body=error_body,
        default=settings.fault,
        honour_header=settings.test_mode,
        hang_limit_seconds=settings.hang_limit_seconds,
    )
