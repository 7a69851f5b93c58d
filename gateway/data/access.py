"""Who is calling the data API: the bank behind a DPoP-bound data token.

Every refusal here is audited before it is answered, like every refusal of
the data service itself.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.authorization.repository import standing_of
from consent.consents.repository import consent_of
from gateway.clock import clock_of
from gateway.data.service import DataCaller, consent_reference
from gateway.oauth.jti_ledger import JtiLedger
from gateway.oauth.resource import record_proofs, spend_proof_and_read
from gateway.problems import AuditedRefusal, ProblemError
from gateway.ratelimit import check_bank_quota, refuse_over_quota
from gateway.security.dependencies import authenticate, refuse_unless_usable
from gateway.security.scopes import DATA_READ, organisation_number_of

REFUSED_ACCESS = event_type("data", "access", "refused")


def authenticated_caller(request: Request, session: Session) -> DataCaller:
    """The bank behind a DPoP-bound data token, with the consent its token names; every
    refusal is audited.

    Once the token and its DPoP proof verify, one statement records the
    proof's jti (committed at once: a proof is never accepted twice, refused
    or not) and reads the token's standing and the consent
    (`spend_proof_and_read`), on a connection of its own that is given back
    before anything else happens; `session`, the request's, is not used
    until the registry has answered (or a refusal is audited). A proof
    refused by the token checks themselves has its jti recorded in `session`,
    which commits with the refusal's audit record.
    """
    now = clock_of(request.app.state)()  # the clock the DPoP check and the token endpoint use
    correlation_id = str(getattr(request.state, "request_id", ""))
    proofs = JtiLedger(session)
    bank: str | None = None
    try:
        try:
            token = authenticate(request, proofs, read_standing=False)
        except ProblemError:
            record_proofs(proofs)  # a replay is refused here, before any other refusal
            raise
        reference = consent_reference(token)
        state = spend_proof_and_read(
            request, proofs, token, reference.consent_id if reference else None
        )
        refuse_unless_usable(standing_of(state.client_status, state.revoked_jti))
        if DATA_READ not in token.scopes:
            raise ProblemError(
                403,
                "insufficient-scope",
                "The access token lacks the scope this endpoint needs",
                f"Data endpoints need the scope '{DATA_READ}'.",
            )
        if token.confirmation_jkt is None:
            raise ProblemError(
                401,
                "dpop-required",
                "Data tokens must be sender-constrained with DPoP",
                "Ask the token endpoint with a DPoP proof and call with 'Authorization: DPoP'.",
                headers={"WWW-Authenticate": 'DPoP algs="ES256 PS256 EdDSA"'},
            )
        bank = organisation_number_of(token.claims)
        if bank is None:
            raise ProblemError(403, "unknown-organisation", "The token names no organisation")
        quota = check_bank_quota(request, bank)
        refuse_over_quota(quota)
    except ProblemError as problem:
        log.append(
            session,
            AuditEvent(
                event_type=REFUSED_ACCESS,
                actor_type=ActorType.BANK,
                actor_id=bank or "unauthenticated",
                outcome=Outcome.DENIED,
                correlation_id=correlation_id,
                details={"reason": problem.code, "route": request.url.path},
                occurred_at=now,
            ),
        )
        raise AuditedRefusal.of(problem) from problem
    return DataCaller(
        token=token,
        bank=bank,
        correlation_id=correlation_id,
        now=now,
        consent=consent_of(state) if state.id is not None else None,
        consent_read=True,
    )
