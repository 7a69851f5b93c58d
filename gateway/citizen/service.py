"""What the citizen's pages show and do: consent pages, answers, "my consents", revocation.

The routes hand over the logged-in person; everything here checks that the
consent is theirs. Pages speak the citizen's language, so views hold words,
not codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from consent.answers import questions
from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.audit.models import AuditEntry
from consent.authority import Authority, AuthorityRefusal, on_behalf_of
from consent.catalogue import MetadataKind, find
from consent.clients import repository as clients
from consent.consents import lifecycle, repository
from consent.consents.lifecycle import ConsentError
from consent.consents.models import Consent
from consent.consents.states import ConsentStatus
from consent.parties import PartyType
from gateway.citizen.texts import MONTHS, TEXTS
from gateway.citizen.web_security import origin_of
from gateway.enterprises.authority import (
    AuthorityUnavailableError,
    RolesRegistry,
    authority_in_registry,
)
from gateway.problems import AuditedRefusal

NORWAY = ZoneInfo("Europe/Oslo")


class PageError(Exception):
    """A refusal the citizen sees as a page: a status, a title and an explanation (text keys)."""

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        *,
        consent_status: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message
        self.consent_status = consent_status  # shown in `message` as {status}
        self.code = code  # a stable code shown on the page, for support and for tests


def authority_refused(code: str, *, audited: bool) -> PageError | AuditedPageRefusal:
    """The page that says why the person may not answer for the enterprise.

    `audited`: its audit record is appended already, and the request's session keeps it.
    """
    status = 503 if code == REGISTRY_UNAVAILABLE else 403
    page = PageError(status, "authority_refused_title", f"refused_{code}", code=code)
    return AuditedPageRefusal(code, page) if audited else page


# Enhetsregisteret did not answer: nothing is decided, the person may try again.
REGISTRY_UNAVAILABLE = "roles-unavailable"


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


def not_yours(
    session: Session,
    *,
    person: str,
    action: str,
    now: datetime,
    consent_id: str | None = None,
    interaction_id: str | None = None,
) -> AuditedPageRefusal:
    """A person at someone else's consent or request: refused, and on the record."""
    return refuse(
        session,
        PageError(403, "not_yours_title", "not_yours"),
        code="not-yours",
        person=person,
        action=action,
        consent_id=consent_id,
        interaction_id=interaction_id,
        now=now,
    )


@dataclass(frozen=True)
class ProductView:
    title: str
    description: str
    period: str
    source: str
    # A derived answer: what the bank will not learn (the description says what it will).
    withheld: str = ""


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
    # The enterprise the consent is for, or None for the person's own consent.
    enterprise: str | None = None
    # "on behalf of NAME (orgnr), as ROLE" once answered; before, which enterprise it is for.
    on_behalf_of: str | None = None


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
        if product.answer is not None:
            views.append(
                ProductView(
                    title=text.title,
                    description=questions.learns(product, right["metadata"], language),
                    period=TEXTS[language]["answer_budget"].format(budget=product.answer.budget),
                    source=product.registry,
                    withheld=questions.withheld(product, language),
                )
            )
            continue
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


def party_text(consent: Consent, language: str) -> str | None:
    """Whom the consent is for, in words; None for the person's own consent."""
    if consent.organisation_number is None or consent.party_type != PartyType.ORGANISATION:
        return None
    if consent.authority_role and consent.organisation_name:
        return on_behalf_of(
            consent.organisation_name,
            consent.organisation_number,
            consent.authority_role,
            language,
        )
    return TEXTS[language]["for_enterprise"].format(organisation=consent.organisation_number)


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
        enterprise=consent.organisation_number if consent.party.is_organisation else None,
        on_behalf_of=party_text(consent, language),
    )


def check_authority(
    registry: RolesRegistry, person: str, organisation_number: str
) -> Authority | AuthorityRefusal:
    try:
        return authority_in_registry(registry, person, organisation_number)
    except AuthorityUnavailableError as error:
        raise authority_refused(REGISTRY_UNAVAILABLE, audited=False) from error


def _awaits_answer(consent: Consent, now: datetime) -> bool:
    return consent.status == ConsentStatus.CREATED.value and not lifecycle.expiry_due(consent, now)


def _persons_consent(
    session: Session, consent_id: str, person: str, now: datetime, *, action: str
) -> Consent:
    consent = repository.get_for_update(session, consent_id)
    if consent is None:
        raise PageError(404, "not_found_title", "not_found")
    if consent.person != person:
        raise not_yours(session, person=person, action=action, consent_id=consent.id, now=now)
    lifecycle.expire_if_due(session, consent, now)
    return consent


def consent_page(
    session: Session,
    consent_id: str,
    *,
    person: str,
    language: str,
    now: datetime,
    registry: RolesRegistry,
) -> ConsentView:
    """The request to answer. Refused pages explain an expired, answered or withdrawn request,
    and, for an enterprise, why the person may not answer for it."""
    consent = _persons_consent(session, consent_id, person, now, action="view")
    view = _view(session, consent, language)
    if consent.organisation_number is None or not _awaits_answer(consent, now):
        return view
    decision = check_authority(registry, person, consent.organisation_number)
    if isinstance(decision, AuthorityRefusal):
        raise authority_refused(decision.reason.value, audited=False)
    return replace(
        view,
        on_behalf_of=on_behalf_of(
            decision.organisation_name, decision.organisation_number, decision.role, language
        ),
    )


def answer(
    session: Session,
    consent_id: str,
    *,
    person: str,
    accept: bool,
    now: datetime,
    registry: RolesRegistry,
) -> str:
    """Record the citizen's answer; returns where the browser goes next: back to the bank.

    For an enterprise the person's authority is read from Enhetsregisteret now; without
    it no answer is recorded, only the refusal in the audit log.
    """
    consent = _persons_consent(session, consent_id, person, now, action="answer")
    authority: Authority | None = None
    if consent.organisation_number is not None and _awaits_answer(consent, now):
        decision = check_authority(registry, person, consent.organisation_number)
        if isinstance(decision, AuthorityRefusal):
            _audit_refusal(session, consent, person, decision.reason.value, now)
            raise authority_refused(decision.reason.value, audited=True)
        authority = decision
    try:
        if accept:
            lifecycle.accept(session, consent, person=person, now=now, authority=authority)
        else:
            lifecycle.reject(session, consent, person=person, now=now, authority=authority)
    except ConsentError as error:
        if error.code == NOT_SOLE_PROPRIETOR:
            _audit_refusal(session, consent, person, error.code, now)
            raise authority_refused(error.code, audited=True) from error
        raise _refusal(consent, error) from error
    return bank_return_url(consent)


NOT_SOLE_PROPRIETOR = "not-sole-proprietor"


def _audit_refusal(
    session: Session, consent: Consent, person: str, reason: str, now: datetime
) -> None:
    # Nothing else was changed: the consent stays as it was; this record is what is kept.
    assert consent.organisation_number is not None
    lifecycle.record_authority_refusal(
        session,
        person=person,
        organisation_number=consent.organisation_number,
        reason=reason,
        bank_organisation_number=consent.bank_organisation_number,
        consent_id=consent.id,
        now=now,
    )


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


ANSWER_EVENT_PREFIX = questions.EVENT_SOURCE + ":"


def _access_what(entry: AuditEntry, language: str) -> str:
    """A look-up's audit event in words: an access token, a read of data, or a question
    asked and its answer ("Spurte om inntekten i 2024 var minst 600 000 kr: ja")."""
    words = TEXTS[language]
    event_type, outcome = entry.event_type, entry.outcome
    product = find(entry.data_product or "")
    parameters = entry.details.get("parameters")
    if (
        event_type.startswith(ANSWER_EVENT_PREFIX)
        and outcome == "success"
        and product is not None
        and product.answer is not None
        and isinstance(parameters, dict)
    ):
        return questions.asked(
            product, parameters, language, entry.details.get("answer"), entry.details.get("reason")
        )
    if event_type.startswith("token:"):
        return words["access_token_issued" if outcome == "success" else "access_token_refused"]
    return words["lookup"].format(outcome=words.get(f"outcome_{outcome}", outcome))


@dataclass(frozen=True)
class PartyGroup:
    """The consents given for one party: the person's own, or one enterprise's."""

    heading: str
    enterprise: str | None  # the organisation number; None for the person's own
    waiting: list[ConsentView]  # requests the person has not answered (yet)
    active: list[ConsentView]
    past: list[ConsentView]


def _group_heading(consent: Consent | None, language: str) -> str:
    words = TEXTS[language]
    if consent is None or consent.organisation_number is None:
        return words["own_consents"]
    name = consent.organisation_name or consent.organisation_number
    label = (
        f"{name} ({consent.organisation_number})"
        if consent.organisation_name
        else consent.organisation_number
    )
    return words["enterprise_consents"].format(enterprise=label)


def my_consents(session: Session, *, person: str, language: str, now: datetime) -> list[PartyGroup]:
    """The person's consents grouped by party: their own first, then each enterprise they
    answered for; in each, the active ones (and open requests) and the past, newest first."""
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
                what=_access_what(entry, language),
                who=bank_names.get(entry.actor_id, entry.actor_id),
                # A token, or the loan-application bundle, covers every product consented to.
                dataset=product.text(language).title if product else words["all_data"],
                moment=lifecycle.utc(entry.occurred_at),
            )
        )
    by_party: dict[str | None, list[Consent]] = {None: []}
    for consent in consents:
        by_party.setdefault(consent.party.id if consent.party.is_organisation else None, []).append(
            consent
        )
    groups = []
    for enterprise, given in by_party.items():
        # The newest answered consent names the enterprise as the register had it then.
        named = next((c for c in given if c.organisation_name), given[0] if given else None)
        views = [_view(session, c, language, accesses.get(c.id, [])) for c in given]
        groups.append(
            PartyGroup(
                heading=_group_heading(named, language),
                enterprise=enterprise,
                waiting=[v for v in views if v.status == ConsentStatus.CREATED.value],
                active=[v for v in views if v.status == ConsentStatus.ACCEPTED.value],
                past=[
                    v
                    for v in views
                    if v.status not in {ConsentStatus.CREATED.value, ConsentStatus.ACCEPTED.value}
                ],
            )
        )
    own, enterprises = groups[0], sorted(groups[1:], key=lambda group: group.heading)
    return [own, *enterprises]


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
