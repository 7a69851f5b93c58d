"""The bank's side of a consent-based loan application, through `samtykke_client`."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from samtykke_client import (
    AnswerStatementVerifier,
    InvalidStatementError,
    OAuthError,
    SamtykkeClient,
    SamtykkeError,
    TransportError,
)

from examples.demo_bank import enterprise, precheck
from examples.demo_bank.applications import Application, Applications
from examples.demo_bank.keys import load_or_create_private_jwk
from examples.demo_bank.products import Choice
from examples.demo_bank.settings import BankSettings

PERSON_URN_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_URN_PREFIX = "urn:altinn:organization:identifier-no:"
# Long enough to decide on the application, and within Løsøre's 90 days.
CONSENT_VALIDITY = timedelta(days=30)
# The token endpoint's consent errors, as the data API's codes.
CONSENT_ERRORS = {
    "consent_revoked": "revoked",
    "consent_expired": "expired",
    "consent_used": "used",
    "consent_not_accepted": "not-accepted",
    "consent_deleted": "deleted",
}


class NotRegisteredError(Exception):
    """The bank has no client id at the gateway yet."""


class ApplicationRefusedError(Exception):
    """The gateway refused to create the consent request; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class LoanDesk:
    """Starts applications, follows their consent and fetches the applicant's figures."""

    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings
        self.applications = Applications()
        self._client: SamtykkeClient | None = None
        self._verifier: AnswerStatementVerifier | None = None
        self._client_lock = threading.Lock()

    @property
    def client(self) -> SamtykkeClient:
        """One client for the process: it caches tokens and keeps its DPoP key."""
        with self._client_lock:
            if self._client is None:
                if not self.settings.client_id:
                    raise NotRegisteredError
                self._client = SamtykkeClient(
                    self.settings.gateway_url,
                    client_id=self.settings.client_id,
                    private_jwk=load_or_create_private_jwk(self.settings.state_dir),
                )
            return self._client

    @property
    def verifier(self) -> AnswerStatementVerifier:
        """Checks the gateway's signed answers against its published keys."""
        with self._client_lock:
            if self._verifier is None:
                if not self.settings.client_id:
                    raise NotRegisteredError
                self._verifier = AnswerStatementVerifier(
                    self.settings.gateway_url, client_id=self.settings.client_id
                )
            return self._verifier

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._verifier is not None:
            self._verifier.close()

    def start_precheck(self, person: str, loan_amount: int) -> Application:
        """Ask the person's consent to three yes-or-no answers, and nothing else."""
        request = {
            "from": PERSON_URN_PREFIX + person,
            "consentRights": precheck.consent_rights(loan_amount, datetime.now(UTC).date()),
            "requestMessage": {
                "nb": f"Forhåndssjekk av boliglån hos {self.settings.name}: bare ja eller nei.",
                "en": f"Mortgage pre-check with {self.settings.name}: yes or no only.",
            },
        }
        application = self._ask(
            request,
            person=person,
            loan_amount=loan_amount,
            choice=Choice(inntektsaar=None, months=None, losore=False),
        )
        application.precheck = True
        return application

    def ask_answers(self, application: Application) -> None:
        """Ask each question of the pre-check; keep the verified answers, never a figure."""
        answers = []
        try:
            for question in precheck.QUESTIONS:
                answered = self.client.answer(application.id, application.person, question)
                statement = self.verifier.verify(answered["statement"])
                answers.append(
                    precheck.checked(
                        question,
                        statement.parameters,
                        statement.answer,
                        statement.reason,
                        statement.statement_id,
                    )
                )
        except OAuthError as error:
            consent_error = str(error.problem.get("consent_error", ""))
            self._refused(application, CONSENT_ERRORS.get(consent_error, error.code))
            return
        except SamtykkeError as error:
            self._refused(application, error.code)
            return
        except (TransportError, InvalidStatementError):
            self._refused(application, "gateway-unavailable")
            return
        application.answers = answers
        application.fetched_at = datetime.now(UTC)
        application.refusal = None

    def start(self, person: str, loan_amount: int, choice: Choice) -> Application:
        """Ask for the person's own consent, for a mortgage."""
        request = {
            "from": PERSON_URN_PREFIX + person,
            "consentRights": choice.consent_rights(),
            "requestMessage": {
                "nb": f"Søknad om boliglån hos {self.settings.name}.",
                "en": f"Mortgage application with {self.settings.name}.",
            },
        }
        return self._ask(request, person=person, loan_amount=loan_amount, choice=choice)

    def start_enterprise(
        self, person: str, organisation: str, kind: str, loan_amount: int
    ) -> Application:
        """Ask for the enterprise's consent, to be given by `person` on its behalf."""
        loan = enterprise.KINDS[kind].lower()
        request = {
            "from": ORGANISATION_URN_PREFIX + organisation,
            "requiredDelegator": PERSON_URN_PREFIX + person,
            "consentRights": enterprise.consent_rights(kind, datetime.now(UTC).date()),
            "requestMessage": {
                "nb": f"Søknad om {loan} hos {self.settings.name}.",
                "en": f"Application for a {kind} loan with {self.settings.name}.",
            },
        }
        return self._ask(
            request,
            person=person,
            loan_amount=loan_amount,
            choice=Choice(inntektsaar=None, months=None, losore=False),
            organisation=organisation,
            kind=kind,
        )

    def _ask(
        self,
        request: dict[str, Any],
        *,
        person: str,
        loan_amount: int,
        choice: Choice,
        organisation: str | None = None,
        kind: str | None = None,
    ) -> Application:
        """Create the consent request (`request` names whose consent, for what and why)."""
        consent_id = str(uuid.uuid4())
        body: dict[str, Any] = {
            "id": consent_id,
            **request,
            "to": ORGANISATION_URN_PREFIX + self.settings.organisation_number,
            "validTo": (datetime.now(UTC) + CONSENT_VALIDITY).isoformat(timespec="seconds"),
            "redirectUrl": self.settings.redirect_url,
        }
        try:
            created = self.client.create_consent_request(body)
        except SamtykkeError as error:
            raise ApplicationRefusedError(error.code, error.detail or error.title) from error
        application = Application(
            id=consent_id,
            person=person,
            loan_amount=loan_amount,
            choice=choice,
            view_uri=str(created["viewUri"]),
            status=str(created["status"]),
            enterprise=organisation,
            kind=kind,
        )
        self.applications.add(application)
        return application

    def refresh_status(self, application: Application) -> str:
        """The status at the gateway: the return URL's `status` is only a hint."""
        application.status = str(self.client.get_consent_request(application.id)["status"])
        return application.status

    def fetch(self, application: Application) -> None:
        """Fetch the bundle again; a refusal replaces what was fetched before."""
        try:
            bundle = self.client.loan_application(application.id, application.party)
        except OAuthError as error:
            consent_error = str(error.problem.get("consent_error", ""))
            self._refused(application, CONSENT_ERRORS.get(consent_error, error.code))
            return
        except SamtykkeError as error:
            if "parts" not in error.problem:
                self._refused(application, error.code)
                return
            # No part could be fetched: the problem lists each part's failure.
            bundle = {"complete": False, "parts": error.problem["parts"]}
        except TransportError:
            self._refused(application, "gateway-unavailable", keep_bundle=True)
            return
        application.bundle = bundle
        application.fetched_at = datetime.now(UTC)
        application.refusal = None

    @staticmethod
    def _refused(application: Application, code: str, *, keep_bundle: bool = False) -> None:
        application.refusal = code
        if not keep_bundle:
            # Without a valid consent the bank no longer uses what it fetched.
            application.bundle = None
            application.answers = None
