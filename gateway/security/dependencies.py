"""FastAPI dependencies that demand an access token with a given scope.

Sender-constrained tokens (with `cnf.jkt`) are refused here unless their
DPoP proof checks out; the DPoP check itself lives in the authorization
server's DPoP module. Every use of a token asks the database whether its
client is still active and whether it was revoked, so disabling a client or
revoking a token counts at the very next call in every process.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from sqlalchemy.orm import Session

from consent.authorization import repository as authorization_repository
from consent.authorization.repository import TokenStanding
from gateway.database import DbSession
from gateway.keys import KeyStore
from gateway.oauth.jti_ledger import JtiLedger
from gateway.problems import ProblemError
from gateway.security.access_tokens import (
    AccessToken,
    InvalidAccessTokenError,
    verify_access_token,
)


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401,
        "invalid-token",
        "The access token is missing or invalid",
        detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token", DPoP algs="ES256 PS256 EdDSA"'},
    )


def bearer_token(request: Request) -> tuple[str, str]:
    """The authorization scheme (lower case) and the token of the request."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not token or scheme.lower() not in {"bearer", "dpop"}:
        raise _unauthorized("Send the access token in an Authorization header.")
    return scheme.lower(), token.strip()


_STANDING_REFUSALS = {
    TokenStanding.REVOKED: "The access token has been revoked.",
    TokenStanding.CLIENT_INACTIVE: "The client the access token was issued to is disabled.",
}


def check_standing(session: Session, access_token: AccessToken) -> None:
    """Refuse a token that was revoked, or whose client was disabled, since it was issued."""
    refuse_unless_usable(
        authorization_repository.token_standing(
            session, access_token.token_id, access_token.client_id
        )
    )


def refuse_unless_usable(standing: TokenStanding) -> None:
    if standing is not TokenStanding.USABLE:
        raise _unauthorized(_STANDING_REFUSALS[standing])


def authenticate(
    request: Request,
    ledger: JtiLedger | None = None,
    session: Session | None = None,
    *,
    read_standing: bool = True,
) -> AccessToken:
    """The verified token of the request, still usable according to the database.

    With `ledger`, a DPoP proof's jti is only claimed in it, not recorded: the
    caller records it in its own transaction (`record_proofs`) and must commit
    that on every outcome, refusals included, or a refused proof could be
    replayed. The standing of the token is read in `session`, else in a
    short session of its own; `read_standing=False` leaves that to the caller,
    which must read it before it answers (the data API reads it together with
    the proof's jti and the consent: `gateway.oauth.resource.spend_proof_and_read`).
    """
    scheme, token = bearer_token(request)
    keys: KeyStore = request.app.state.keys
    try:
        access_token = verify_access_token(
            keys, token, issuer=request.app.state.settings.issuer_url
        )
    except InvalidAccessTokenError as error:
        raise _unauthorized("The access token could not be verified.") from error
    if access_token.confirmation_jkt is not None or scheme == "dpop":
        # Fail closed until a DPoP verifier is installed on the app.
        verifier = getattr(request.app.state, "dpop_resource_verifier", None)
        if verifier is None:
            raise _unauthorized("Sender-constrained tokens are not accepted here.")
        verifier(request, scheme, token, access_token, ledger)
    if not read_standing:
        return access_token
    if session is not None:
        check_standing(session, access_token)
    else:
        # A short session of its own, closed at once: the data API's request session must
        # not hold a pooled connection while the quota waits for another, or a busy process
        # runs its pool dry with every request holding one and waiting for a second.
        with request.app.state.sessionmaker() as own_session:
            check_standing(own_session, access_token)
    return access_token


def require_scope(scope: str) -> Callable[[Request, Session], AccessToken]:
    """A dependency that returns the verified token when it carries `scope`."""

    def dependency(request: Request, session: DbSession) -> AccessToken:
        # The route's own session (FastAPI hands the same one to both).
        access_token = authenticate(request, session=session)
        if scope not in access_token.scopes:
            raise ProblemError(
                403,
                "insufficient-scope",
                "The access token lacks the scope this endpoint needs",
                f"This endpoint needs the scope '{scope}'.",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )
        return access_token

    return dependency
