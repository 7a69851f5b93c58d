"""The demo bank's application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from examples.demo_bank import events, pages
from examples.demo_bank.figures import kroner, oslo_time
from examples.demo_bank.service import LoanDesk
from examples.demo_bank.settings import BankSettings

HERE = Path(__file__).parent


def create_app(settings: BankSettings | None = None) -> FastAPI:
    settings = settings or BankSettings()
    desk = LoanDesk(settings)
    event_desk = events.EventDesk(settings, desk.applications)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        event_desk.close()
        desk.close()

    app = FastAPI(title=settings.name, lifespan=lifespan, docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["kroner"] = kroner
    templates.env.filters["oslo_time"] = oslo_time
    templates.env.globals["bank_name"] = settings.name
    app.state.desk = desk
    app.state.events = event_desk
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(events.router)

    # No script anywhere. No form-action either: the start form's redirect goes on to the
    # gateway and from there to ID-porten, and browsers check every hop of it.
    policy = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = policy
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app
