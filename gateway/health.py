"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.problems import ProblemError, problem_responses

router = APIRouter(tags=["operations"])


class HealthStatus(BaseModel):
    status: str


@router.get("/healthz", response_model=HealthStatus, summary="The process is alive")
def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=HealthStatus,
    summary="The process can serve requests: the database answers",
    responses=problem_responses(503, descriptions={503: "The database is unavailable"}),
)
def readyz(request: Request) -> HealthStatus:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise ProblemError(
            503,
            "database-unavailable",
            "The database is unavailable",
            headers={"Retry-After": "5"},
        ) from error
    return HealthStatus(status="ready")
