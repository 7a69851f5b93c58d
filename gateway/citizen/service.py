"""What the citizen's pages show and do: consent pages, answers, "my consents", revocation.

The routes hand over the logged-in person; everything here checks that the
consent is theirs. Pages speak the citizen's language, so views hold words,
not codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.catalogue import MetadataKind, find
from consent.clients import repository as clients
from consent.consents import lifecycle, repository
from consent.consents.lifecycle import ConsentError
from consent.consents.models import Consent
from consent.consents.states import ConsentStatus
from gateway.citizen.texts import MONTHS, TEXTS
from gateway.citizen.web_security import origin_of
from gateway.problems import AuditedRefusal

NORWAY = ZoneInfo("Europe/Oslo")


class PageError(Exception):
    """A refusal the citizen sees as a page: a status, a title and an explanation (text keys)."""

    def __init__(
        self, status: int, title: str, message: str, *, consent_status: str | None = None
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message
        self.consent_status = consent_status  # shown in `message` as {status}


class AuditedPageRefusal(AuditedRefusal):
    """A refused page whose audit record is appended: the session commits it, then the page shows.

    It is an :class:`AuditedRefusal`, so the request's session keeps the record
    as it does for every audited refusal; the citizen sees `page`, not JSON.
    """

    def __init__(self, code: str, page: PageError) -> None:
        super().__init__(page.status, code, page.title)
        self.page = page


REFUSED = event_type("citizen", "page", "refused")
CONSENT_ID_LENGTH = 64


def record_refusal(
    session: Session,
    *,
    code: str,
    person: str | None,
    action: str,
    consent_id: str | None = None,
    interaction_id: str | None = None,
    now: datetime,
) -> None:
    """Append a refused page to the audit log; the refusal raised after it keeps the record.

    The one who tried is the entry's actor and its subject: the person whose
    consent it was is not named (their consent's id leads to them).
    """
    log.append(
        session,
        AuditEvent(
            event_type=REFUSED,
            actor_type=ActorType.CITIZEN,
            actor_id=person or "anonymous",
            outcome=Outcome.DENIED,
            subject=person,
            # A path the browser sent may name no consent at all; the column holds a real id.
            consent_id=consent_id if consent_id and len(consent_id) <= CONSENT_ID_LENGTH else None,
            details={"reason": code, "action": action}
            | ({"interactionId": interaction_id[:CONSENT_ID_LENGTH]} if interaction_id else {}),
            occurred_at=now,
        ),
    )


def refuse(
    session: Session,
    page: PageError,
    *,
    code: str,
    person: str | None,
    action: str,
    consent_id: str | None = None,
    interaction_id: str | None = None,
    now: datetime,
) -> AuditedPageRefusal:
    """Append the refusal to the audit log and return it, to be raised."""
    record_refusal(
        session,
        code=code,
        person=person,
        action=action,
        consent_id=consent_id,
        interaction_id=interaction_id,
        now=now,
    )
    return AuditedPageRefusal(code, page)


@dataclass(frozen=True)
class ProductView:
    title: str
    description: str
    period: str
    source: str


@dataclass(frozen=True)
class HistoryRow:
    """One line of a consent's history: a change of the consent or a look-up under it."""

    when: str
    what: str
    who: str
    dataset: str
    moment: datetime  # for ordering; `when` is what the page shows


@dataclass(frozen=True)
class ConsentView:
    id: str
    bank_name: str
    organisation_number: str
    status: str
    status_text: str
    purpose: str
    valid_to: str
    one_time: bool
    products: list[ProductView]
    history: list[HistoryRow]
    can_revoke: bool
    has_receipt: bool
    answer_by: str  # when an unanswered request expires
    return_origin: str  # where answering sends the browser: the bank's registered URL


def local_date(moment: datetime) -> str:
    return _time(moment, with_clock=False)


def _time(moment: datetime, *, with_clock: bool = True) -> str:
    """Norwegian time; a time of day names its zone (CET or CEST), as the citizen reads it."""
    local = lifecycle.utc(moment).astimezone(NORWAY)
    return local.strftime("%d.%m.%Y %H:%M %Z" if with_clock else "%d.%m.%Y")


def _month(value: str, language: str) -> str:
    year, month = value.split("-")
    return f"{MONTHS[language][int(month) - 1]} {year}"


def _period(kind: MetadataKind, metadata: Mapping[str, str], language: str) -> str:
    words = TEXTS[language]
    if kind is MetadataKind.ASSESSED_YEAR:
        return words["period_year"].format(year=metadata["inntektsaar"])
    if kind is MetadataKind.MONTH_RANGE:
        return words["period_months"].format(
            first=_month(metadata["fraogmed"], language),
            last=_month(metadata["tilogmed"], language),
        )
    return words["period_now"]


def product_views(rights: Sequence[Mapping[str, Any]], language: str) -> list[ProductView]:
    """Each right (Altinn's shape) in plain words: what, for which period, from where."""
    views = []
    for right in rights:
        product = find(right["resource"][0]["value"])
        if product is None:
            continue
        text = product.text(language)
        views.append(
            ProductView(
                title=text.title,
                description=text.description,
                period=_period(product.metadata.kind, right["metadata"], language),
                source=product.registry,
            )
        )
    return views


def purpose_text(messages: Mapping[str, str], language: str) -> str:
    for choice in (language, "nb", "nn", "en"):
        if messages.get(choice):
            return messages[choice]
    return ""


def _bank_name(session: Session, consent: Consent) -> str:
    client = clients.get(session, consent.client_id)
    return client.name if client else consent.bank_organisation_number


def _view(
    session: Session, consent: Consent, language: str, accesses: Sequence[HistoryRow] = ()
) -> ConsentView:
    words = TEXTS[language]
    events = [
        HistoryRow(
            when=_time(event.occurred_at),
            what=words[f"event_{event.event_type}"],
            who=words[f"actor_{event.actor_type}"],
            dataset=words["all_data"],
            moment=lifecycle.utc(event.occurred_at),
        )
        for event in repository.events_of(session, consent.id)
    ]
    # Changes and look-ups in the order they happened (a stable sort keeps a change first).
    history = sorted([*events, *accesses], key=lambda row: row.moment)
    status = ConsentStatus(consent.status)
    return ConsentView(
        id=consent.id,
        bank_name=_bank_name(session, consent),
        organisation_number=consent.bank_organisation_number,
        status=status.value,
        status_text=words[f"status_{status.value}"],
        purpose=purpose_text(consent.request_message, language),
        valid_to=_time(consent.valid_to, with_clock=False),
        one_time=consent.one_time,
        products=product_views(consent.consent_rights, language),
        history=history,
        can_revoke=status is ConsentStatus.ACCEPTED,
        has_receipt=consent.accepted_at is not None,
        answer_by=_time(consent.request_expires_at),
        return_origin=origin_of(consent.redirect_url),
    )


def _persons_consent(
    session: Session, consent_id: str, person: str, now: datetime, *, action: str
) -> Consent:
    consent = repository.get_for_update(session, consent_id)
    if consent is None:
        raise PageError(404, "not_found_title", "not_found")
    if consent.person != person:
        raise refuse(
            session,
            PageError(403, "not_yours_title", "not_yours"),
            code="not-yours",
            person=person,
            action=action,
            consent_id=consent.id,
            now=now,
        )
    lifecycle.expire_if_due(session, consent, now)
    return consent


def consent_page(
    session: Session, consent_id: str, *, person: str, language: str, now: datetime
) -> ConsentView:
    """The request to answer. Refused pages explain an expired, answered or withdrawn request."""
    consent = _persons_consent(session, consent_id, person, now, action="view")
    return _view(session, consent, language)


def answer(session: Session, consent_id: str, *, person: str, accept: bool, now: datetime) -> str:
    """Record the citizen's answer; returns where the browser goes next: back to the bank."""
    consent = _persons_consent(session, consent_id, person, now, action="answer")
    try:
        if accept:
            lifecycle.accept(session, consent, person=person, now=now)
        else:
            lifecycle.reject(session, consent, person=person, now=now)
    except ConsentError as error:
        raise _refusal(consent, error) from error
    return bank_return_url(consent)


def _refusal(consent: Consent, error: ConsentError) -> PageError:
    if error.code == "expired" or consent.status == ConsentStatus.EXPIRED.value:
        return PageError(409, "expired_title", "expired")
    if consent.status == ConsentStatus.DELETED.value:
        return PageError(409, "withdrawn_title", "status_now", consent_status=consent.status)
    return PageError(409, "answered_title", "status_now", consent_status=consent.status)


def bank_return_url(consent: Consent) -> str:
    """The bank's registered redirect URL with the outcome added, never the person."""
    parts = urlsplit(consent.redirect_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("consentRequestId", consent.id), ("status", consent.status)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _access_what(event_type: str, outcome: str, words: Mapping[str, str]) -> str:
    """A look-up's audit event in words: an access token, or a read of data."""
    if event_type.startswith("token:"):
        return words["access_token_issued" if outcome == "success" else "access_token_refused"]
    return words["lookup"].format(outcome=words.get(f"outcome_{outcome}", outcome))


@dataclass(frozen=True)
class MyConsents:
    waiting: list[ConsentView]  # requests the person has not answered (yet)
    active: list[ConsentView]
    past: list[ConsentView]


def my_consents(session: Session, *, person: str, language: str, now: datetime) -> MyConsents:
    """The person's open requests, active consents and past ones, newest first."""
    consents = list(repository.of_person(session, person))
    for consent in consents:
        lifecycle.expire_if_due(session, consent, now)
    bank_names = {
        consent.bank_organisation_number: _bank_name(session, consent) for consent in consents
    }
    accesses: dict[str, list[HistoryRow]] = {}
    words = TEXTS[language]
    for entry in repository.accesses_under(session, [c.id for c in consents]):
        product = find(entry.data_product or "")
        assert entry.consent_id is not None
        accesses.setdefault(entry.consent_id, []).append(
            HistoryRow(
                when=_time(entry.occurred_at),
                what=_access_what(entry.event_type, entry.outcome, words),
                who=bank_names.get(entry.actor_id, entry.actor_id),
                # A token, or the loan-application bundle, covers every product consented to.
                dataset=product.text(language).title if product else words["all_data"],
                moment=lifecycle.utc(entry.occurred_at),
            )
        )
    views = [_view(session, c, language, accesses.get(c.id, [])) for c in consents]
    return MyConsents(
        waiting=[v for v in views if v.status == ConsentStatus.CREATED.value],
        active=[v for v in views if v.status == ConsentStatus.ACCEPTED.value],
        past=[
            v
            for v in views
            if v.status not in {ConsentStatus.CREATED.value, ConsentStatus.ACCEPTED.value}
        ],
    )


def revocable_consent(
    session: Session, consent_id: str, *, person: str, language: str, now: datetime
) -> ConsentView:
    """The consent the person is about to revoke, for the confirmation page."""
    consent = _persons_consent(session, consent_id, person, now, action="view")
    if consent.status != ConsentStatus.ACCEPTED.value:
        raise PageError(409, "not_revocable_title", "status_now", consent_status=consent.status)
    return _view(session, consent, language)


def revoke(session: Session, consent_id: str, *, person: str, now: datetime) -> str:
    """Revoke the person's consent; returns the bank's name for the confirmation."""
    consent = _persons_consent(session, consent_id, person, now, action="revoke")
    try:
        lifecycle.revoke(session, consent, person=person, now=now)
    except ConsentError as error:
        raise _refusal(consent, error) from error
    return _bank_name(session, consent)


def receipt_consent(session: Session, consent_id: str, *, person: str, now: datetime) -> Consent:
    return _persons_consent(session, consent_id, person, now, action="receipt")
