"""The rules of one consented fetch: check, fetch, minimise, audit, use up.

Every call is checked against the database at request time, so a
revocation takes effect on the very next call in every process. Every
outcome — allowed, refused or failed at the registry — is appended to the
audit log; the successful read is recorded in the same transaction that
uses up a one-time consent, and that transaction commits before the
response leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connectors import errors as registry_errors
from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.catalogue import DataProduct, MetadataError, find
from consent.consents import lifecycle, repository
from consent.consents.models import Consent
from consent.parties import Party, party_of_urn
from consent.policy import Refusal, may_read, registry_subject
from gateway.data.products import Fetched, Registries, fetcher_for
from gateway.problems import AuditedRefusal, ProblemError
from gateway.security.access_tokens import AccessToken

CONSENT_DETAILS_TYPE = "urn:samtykke:consent"


@dataclass(frozen=True)
class DataCaller:
    """Who asks, as proven by the DPoP-bound access token."""

    token: AccessToken
    bank: str  # organisation number from the token's consumer claim
    correlation_id: str
    now: datetime
    # The consent the token names, as read with the token's standing for this request
    # (`consent_read`; None: no such consent). A copy, not tracked by any session.
    consent: Consent | None = None
    consent_read: bool = False


# What a fetch reads of a consent (`consent.authorization.repository.spend_jti_and_read`).
@dataclass(frozen=True)
class ConsentReference:
    consent_id: str
    party: Party  # a person, or an organisation


def consent_reference(token: AccessToken) -> ConsentReference | None:
    """The consent the token was issued for, from its authorization_details."""
    for detail in token.authorization_details:
        if detail.get("type") != CONSENT_DETAILS_TYPE:
            continue
        consent_id, urn = detail.get("id"), detail.get("from")
        party = party_of_urn(urn) if isinstance(urn, str) else None
        if isinstance(consent_id, str) and party is not None:
            return ConsentReference(consent_id, party)
    return None


def read_event_type(product: DataProduct) -> str:
    return event_type("data", product.dataset.split(":", 1)[1], "read")


# Registry failures as the bank sees them: status, stable code, title.
# The first matching kind wins, so subclasses come before their bases.
_REGISTRY_FAILURES: list[tuple[type[registry_errors.RegistryError], int, str, str]] = [
    (registry_errors.PersonNotFound, 404, "person-unknown-to-registry",
     "The registry does not know the person"),
    (registry_errors.NoDataForPeriod, 404, "no-data-for-period",
     "The registry has no data for that period yet"),
    (registry_errors.OrganisationNotFound, 404, "organisation-unknown-to-registry",
     "The registry does not know the enterprise"),
    (registry_errors.UpstreamTimeout, 504, "registry-timeout",
     "The registry did not answer in time"),
    (registry_errors.UpstreamFailure, 503, "registry-unavailable",
     "The registry is unavailable"),
    (registry_errors.MalformedResponse, 502, "registry-bad-response",
     "The registry answered something unusable"),
    (registry_errors.RegistryError, 502, "registry-error",
     "The registry refused the gateway's request"),
]  # fmt: skip


def registry_problem(error: registry_errors.RegistryError) -> ProblemError:
    status, code, title = next(
        (status, code, title)
        for kind, status, code, title in _REGISTRY_FAILURES
        if isinstance(error, kind)
    )
    extensions: dict[str, Any] = {"registry": error.registry}
    headers: dict[str, str] = {}
    if isinstance(error, registry_errors.NoDataForPeriod) and error.latest_available:
        extensions["latestAvailableYear"] = error.latest_available
    if status == 503:
        retry_after = getattr(error, "retry_after", None)
        headers["Retry-After"] = str(max(1, int(retry_after or 5)))
    if error.correlation_id:
        extensions["registryCorrelationId"] = error.correlation_id
    return ProblemError(status, code, title, error.message, headers=headers, extensions=extensions)


class DataService:
    def __init__(
        self, session: Session, registries: Registries, executor: Executor, caller: DataCaller
    ) -> None:
        self.session = session
        self.registries = registries
        self.executor = executor
        self.caller = caller

    # -- audit -------------------------------------------------------------------
    def _audit(
        self,
        event: str,
        outcome: Outcome,
        *,
        consent: Consent | None = None,
        consent_id: str | None = None,
        product: DataProduct | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        log.append(
            self.session,
            AuditEvent(
                event_type=event,
                actor_type=ActorType.BANK,
                actor_id=self.caller.bank,
                outcome=outcome,
                subject=consent.party.id if consent is not None else None,
                consent_id=consent.id if consent is not None else consent_id,
                data_product=product.id if product is not None else None,
                correlation_id=self.caller.correlation_id,
                details={"client_id": self.caller.token.client_id, **(details or {})},
                occurred_at=self.caller.now,
            ),
        )

    def _refuse(
        self,
        problem: ProblemError,
        *,
        event: str,
        consent: Consent | None = None,
        consent_id: str | None = None,
        product: DataProduct | None = None,
        outcome: Outcome = Outcome.DENIED,
    ) -> AuditedRefusal:
        self._audit(
            event,
            outcome,
            consent=consent,
            consent_id=consent_id,
            product=product,
            details={"reason": problem.code},
        )
        return AuditedRefusal.of(problem)

    # -- the consent ---------------------------------------------------------------
    def _consent(self, event: str, product: DataProduct | None) -> Consent:
        reference = consent_reference(self.caller.token)
        if reference is None:
            raise self._refuse(
                ProblemError(
                    403,
                    "consent-missing",
                    "The access token is not bound to a consent",
                    "Ask the token endpoint for a token with authorization_details of type "
                    f"{CONSENT_DETAILS_TYPE}.",
                ),
                event=event,
                product=product,
            )
        if self.caller.consent_read:
            consent = self.caller.consent
            if consent is not None and consent.id != reference.consent_id:
                raise RuntimeError("the consent read is not the one the token names")
        else:
            consent = repository.get(self.session, reference.consent_id)
        if consent is None:
            raise self._refuse(
                ProblemError(403, "consent-not-found", "No such consent for this bank"),
                event=event,
                consent_id=reference.consent_id,
                product=product,
            )
        if reference.party != consent.party:
            raise self._refuse(
                ProblemError(
                    403, "party-mismatch", "The token names another party than the consent"
                ),
                event=event,
                consent=consent,
                product=product,
            )
        return consent

    def _consented_metadata(self, consent: Consent, product: DataProduct) -> dict[str, str]:
        for right in consent.consent_rights:
            if any(resource.get("value") == product.id for resource in right["resource"]):
                return dict(right.get("metadata") or {})
        return {}

    def _check(
        self, consent: Consent, product: DataProduct, metadata: Mapping[str, str], event: str
    ) -> None:
        decision = may_read(
            consent,
            bank_organisation_number=self.caller.bank,
            party=consent.party,
            product_id=product.id,
            metadata=metadata,
            now=self.caller.now,
        )
        if isinstance(decision, Refusal):
            raise self._refuse(
                ProblemError(
                    403,
                    decision.reason.value,
                    "The consent does not allow this fetch",
                    _REFUSAL_DETAILS[decision.reason.value],
                ),
                event=event,
                consent=consent,
                product=product,
            )

    # -- fetching ------------------------------------------------------------------
    def _answer(self, consent: Consent, product: DataProduct, fetched: Fetched) -> dict[str, Any]:
        return {
            "consentId": consent.id,
            "product": product.id,
            "source": fetched.source,
            "data": fetched.data,
        }

    def _record_success(
        self, consent: Consent, product: DataProduct, metadata: Mapping[str, str]
    ) -> None:
        self._audit(
            read_event_type(product),
            Outcome.SUCCESS,
            consent=consent,
            product=product,
            details={"metadata": dict(metadata)},
        )

    def _settled(
        self, consent: Consent, checks: list[tuple[DataProduct, Mapping[str, str]]], event: str
    ) -> Consent:
        """The consent to record the answer against, once the registry has answered.

        A one-time consent is locked now (`repository.get_locked`, on both
        databases) and checked again, so that of two fetches under it only the
        first is answered; the lock is held from here to the commit, never
        while a registry is asked. Others are the consent as read.
        """
        if not consent.one_time:
            return consent
        locked = repository.get_locked(self.session, consent.id)
        if locked is None:
            raise RuntimeError("a consent was deleted while it was being used")
        for product, metadata in checks:
            self._check(locked, product, metadata, event)
        return locked

    def _use_up(self, consent: Consent) -> None:
        if consent.one_time:
            lifecycle.mark_used(
                self.session,
                consent,
                actor=lifecycle.Actor.bank(self.caller.bank),
                now=self.caller.now,
            )

    def fetch(self, product_id: str, requested: Mapping[str, str]) -> dict[str, Any]:
        """One product. `requested` metadata defaults to what was consented."""
        product = find(product_id)
        assert product is not None, "routes name catalogue products only"
        event = read_event_type(product)
        consent = self._consent(event, product)
        metadata = {**self._consented_metadata(consent, product), **requested}
        if requested:
            try:
                metadata = product.metadata.validate(metadata, self.caller.now)
            except MetadataError as error:
                raise self._refuse(
                    ProblemError(
                        400, error.code, "The metadata asked for is not valid", str(error)
                    ),
                    event=event,
                    consent=consent,
                    product=product,
                ) from None
        self._check(consent, product, metadata, event)
        try:
            fetched = fetcher_for(product)(
                self.registries, registry_subject(consent, product.id), metadata
            )
        except registry_errors.RegistryError as error:
            raise self._refuse(
                registry_problem(error),
                event=event,
                consent=consent,
                product=product,
                outcome=Outcome.FAILED,
            ) from None
        consent = self._settled(consent, [(product, metadata)], event)
        self._record_success(consent, product, metadata)
        self._use_up(consent)
        return self._answer(consent, product, fetched)

    def loan_application(self) -> dict[str, Any]:
        """Every product the consent covers, fetched from the registries at once."""
        event = event_type("data", "loan-application", "read")
        consent = self._consent(event, None)
        # Derived answers are asked one by one at /answers/v1: the bundle holds figures only.
        products = [
            product
            for product_id in consent.product_ids
            if (product := find(product_id)) and product.answer is None
        ]
        plans: list[tuple[DataProduct, dict[str, str]]] = []
        for product in products:
            metadata = self._consented_metadata(consent, product)
            self._check(consent, product, metadata, read_event_type(product))
            plans.append((product, metadata))
        futures = [
            (
                product,
                metadata,
                self.executor.submit(
                    fetcher_for(product),
                    self.registries,
                    registry_subject(consent, product.id),
                    metadata,
                ),
            )
            for product, metadata in plans
        ]
        outcomes: list[tuple[DataProduct, dict[str, str], Fetched | registry_errors.RegistryError]]
        outcomes = []
        for product, metadata, future in futures:
            try:
                outcomes.append((product, metadata, future.result()))
            except registry_errors.RegistryError as failed:
                outcomes.append((product, metadata, failed))
        consent = self._settled(consent, [(p, m) for p, m in plans], event)
        parts: dict[str, Any] = {}
        failures: list[ProblemError] = []
        for product, metadata, fetched in outcomes:
            if isinstance(fetched, registry_errors.RegistryError):
                problem = registry_problem(fetched)
                failures.append(problem)
                self._audit(
                    read_event_type(product),
                    Outcome.FAILED,
                    consent=consent,
                    product=product,
                    details={"reason": problem.code, "bundle": True},
                )
                parts[product.id] = {"status": "failed", "problem": problem.body()}
                continue
            self._record_success(consent, product, metadata)
            parts[product.id] = {"status": "ok", **self._answer(consent, product, fetched)}
        if len(failures) == len(plans) and failures:
            first = failures[0]
            raise AuditedRefusal(
                first.status,
                first.code,
                "No part of the loan application could be fetched",
                first.detail,
                headers=first.headers,
                extensions={"parts": parts},
            )
        self._use_up(consent)
        return {
            "consentId": consent.id,
            "complete": not failures,
            "parts": parts,
        }


_REFUSAL_DETAILS: dict[str, str] = {
    "not-accepted": "The citizen has not accepted this consent.",
    "expired": "The consent has expired; ask the citizen for a new one.",
    "revoked": "The citizen has revoked this consent.",
    "used": "This one-time consent has already been used.",
    "deleted": "The bank withdrew this consent request.",
    "party-mismatch": "The consent was given to another bank, or for another party.",
    "product-not-covered": "The consent does not cover this data product.",
    "metadata-not-covered": "The consent does not cover this year or these months.",
}
