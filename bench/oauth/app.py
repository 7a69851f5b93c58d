"""The gateway as benchmarked: the real app, as `samtykke serve` builds it.

The bench consent lives in the consent table (see setup_bench), so the token
endpoint looks it up with the real `RepositoryConsentLookup`.

uvicorn --factory bench.oauth.app:create_bench_app (env: SAMTYKKE_*)
"""

from __future__ import annotations

from fastapi import FastAPI

from gateway.app import create_app


def create_bench_app() -> FastAPI:
    return create_app()
