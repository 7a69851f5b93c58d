"""What the authorization server keeps on `app.state`, set up once per app."""

from __future__ import annotations

import time

from fastapi import FastAPI

from gateway.oauth.clients import ClientCache
from gateway.oauth.dpop import DpopNonces
from gateway.oauth.keys import ClientKeys
from gateway.oauth.resource import verify_resource_request
from gateway.settings import Settings


def install_authorization_server(app: FastAPI, settings: Settings) -> None:
    app.state.clock = lambda: int(time.time())
    app.state.client_keys = ClientKeys()
    app.state.client_cache = ClientCache()
    secret = settings.dpop_nonce_secret
    app.state.dpop_nonces = DpopNonces(secret.get_secret_value().encode()) if secret else None
    app.state.dpop_resource_verifier = verify_resource_request
    # Wired to the consent domain and the Brønnøysund connector when they are present;
    # until then consent-bound tokens and registrations are refused (fail closed).
    app.state.consent_lookup = None
    app.state.organisation_lookup = None
