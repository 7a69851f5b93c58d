"""The DPoP check of resource requests, installed as `app.state.dpop_resource_verifier`.

`gateway.security.dependencies.authenticate` calls it for every token bound
with cnf.jkt (and for every request using the DPoP scheme). It records the
proof's jti in the request's own session, so a replay fails in any process.
"""

from __future__ import annotations

from fastapi import Request

from gateway.clock import epoch_seconds
from gateway.oauth.dpop import DpopNonces, DpopVerifier
from gateway.oauth.errors import InvalidDpopProofError, UseDpopNonceError
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
    request: Request, scheme: str, token: str, access_token: AccessToken
) -> None:
    if access_token.confirmation_jkt is None:
        raise _refusal("invalid_token", "This token is not DPoP-bound; send it as a Bearer token.")
    if scheme != "dpop":
        raise _refusal(
            "invalid_token", "A DPoP-bound token is sent with the DPoP authorization scheme."
        )
    state = request.app.state
    nonces: DpopNonces | None = state.dpop_nonces
    url = state.settings.issuer_url + request.url.path
    with state.sessionmaker() as session:  # its own transaction: the jti must stick
        verifier = DpopVerifier(session, now=epoch_seconds(state), nonces=nonces)
        try:
            proof = verifier.verify(
                request.headers.get("dpop"), method=request.method, url=url, access_token=token
            )
        except UseDpopNonceError as error:
            raise _refusal(
                "use_dpop_nonce", str(error.description), {"DPoP-Nonce": error.nonce}
            ) from error
        except InvalidDpopProofError as error:
            raise _refusal("invalid_dpop_proof", str(error.description)) from error
        session.commit()
    if proof.jkt != access_token.confirmation_jkt:
        raise _refusal(
            "invalid_dpop_proof", "The DPoP proof is signed by another key than the token's cnf."
        )
