"""The admin API's guard: a bearer token from the settings, compared in constant time.

Fail closed: with no token configured, every admin request is refused.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from gateway.problems import ProblemError
from gateway.settings import Settings

ADMIN_ACTOR = "admin-api"


def require_admin(request: Request) -> str:
    """Return the actor name of the admin request, or refuse it."""
    settings: Settings = request.app.state.settings
    if settings.admin_token is None:
        raise ProblemError(
            403,
            "admin-api-disabled",
            "The admin API is disabled",
            "Set SAMTYKKE_ADMIN_TOKEN on the gateway to enable it.",
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = settings.admin_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise ProblemError(
            401,
            "invalid-admin-token",
            "The admin token is missing or wrong",
            headers={"WWW-Authenticate": 'Bearer realm="admin"'},
        )
    return ADMIN_ACTOR
