"""The application factory: settings in, a fully wired FastAPI app out."""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from consent.quotas.limiter import RateLimiter
from consent.storage.database import (
    create_database_engine,
    create_session_factory,
    create_statement_session_factory,
)
from gateway import api_docs, health, metrics, registries
from gateway.answers import routes as answer_routes
from gateway.audit import endpoints as audit_endpoints
from gateway.audit.sequencing import SequencingLag, create_sequencer
from gateway.citizen import pages as citizen_pages
from gateway.citizen.web_security import SecurityHeaders
from gateway.clients import endpoints as client_endpoints
from gateway.clients.brreg_lookup import BrregOrganisationLookup
from gateway.clock import clock_of
from gateway.consent_requests import endpoints as consent_requests
from gateway.data import routes as data_routes
from gateway.expiry import SessionLimits, sweeping
from gateway.keys import KeyStore
from gateway.logging import configure_logging
from gateway.middleware import RequestContextMiddleware
from gateway.oauth import endpoints as oauth_endpoints
from gateway.oauth.wiring import install_authorization_server
from gateway.problems import add_problem_schema, install_problem_handlers
from gateway.push import endpoints as push_endpoints
from gateway.push.delivery import PushWorker
from gateway.push.running import PushBacklog, pushing
from gateway.receipts import endpoints as receipts
from gateway.settings import Settings, get_settings

API_VERSION = "0.1.0"
FETCH_THREADS = 16
REQUEST_THREADS = 40


class GatewayApp(FastAPI):
    """FastAPI with the security headers outermost, so that even a 500 answer carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = create_session_factory(engine)
        # The hot paths' sessions: on PostgreSQL each of their statements commits by itself.
        app.state.statement_sessionmaker = create_statement_session_factory(engine)
        app.state.rate_limiter = RateLimiter(
            engine, limit=settings.bank_requests_per_minute, window_seconds=60, clock=time.time
        )
        app.state.registries = registries.build_registries(settings, app.state.keys)
        if app.state.organisation_lookup is None:
            app.state.organisation_lookup = BrregOrganisationLookup(app.state.registries.brreg)
        app.state.audit_sequencer = create_sequencer(engine, app.state.keys, settings)
        # Demo and test mode sequence the audit log in here; production runs
        # `samtykke sequencer` as a process of its own, so no request waits on it.
        if settings.runs_audit_sequencer:
            app.state.audit_sequencer.start()
        backlogs = (SequencingLag(engine), PushBacklog(engine))
        for backlog in backlogs:
            app.state.metrics.registry.register(backlog)
        # Routes that do their database work in one hop run it on these threads
        # (gateway.database.run_in_session); as many as AnyIO's default pool.
        app.state.request_executor = ThreadPoolExecutor(
            max_workers=REQUEST_THREADS, thread_name_prefix="request"
        )
        # The loan-application bundle asks every registry at once from these threads.
        app.state.fetch_executor = ThreadPoolExecutor(
            max_workers=FETCH_THREADS, thread_name_prefix="registry-fetch"
        )
        # Pushed consent events leave from here in demo and test; production runs
        # `samtykke push-worker` processes instead.
        app.state.push_worker = (
            PushWorker(app.state.sessionmaker, app.state.keys, settings, clock=clock_of(app.state))
            if settings.runs_push_worker
            else None
        )
        try:
            async with (
                sweeping(
                    app.state.sessionmaker,
                    clock_of(app.state),
                    settings.expiry_sweep_seconds,
                    SessionLimits(
                        lifetime=timedelta(seconds=settings.citizen_session_lifetime_seconds),
                        idle=timedelta(seconds=settings.citizen_session_idle_seconds),
                    ),
                ),
                pushing(app.state.push_worker, settings.push_interval_seconds),
            ):
                # Everything made at start-up lives as long as the process: moved out of
                # the collector's generations, it is never traversed again by the
                # collections the requests' short-lived objects set off.
                gc.freeze()
                yield
        finally:
            gc.unfreeze()  # what this app leaves behind may be collected again
            app.state.fetch_executor.shutdown(wait=True)
            app.state.request_executor.shutdown(wait=True)
            app.state.audit_sequencer.stop()
            for backlog in backlogs:
                app.state.metrics.registry.unregister(backlog)
            app.state.registries.close()
            engine.dispose()

    app = GatewayApp(
        # OpenTelemetry is not set up (metrics are Prometheus, gateway.metrics); FastAPI's
        # own check for a configured provider read the environment on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="Samtykke gateway",
        version=API_VERSION,
        description=(
            "Consent-based data sharing: banks fetch income, net wealth and debt from the "
            "Tax Administration and the Brønnøysund registers under a citizen's consent."
        ),
        lifespan=lifespan,
        # Served by gateway.api_docs from local assets: the API documentation works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.keys = KeyStore(settings.key_dir)
    app.state.metrics = metrics.Metrics()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    _install_routes(app, settings)
    _document_problems(app)
    return app


def _install_routes(app: FastAPI, settings: Settings) -> None:
    """Every page and API, in the order their routes are matched."""
    api_docs.install(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(registries.router)
    app.include_router(push_endpoints.bank)
    app.include_router(consent_requests.router)
    app.include_router(push_endpoints.keys_router)
    app.include_router(receipts.router)
    citizen_pages.install(app, settings)
    app.include_router(audit_endpoints.well_known)
    app.include_router(audit_endpoints.router)
    install_authorization_server(app, settings)
    app.include_router(oauth_endpoints.router)
    app.include_router(client_endpoints.router)
    app.include_router(push_endpoints.admin)
    app.include_router(data_routes.router)
    app.include_router(answer_routes.keys_router)
    app.include_router(answer_routes.router)


def _document_problems(app: FastAPI) -> None:
    """The OpenAPI document carries the Problem schema its error responses refer to."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_schema(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
