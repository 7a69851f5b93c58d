"""RFC 9457 problem details: one error type, one set of handlers.

Every error a client can cause is raised as :class:`ProblemError` (or mapped
to one here) and leaves as ``application/problem+json`` with a stable
``code``. Clients branch on ``code``; ``title`` and ``detail`` are for people.
Details never carry a national identity number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:samtykke:problem:"

log = structlog.get_logger(__name__)


class ProblemError(Exception):
    """An error with an HTTP status and a stable, machine-readable code."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail or title}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class KeepsAuditRecord(Exception):  # noqa: N818  (a marker, not an error of its own)
    """Raised after an audit record was appended that must survive: the request's
    session commits it, and nothing else was changed."""


class AuditedRefusal(ProblemError, KeepsAuditRecord):  # noqa: N818  (the client's refusal)
    """A refusal whose audit record must be kept: the request's session commits, then answers.

    Raised after the refusal has been appended to the audit log, so that the
    record of the refused attempt survives while nothing else is changed.
    """

    @classmethod
    def of(cls, problem: ProblemError) -> AuditedRefusal:
        """The same answer as `problem`, once its audit record is appended."""
        return cls(
            problem.status,
            problem.code,
            problem.title,
            problem.detail,
            headers=problem.headers,
            extensions=problem.extensions,
        )


def problem_response(problem: ProblemError, request: Request | None = None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) if request else None
    body = problem.body()
    if request_id:
        body["requestId"] = request_id
    return JSONResponse(
        body,
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_CONTENT_TYPE,
    )


_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad-request", "The request is malformed"),
    401: ("unauthorized", "Authentication is required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "No such resource"),
    405: ("method-not-allowed", "The method is not allowed for this resource"),
    406: ("not-acceptable", "No acceptable representation"),
    413: ("payload-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "The request body has an unsupported media type"),
}


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("http-error", "The request failed"))
    problem = ProblemError(exc.status_code, code, title, headers=exc.headers)
    return problem_response(problem, request)


def _describe_validation_error(error: Mapping[str, Any]) -> dict[str, Any]:
    # The input value is left out on purpose: it may be a national identity number.
    return {
        "location": [str(part) for part in error.get("loc", ())],
        "message": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        problem = ProblemError(
            400, "malformed-json", "The request body is not valid JSON", extensions={}
        )
    else:
        problem = ProblemError(
            422,
            "invalid-request",
            "The request does not match the expected shape",
            extensions={"errors": [_describe_validation_error(error) for error in errors]},
        )
    return problem_response(problem, request)


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.error("database_unavailable", error_type=type(exc).__name__)
    problem = ProblemError(
        503,
        "database-unavailable",
        "The database is unavailable; nothing was changed",
        headers={"Retry-After": "5"},
    )
    return problem_response(problem, request)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", error_type=type(exc).__name__)
    problem = ProblemError(500, "internal-error", "An unexpected error occurred")
    return problem_response(problem, request)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(OperationalError, _on_database_unavailable)
    app.add_exception_handler(DBAPIError, _on_database_unavailable)
    # Every pooled connection busy for longer than the pool timeout: overloaded, not broken.
    app.add_exception_handler(PoolTimeoutError, _on_database_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
