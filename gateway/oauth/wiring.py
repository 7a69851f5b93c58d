"""What the authorization server keeps on `app.state`, set up once per app."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.clock import clock_of
from gateway.oauth.clients import ClientCache
from gateway.oauth.consents import RepositoryConsentLookup
from gateway.oauth.dpop import DpopNonces
from gateway.oauth.keys import ClientKeys
from gateway.oauth.resource import verify_resource_request
from gateway.settings import Settings


def install_authorization_server(app: FastAPI, settings: Settings) -> None:
    app.state.client_keys = ClientKeys()
    app.state.client_cache = ClientCache()
    secret = settings.dpop_nonce_secret
    app.state.dpop_nonces = DpopNonces(secret.get_secret_value().encode()) if secret else None
    app.state.dpop_resource_verifier = verify_resource_request
    app.state.consent_lookup = RepositoryConsentLookup(clock_of(app.state))
    # Set in the lifespan from the Brønnøysund connector (or by a test before start);
    # while it is missing, registrations are refused (fail closed).
    app.state.organisation_lookup = None
