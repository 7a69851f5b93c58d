"""The DPoP check of resource requests, installed as `app.state.dpop_resource_verifier`.

`gateway.security.dependencies.authenticate` calls it for every token bound
with cnf.jkt (and for every request using the DPoP scheme). It records the
proof's jti in the database, so a replay fails in any process: in a short
transaction of its own that commits at once or, when the route hands over a
`JtiLedger` on its own session, in the request's transaction when the route
settles it with `record_proofs` (the data API, whose every outcome commits:
the answer, or an audited refusal).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import Row
from sqlalchemy.orm import Session

from consent.authorization import repository as authorization_repository
from gateway.clock import epoch_seconds
from gateway.oauth.dpop import DpopNonces, DpopProof, DpopVerifier, single_proof
from gateway.oauth.errors import InvalidDpopProofError, UseDpopNonceError
from gateway.oauth.jti_ledger import JtiLedger
from gateway.problems import ProblemError
from gateway.security.access_tokens import AccessToken

DPOP_ALGORITHMS = "ES256 PS256 EdDSA"


def _refusal(error: str, description: str, headers: dict[str, str] | None = None) -> ProblemError:
    return ProblemError(
        401,
        error.replace("_", "-"),
        "The DPoP proof is missing or invalid",
        description,
        headers={
            "WWW-Authenticate": f'DPoP error="{error}", algs="{DPOP_ALGORITHMS}"',
            **(headers or {}),
        },
    )


def verify_resource_request(
    request: Request,
    scheme: str,
    token: str,
    access_token: AccessToken,
    ledger: JtiLedger | None = None,
) -> None:
    if access_token.confirmation_jkt is None:
        raise _refusal("invalid_token", "This token is not DPoP-bound; send it as a Bearer token.")
    if scheme != "dpop":
        raise _refusal(
            "invalid_token", "A DPoP-bound token is sent with the DPoP authorization scheme."
        )
    state = request.app.state
    if ledger is not None:
        proof = _verify_proof(request, token, ledger.session, ledger)
    else:
        with state.sessionmaker() as own_session:  # its own transaction: the jti must stick
            proof = _verify_proof(request, token, own_session)
            own_session.commit()
    if proof.jkt != access_token.confirmation_jkt:
        raise _refusal(
            "invalid_dpop_proof", "The DPoP proof is signed by another key than the token's cnf."
        )


def record_proofs(ledger: JtiLedger) -> None:
    """Record the jtis claimed in `ledger` in its session; a replay is refused here."""
    try:
        ledger.settle()
    except InvalidDpopProofError as error:
        raise _refusal("invalid_dpop_proof", str(error.description)) from error


def spend_proof_and_read(
    request: Request, ledger: JtiLedger, access_token: AccessToken, consent_id: str | None
) -> Row[Any]:
    """Record the proof's jti claimed in `ledger` and read the token's standing and the
    consent `consent_id`, in one statement committed by itself (PostgreSQL), on a
    connection given back at once: nothing is held while the caller goes on.

    The jti is spent before any other check of the request, so a refused proof
    cannot be replayed either; a replay is refused here. The row is
    `consent.authorization.repository.spend_jti_and_read`'s.
    """
    claims = ledger.take()
    if len(claims) > 1:  # a resource request carries one proof; never more than one claim
        raise RuntimeError("one proof per resource request")
    jti = (claims[0][0], claims[0][1], claims[0][2]) if claims else None
    with request.app.state.statement_sessionmaker() as session:
        fresh, row = authorization_repository.spend_jti_and_read(
            session,
            jti,
            client_id=access_token.client_id,
            token_jti=access_token.token_id,
            consent_id=consent_id,
        )
        session.commit()
    if not fresh:
        replay = claims[0][3]()
        raise _refusal("invalid_dpop_proof", str(replay.description))
    return row


def _verify_proof(
    request: Request, token: str, session: Session, ledger: JtiLedger | None = None
) -> DpopProof:
    """Check the proof and record its jti (in `ledger`, else `session`); refusals as problems."""
    state = request.app.state
    nonces: DpopNonces | None = state.dpop_nonces
    url = state.settings.issuer_url + request.url.path
    verifier = DpopVerifier(session, now=epoch_seconds(state), nonces=nonces, ledger=ledger)
    try:
        return verifier.verify(
            single_proof(request.headers), method=request.method, url=url, access_token=token
        )
    except UseDpopNonceError as error:
        raise _refusal(
            "use_dpop_nonce", str(error.description), {"DPoP-Nonce": error.nonce}
        ) from error
    except InvalidDpopProofError as error:
        raise _refusal("invalid_dpop_proof", str(error.description)) from error
