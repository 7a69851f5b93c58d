"""Authorization server metadata (RFC 8414): only what this server really does."""

from __future__ import annotations

from typing import Any

from gateway.oauth import client_assertion, dpop
from gateway.oauth.authorization_details import CONSENT_REQUEST_TYPE, CONSENT_TYPE
from gateway.security.scopes import AGENCY_SCOPES, BANK_SCOPES

JWKS_PATH = "/.well-known/jwks.json"


def authorization_server_metadata(issuer: str, paths: dict[str, str]) -> dict[str, Any]:
    """`paths` names the endpoints that are mounted (token, introspection, ...)."""
    metadata: dict[str, Any] = {
        "issuer": issuer,
        "jwks_uri": issuer + JWKS_PATH,
        "scopes_supported": sorted(BANK_SCOPES | AGENCY_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "require_pushed_authorization_requests": True,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(
            client_assertion.ALLOWED_ALGORITHMS
        ),
        "dpop_signing_alg_values_supported": list(dpop.ALLOWED_ALGORITHMS),
        "authorization_details_types_supported": [CONSENT_TYPE, CONSENT_REQUEST_TYPE],
        "authorization_response_iss_parameter_supported": True,
    }
    for name, path in paths.items():
        metadata[f"{name}_endpoint"] = issuer + path
    for name in ("introspection", "revocation"):
        if f"{name}_endpoint" in metadata:
            metadata[f"{name}_endpoint_auth_methods_supported"] = ["private_key_jwt"]
            metadata[f"{name}_endpoint_auth_signing_alg_values_supported"] = list(
                client_assertion.ALLOWED_ALGORITHMS
            )
    return metadata
