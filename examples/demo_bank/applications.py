"""The bank's loan applications, kept in memory: a demo needs nothing more durable."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from examples.demo_bank.precheck import CheckedAnswer
from examples.demo_bank.products import Choice


@dataclass
class Application:
    id: str  # the consent request's id: the bank chooses it
    person: str  # the applicant's national identity number; never put in a URL
    loan_amount: int
    choice: Choice
    view_uri: str
    status: str = "created"  # the consent request's status at the gateway, as last read
    bundle: dict[str, Any] | None = None  # the last loan-application bundle fetched
    fetched_at: datetime | None = None
    refusal: str | None = None  # why the last fetch was refused: revoked, expired, ...
    # A loan to an enterprise: its organisation number and "landbruk" or "havbruk".
    enterprise: str | None = None
    kind: str | None = None
    # A pre-check: the consent covers yes-or-no answers only, never a figure.
    precheck: bool = False
    answers: list[CheckedAnswer] | None = None  # the verified answers, once asked

    @property
    def party(self) -> str:
        """Whose consent: the enterprise's, or the applicant's own."""
        return self.enterprise or self.person


class Applications:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Application] = {}

    def add(self, application: Application) -> None:
        with self._lock:
            self._by_id[application.id] = application

    def get(self, application_id: str) -> Application | None:
        with self._lock:
            return self._by_id.get(application_id)
