"""The bare comparison for `/healthz`: FastAPI with the gateway's own health route and nothing else.

The route is the gateway's (`gateway.health.router`, the same function and
response model), so the difference the bench measures is the gateway's stack
around it: middleware, the routes ahead of it, the handlers.

uvicorn --factory bench.healthz.app:create_bare_app
"""

from __future__ import annotations

from fastapi import FastAPI

from gateway import health


def create_bare_app() -> FastAPI:
    app = FastAPI()
    app.include_router(health.router)
    return app
