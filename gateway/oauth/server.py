"""Authlib's AuthorizationServer, built per request around that request's database session.

Authlib is synchronous and so is our session, so the whole token request,
with its jti records and its audit entry, is one transaction, committed by
`gateway.database.DbSession` before the answer leaves.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from authlib.oauth2 import AuthorizationServer as AuthlibAuthorizationServer
from authlib.oauth2.rfc6749.errors import OAuth2Error
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from gateway.keys import KeyStore
from gateway.oauth.authorization_details import parse_consent_reference
from gateway.oauth.client_assertion import PrivateKeyJwtAuthentication
from gateway.oauth.clients import PRIVATE_KEY_JWT, ClientCache, OAuthClient
from gateway.oauth.consents import ConsentLookup, ConsentView, RepositoryConsentLookup
from gateway.oauth.dpop import DpopNonces, DpopVerifier
from gateway.oauth.errors import InvalidAuthorizationDetailsError
from gateway.oauth.grants import AuthorizationCodeGrant, ClientCredentialsGrant, ConsentGrant
from gateway.oauth.jti_ledger import JtiLedger
from gateway.oauth.keys import ClientKeys
from gateway.settings import Settings

TOKEN_PATH = "/oauth/token"  # noqa: S105  (a path, not a secret)
# Order matters: the consent grant claims client-credentials requests that carry
# authorization_details before the plain client-credentials grant sees them.
GRANTS = (ConsentGrant, ClientCredentialsGrant, AuthorizationCodeGrant)


class AuthorizationServer(AuthlibAuthorizationServer):  # type: ignore[misc]
    def __init__(
        self,
        session: Session,
        *,
        settings: Settings,
        keys: KeyStore,
        client_keys: ClientKeys,
        client_cache: ClientCache,
        consent_lookup: ConsentLookup | None,
        nonces: DpopNonces | None,
        now: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        super().__init__(scopes_supported=None)
        self.session = session
        self.settings = settings
        self.issuer = settings.issuer_url
        self.keys = keys
        self.client_cache = client_cache
        self.consent_lookup = consent_lookup
        self.now = now
        # The consent a client-credentials request names, read with its client (one round trip).
        self._named_consent: str | None = None
        self._read_consents: dict[str, ConsentView | None] = {}
        self.jtis = JtiLedger(session)
        self.dpop = DpopVerifier(session, now=now, nonces=nonces, ledger=self.jtis)
        self.register_client_auth_method(
            PRIVATE_KEY_JWT,
            PrivateKeyJwtAuthentication(
                self.jtis, issuer=self.issuer, client_keys=client_keys.of, now=now
            ),
        )
        for grant in GRANTS:
            self.register_grant(grant)

    @property
    def token_endpoint(self) -> str:
        return self.issuer + TOKEN_PATH

    def query_client(self, client_id: str) -> OAuthClient | None:
        consent_id, lookup = self._named_consent, self.consent_lookup
        if consent_id is not None and isinstance(lookup, RepositoryConsentLookup):
            # Read now, checked only where the grant checks it (after the client's proofs).
            version, consent = lookup.find_with_client_version(self.session, client_id, consent_id)
            self._read_consents = {consent_id: consent}
            record = self.client_cache.at_version(self.session, client_id, version)
        else:
            record = self.client_cache.get(self.session, client_id)
        return OAuthClient(record) if record is not None else None

    def find_consent(self, lookup: ConsentLookup, consent_id: str) -> ConsentView | None:
        """The consent as read with the client in this request, else from `lookup`."""
        if consent_id in self._read_consents:
            return self._read_consents[consent_id]
        return lookup.find(self.session, consent_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        # Tokens are self-contained JWTs; only revocations are stored (token_management).
        return None

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: Any) -> Any:
        # The route has already read the body into a StarletteOAuth2Request.
        details = request.payload.data.get("authorization_details")
        if details is not None and request.payload.data.get("grant_type") == "client_credentials":
            try:
                self._named_consent = parse_consent_reference(details).consent_id
            except InvalidAuthorizationDetailsError:
                self._named_consent = None  # refused by the grant, in its turn
        return request

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        # A refused request's JWTs are spent too: a replay must not succeed later,
        # e.g. once the consent it was refused for has been accepted.
        if self.jtis.unsettled:
            with contextlib.suppress(OAuth2Error):
                self.jtis.settle()
        response: Response = super().handle_error_response(request, error)
        return response

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if status < 400 and self.jtis.unsettled:
            # A success answer with unrecorded jtis would let a replay through: fail closed.
            raise RuntimeError("one-time identifiers were not recorded before answering")
        header_map = dict(headers)
        if isinstance(body, dict):
            header_map.pop("Content-Type", None)
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(body or b"", status_code=status, headers=header_map)


def build_server(request: Request, session: Session) -> AuthorizationServer:
    state = request.app.state
    return AuthorizationServer(
        session,
        settings=state.settings,
        keys=state.keys,
        client_keys=state.client_keys,
        client_cache=state.client_cache,
        consent_lookup=getattr(state, "consent_lookup", None),
        nonces=state.dpop_nonces,
    )
