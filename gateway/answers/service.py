"""One derived answer: check, fetch, compute, discard the figures, count, audit, sign.

The same rules as a consented fetch (``gateway.data.service``): a DPoP-bound token for
an accepted consent of this bank and party, checked against the database at request
time, every outcome appended to the audit log. On top of them:

- the question's parameters are the ones the consent fixed; a bank naming another value
  is refused (``parameters-not-consented``), so it cannot narrow a figure down by
  asking many thresholds;
- each consent gives a bounded number of answers per question (the product's budget),
  counted in the transaction that appends the answer's audit entry;
- the registry's data is read into memory, the answer computed, and the data dropped:
  it is in no response, no audit entry, no log line and no table. The audit entry
  records the question, its parameters and the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors import errors as registry_errors
from consent.answers import budget
from consent.answers.questions import (
    EVENT_SOURCE,
    Answer,
    Unanswerable,
    compute,
    unknown_to_registry,
)
from consent.audit.events import Outcome, event_type
from consent.catalogue import DataProduct, MetadataError, find
from consent.consents.models import Consent
from consent.policy import registry_subject
from gateway.answers import statements
from gateway.data.products import fetcher_for
from gateway.data.service import DataService, registry_problem
from gateway.keys import KeyStore
from gateway.problems import ProblemError

UNKNOWN_QUESTION = event_type(EVENT_SOURCE, "unknown", "asked")

# Registry answers that are definite, not failures: a signed answer of their own.
_NOT_FOUND = (registry_errors.PersonNotFound, registry_errors.OrganisationNotFound)


def asked_event_type(product: DataProduct) -> str:
    return event_type(EVENT_SOURCE, product.id, "asked")


class AnswerService(DataService):
    """A :class:`DataService` that answers questions instead of handing over data."""

    def answer(
        self,
        question: str,
        asked_with: Sequence[tuple[str, str]],
        *,
        keys: KeyStore,
        issuer: str,
    ) -> dict[str, Any]:
        """The answer to `question` asked with the (name, value) query parameters."""
        product = find(question)
        if product is None or product.answer is None:
            raise self._refuse(
                ProblemError(
                    404,
                    "unknown-question",
                    "No such derived answer",
                    "The catalogue has no derived answer with this id.",
                ),
                event=UNKNOWN_QUESTION,
            )
        spec = product.answer
        event = asked_event_type(product)
        consent = self._consent(event, product)
        requested = dict(asked_with)
        if len(requested) != len(asked_with):
            raise self._refuse(
                ProblemError(400, "invalid-metadata", "A parameter is named twice"),
                event=event,
                consent=consent,
                product=product,
            )
        consented = self._consented_metadata(consent, product)
        # The consent, its state, the party and the question first: only then its parameters.
        self._check(consent, product, consented, event)
        try:
            parameters = product.metadata.validate({**consented, **requested}, self.caller.now)
        except MetadataError as error:
            raise self._refuse(
                ProblemError(400, error.code, "The parameters are not valid", str(error)),
                event=event,
                consent=consent,
                product=product,
            ) from None
        if parameters != consented:
            raise self._refuse(
                ProblemError(
                    403,
                    "parameters-not-consented",
                    "The consent fixes other parameters for this question",
                    "Ask with the parameters the consent names, or none (they are then the "
                    "consented ones).",
                    extensions={"consentedParameters": consented},
                ),
                event=event,
                consent=consent,
                product=product,
            )
        exhausted = budget.used(self.session, consent.id, product.id) >= spec.budget
        # The connection goes back to the pool before the registry is asked (nothing is
        # written yet): no request holds one while a registry answers.
        self.session.commit()
        if exhausted:
            raise self._exhausted(consent, product, event)
        result = self._computed(consent, product, parameters, event)
        consent = self._settled(consent, [(product, parameters)], event)
        left = budget.take(self.session, consent.id, product.id, spec.budget)
        if left is None:  # another request took the last answer meanwhile
            raise self._exhausted(consent, product, event)
        claims = statements.claims_of(
            issuer=issuer,
            audience=self.caller.token.client_id,
            issued_at=self.caller.now,
            consent_id=consent.id,
            party=consent.party,
            question=product.id,
            parameters=parameters,
            answer=result.value,
            reason=result.reason.value if result.reason else None,
        )
        details: dict[str, Any] = {
            "question": product.id,
            "parameters": parameters,
            "answer": result.value,
            "statementId": claims["jti"],
        }
        if result.reason is not None:
            details["reason"] = result.reason.value
        self._audit(event, Outcome.SUCCESS, consent=consent, product=product, details=details)
        self._use_up(consent)
        body: dict[str, Any] = {
            "consentId": consent.id,
            "question": product.id,
            "parameters": parameters,
            "answer": result.value,
        }
        if result.reason is not None:
            body["reason"] = result.reason.value
        body["answersLeft"] = left
        body["statement"] = statements.sign(keys, claims)
        return body

    def _computed(
        self, consent: Consent, product: DataProduct, parameters: Mapping[str, str], event: str
    ) -> Answer:
        """The answer from the registry's data; the data goes no further than this."""
        assert product.answer is not None
        reads = find(product.answer.reads)
        assert reads is not None, "an answer reads a catalogue product"
        metadata = {key: parameters[key] for key in reads.metadata.keys}
        try:
            fetched = fetcher_for(reads)(
                self.registries, registry_subject(consent, reads.id), metadata
            )
        except registry_errors.RegistryError as error:
            if isinstance(error, registry_errors.NoDataForPeriod):
                return Answer.cannot(Unanswerable.NO_DATA)
            if isinstance(error, _NOT_FOUND):
                return unknown_to_registry(product)
            raise self._refuse(
                registry_problem(error),
                event=event,
                consent=consent,
                product=product,
                outcome=Outcome.FAILED,
            ) from None
        return compute(product, fetched.data, parameters, self.caller.now.date())

    def _exhausted(self, consent: Consent, product: DataProduct, event: str) -> Exception:
        assert product.answer is not None
        return self._refuse(
            ProblemError(
                403,
                "answer-budget-exhausted",
                "This consent has given all the answers it allows for this question",
                f"A consent gives at most {product.answer.budget} answers to this question; "
                "ask the citizen for a new consent.",
            ),
            event=event,
            consent=consent,
            product=product,
        )
