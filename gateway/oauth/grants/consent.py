"""The Norwegian model's consent-bound token (Altinn consent + Maskinporten).

A bank that holds an accepted consent asks, authenticated by
private_key_jwt and with a DPoP proof, for a token with
`authorization_details=[{"type": "urn:samtykke:consent", "id", "from"}]`
(`grant_type=client_credentials`). The token carries the consent the way
Maskinporten's does. Every issued token and every refusal that concerns an
existing consent is audited in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import UnauthorizedClientError

from consent.audit import log as audit_log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from gateway.oauth.authorization_details import (
    CONSENT_TYPE,
    ConsentReference,
    parse_consent_reference,
)
from gateway.oauth.consents import ConsentView
from gateway.oauth.errors import InvalidAuthorizationDetailsError
from gateway.oauth.grants.base import GatewayGrantMixin
from gateway.security.scopes import DATA_READ, consumer_claim

# Refusal reasons, each with the description a bank developer can act on.
REFUSALS: dict[str, str] = {
    "consent_not_found": "No consent has this id.",
    "consent_other_bank": "The consent was given to another organisation than this client's.",
    "consent_other_person": "The consent's party is another than 'from' names.",
    "consent_not_accepted": "The consent has not been accepted by the person (yet).",
    "consent_rejected": "The person rejected the consent request.",
    "consent_revoked": "The person has revoked the consent.",
    "consent_expired": "The consent has expired (validTo has passed).",
    "consent_used": "The consent was for one use only and has been used.",
    "consent_deleted": "The consent has been deleted.",
}
_STATUS_REFUSALS = {
    "created": "consent_not_accepted",
    "rejected": "consent_rejected",
    "revoked": "consent_revoked",
    "expired": "consent_expired",
    "used": "consent_used",
    "deleted": "consent_deleted",
}


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def token_authorization_details(consent: ConsentView) -> list[dict[str, Any]]:
    """The consent as Maskinporten puts it in a token."""
    detail: dict[str, Any] = {
        "type": CONSENT_TYPE,
        "id": consent.id,
        "from": consent.party_urn,
        "to": consumer_claim(consent.bank_organisation_number),
        "validTo": _iso(consent.valid_to),
        "consentRights": consent.consent_rights,
    }
    if consent.accepted_at is not None:
        detail["consented"] = _iso(consent.accepted_at)
    return [detail]


class ConsentGrant(GatewayGrantMixin, grants.ClientCredentialsGrant):  # type: ignore[misc]
    @classmethod
    def check_token_endpoint(cls, request: Any) -> bool:
        return bool(
            super().check_token_endpoint(request)
            and "authorization_details" in request.payload.data
        )

    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        self.request.client = client
        if not self.gateway_client.may_fetch_data():
            raise UnauthorizedClientError("Only bank clients may ask for consent-bound tokens.")
        scope = self.request.payload.scope
        if scope not in (None, "", DATA_READ):
            raise self.refuse_scope(f"A consent-bound token has the scope '{DATA_READ}' only.")
        self.proof = self.dpop_proof(required=True)
        reference = parse_consent_reference(self.request.payload.data["authorization_details"])
        self.consent = self._accepted_consent(reference)

    def _accepted_consent(self, reference: ConsentReference) -> ConsentView:
        lookup = self.server.consent_lookup
        if lookup is None:
            raise InvalidAuthorizationDetailsError(
                "Consent-bound tokens are not available on this gateway.", "consent_unavailable"
            )
        consent = self.server.find_consent(lookup, reference.consent_id)
        if consent is None:
            raise self._refuse_unknown(reference)
        if consent.bank_organisation_number != self.gateway_client.organisation_number:
            raise self._refuse(consent, "consent_other_bank")
        if consent.party_urn != reference.party.urn:
            raise self._refuse(consent, "consent_other_person")
        if consent.status != "accepted":
            raise self._refuse(
                consent, _STATUS_REFUSALS.get(consent.status, "consent_not_accepted")
            )
        valid_to = consent.valid_to
        if valid_to.tzinfo is None:
            valid_to = valid_to.replace(tzinfo=UTC)
        if valid_to.timestamp() <= self.server.now():
            raise self._refuse(consent, "consent_expired")
        return consent

    def _refuse(self, consent: ConsentView, reason: str) -> InvalidAuthorizationDetailsError:
        self._audit(consent, Outcome.DENIED, "refused", {"reason": reason})
        return InvalidAuthorizationDetailsError(REFUSALS[reason], reason)

    def _refuse_unknown(self, reference: ConsentReference) -> InvalidAuthorizationDetailsError:
        # No consent, so no subject: the person `from` names gave this bank nothing.
        self._record(
            None, reference.consent_id, Outcome.DENIED, "refused", reason="consent_not_found"
        )
        return InvalidAuthorizationDetailsError(REFUSALS["consent_not_found"], "consent_not_found")

    def _audit(
        self, consent: ConsentView, outcome: Outcome, action: str, details: dict[str, Any]
    ) -> None:
        self._record(consent.subject, consent.id, outcome, action, **details)

    def _record(
        self, person: str | None, consent_id: str, outcome: Outcome, action: str, **details: Any
    ) -> None:
        audit_log.append(
            self.server.session, self._event(person, consent_id, outcome, action, **details)
        )

    def _event(
        self, person: str | None, consent_id: str, outcome: Outcome, action: str, **details: Any
    ) -> AuditEvent:
        return AuditEvent(
            event_type=event_type("token", "consent", action),
            actor_type=ActorType.BANK,
            actor_id=self.gateway_client.organisation_number,
            outcome=outcome,
            subject=person,
            consent_id=consent_id,
            details={"clientId": self.gateway_client.client_id, **details},
        )

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        details = token_authorization_details(self.consent)
        consent = self.consent
        issued = self._event(
            consent.subject,
            consent.id,
            Outcome.SUCCESS,
            "issued",
            expiresIn=self.server.settings.access_token_lifetime_seconds,
        )
        # The jtis and this record go in together (one statement on PostgreSQL), before signing.
        body = self.issue([DATA_READ], self.proof, details, audit=issued)
        return 200, body, self.TOKEN_RESPONSE_HEADER
