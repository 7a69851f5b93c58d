"""The interactive API documentation (/docs, /redoc), served whole from the gateway.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start them with
an inline script: blank on a machine without internet, and refused by a
content policy without 'unsafe-inline'. Here the assets come from the pinned
`fastapi-offline` package, the start-up code from a file of ours, and the
pages carry a content policy that allows nothing from elsewhere.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

VENDOR_PREFIX = "/api-docs/vendor"
OWN_PREFIX = "/api-docs/static"
HERE = Path(__file__).parent
VENDOR_ASSETS = Path(str(files("fastapi_offline").joinpath("static")))
# Swagger UI's stylesheet draws icons from data: URIs; ReDoc injects its styles and runs
# its search in a worker made from a blob. Nothing may come from another origin.
CONTENT_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "worker-src 'self' blob:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def _page(title: str, head: str, body: str) -> HTMLResponse:
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="{VENDOR_PREFIX}/favicon.png">
{head}
</head>
<body>
{body}
</body>
</html>
"""
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": CONTENT_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _title(app: FastAPI) -> str:
    return f"{app.title}: API documentation"


def install(app: FastAPI) -> None:
    """Serve /docs and /redoc with local assets. The app must be made with docs_url=None."""
    spec_url = html.escape(app.openapi_url or "/openapi.json")
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def swagger_ui() -> HTMLResponse:
        return _page(
            _title(app),
            f'<link rel="stylesheet" href="{VENDOR_PREFIX}/swagger-ui.css">',
            f'<div id="swagger-ui" data-spec-url="{spec_url}"></div>\n'
            f'<script src="{VENDOR_PREFIX}/swagger-ui-bundle.js"></script>\n'
            f'<script src="{OWN_PREFIX}/swagger-init.js"></script>',
        )

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return _page(
            _title(app),
            "",
            f'<div id="redoc" data-spec-url="{spec_url}"></div>\n'
            f'<script src="{VENDOR_PREFIX}/redoc.standalone.js"></script>\n'
            f'<script src="{OWN_PREFIX}/redoc-init.js"></script>',
        )

    app.include_router(router)
    app.mount(VENDOR_PREFIX, StaticFiles(directory=VENDOR_ASSETS), name="api-docs-vendor")
    app.mount(OWN_PREFIX, StaticFiles(directory=HERE / "static"), name="api-docs-static")
