"""Every refusal is on the audit record, over real HTTP, and the agency API finds refusals.

A person at someone else's consent, a failed CSRF check, a bank at another
bank's consent request, a scope or consent the token endpoint refuses, and a
refused read of the log itself: each leaves a durable entry saying who tried,
what, and why, and names no one but the one who tried.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.identifiers import organisation_number
from consent.storage.database import create_database_engine
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import consumer_claim
from tests.banks import Bank, register_agency, register_bank
from tests.citizen_env import CitizenWorld, citizen_world, csrf_of, fresh_person, log_in
from tests.oauth_helpers import ASSERTION_TYPE, consent_details, register

AGENCY = "974761076"


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(
    database_url: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path_factory.mktemp("keys")) as world:
        yield world


def _entries(engine: Engine, **where: Any) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
        return list(session.scalars(query))


def _document(entry: AuditEntry) -> str:
    return json.dumps(
        {column.name: str(getattr(entry, column.name)) for column in AuditEntry.__table__.columns}
    )


def _accepted_request(world: CitizenWorld) -> dict[str, Any]:
    request = world.create_request()
    with httpx.Client() as owner:
        page = log_in(owner, request["viewUri"], world.person)
        answered = owner.post(
            f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
            data={"csrf_token": csrf_of(page), "decision": "accept"},
        )
        assert answered.status_code == 303
    return request


@pytest.fixture
def intruder(world: CitizenWorld) -> Iterator[tuple[httpx.Client, str, str]]:
    """Another person, logged in: their browser, their number and a CSRF token of their session."""
    person = fresh_person()
    with httpx.Client() as browser:
        page = log_in(browser, f"{world.gateway_url}/citizen/consents", person)
        assert page.status_code == 200
        yield browser, person, csrf_of(page)


@pytest.mark.parametrize("action", ["view", "answer", "revoke", "receipt"])
def test_another_person_at_a_consent_is_refused_on_the_record(
    world: CitizenWorld,
    engine: Engine,
    intruder: tuple[httpx.Client, str, str],
    action: str,
) -> None:
    browser, person, csrf = intruder
    request = (
        _accepted_request(world) if action in {"revoke", "receipt"} else world.create_request()
    )
    consent = f"{world.gateway_url}/citizen"
    attempts = {
        "view": lambda: browser.get(f"{consent}/consentrequests/{request['id']}"),
        "answer": lambda: browser.post(
            f"{consent}/consentrequests/{request['id']}/answer",
            data={"csrf_token": csrf, "decision": "accept"},
        ),
        "revoke": lambda: browser.post(
            f"{consent}/consents/{request['id']}/revoke", data={"csrf_token": csrf}
        ),
        "receipt": lambda: browser.get(f"{consent}/consents/{request['id']}/receipt"),
    }
    answer = attempts[action]()
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]

    [entry] = _entries(engine, event_type="citizen:page:refused", consent_id=request["id"])
    assert (entry.actor_type, entry.actor_id, entry.subject) == ("citizen", person, person)
    assert entry.outcome == "denied"
    assert entry.details == {"reason": "not-yours", "action": action}
    assert world.person not in _document(entry)  # the consent's owner is not named
    assert world.bank_view(request["id"])["status"] == (
        "created" if action in {"view", "answer"} else "accepted"
    )


def test_the_owner_does_not_see_the_refused_stranger_under_my_consents(
    world: CitizenWorld, engine: Engine, intruder: tuple[httpx.Client, str, str]
) -> None:
    browser, person, _ = intruder
    request = _accepted_request(world)
    assert browser.get(f"{world.gateway_url}/citizen/consents/{request['id']}/receipt").is_error
    assert _entries(engine, event_type="citizen:page:refused", consent_id=request["id"])
    with httpx.Client() as owner:
        page = log_in(owner, f"{world.gateway_url}/citizen/consents", world.person)
    assert request["id"] in page.text
    assert person not in page.text


@pytest.mark.parametrize("offered", [{"csrf_token": "forged"}, {}], ids=["wrong", "missing"])
@pytest.mark.parametrize("action", ["answer", "revoke", "logout"])
def test_a_failed_csrf_check_is_refused_on_the_record(
    world: CitizenWorld, engine: Engine, action: str, offered: dict[str, str]
) -> None:
    request = world.create_request()
    paths = {
        "answer": f"/citizen/consentrequests/{request['id']}/answer",
        "revoke": f"/citizen/consents/{request['id']}/revoke",
        "logout": "/citizen/logout",
    }
    person = fresh_person() if action == "logout" else world.person
    start = f"{world.gateway_url}/citizen/consents" if action == "logout" else request["viewUri"]
    with httpx.Client() as browser:
        assert log_in(browser, start, person).status_code == 200
        before = _entries(engine, event_type="citizen:page:refused", actor_id=person)
        answer = browser.post(
            world.gateway_url + paths[action], data={"decision": "accept", **offered}
        )
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    after = _entries(engine, event_type="citizen:page:refused", actor_id=person)
    [entry] = after[len(before) :]
    assert entry.subject == person
    assert entry.outcome == "denied"
    assert entry.details == {"reason": "csrf-failed", "action": action}
    assert entry.consent_id == (None if action == "logout" else request["id"])
    assert world.bank_view(request["id"])["status"] == "created"


def test_a_form_without_a_session_is_recorded_as_anonymous(
    world: CitizenWorld, engine: Engine
) -> None:
    """A forged cross-site post carries no session: it is refused, explained and on the record."""
    request = world.create_request()
    answer = httpx.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"decision": "accept"},
    )
    assert answer.status_code == 403
    assert "Du er logget ut" in answer.text
    [entry] = _entries(engine, event_type="citizen:page:refused", consent_id=request["id"])
    assert (entry.actor_id, entry.subject) == ("anonymous", None)
    assert entry.details == {"reason": "session-ended", "action": "answer"}
    assert world.bank_view(request["id"])["status"] == "created"


@pytest.fixture(scope="module")
def other_bank(engine: Engine) -> Bank:
    with Session(engine) as session:
        return register_bank(session, _fresh_organisation_number())


def _fresh_organisation_number() -> str:
    while True:
        try:
            return organisation_number(f"8{uuid.uuid4().int % 10**7:07d}")
        except ValueError:
            continue


def _consent_api(world: CitizenWorld) -> str:
    return f"{world.gateway_url}/consent/v1/consentrequests"


@pytest.mark.parametrize(
    ("method", "suffix", "action"),
    [("GET", "", "read"), ("DELETE", "", "withdraw"), ("GET", "/receipt", "receipt")],
)
def test_another_banks_consent_request_is_not_found_and_on_the_record(
    world: CitizenWorld, engine: Engine, *, other_bank: Bank, method: str, suffix: str, action: str
) -> None:
    request = _accepted_request(world) if action == "receipt" else world.create_request()
    answer = httpx.request(
        method,
        f"{_consent_api(world)}/{request['id']}{suffix}",
        headers=other_bank.headers(world.app),
    )
    assert answer.status_code == 404
    assert answer.json()["code"] == "not-found"
    [entry] = _entries(engine, event_type="consent:api:refused", consent_id=request["id"])
    assert (entry.actor_type, entry.actor_id) == ("bank", other_bank.organisation_number)
    assert entry.outcome == "denied"
    assert entry.subject is None
    assert entry.details == {
        "reason": "not-found",
        "action": action,
        "clientId": other_bank.client_id,
    }
    assert world.person not in _document(entry)


def test_a_missing_consent_request_is_simply_not_found(
    world: CitizenWorld, engine: Engine, other_bank: Bank
) -> None:
    missing = str(uuid.uuid4())
    answer = httpx.get(f"{_consent_api(world)}/{missing}", headers=other_bank.headers(world.app))
    assert answer.status_code == 404
    assert _entries(engine, consent_id=missing) == []


def _request_body(world: CitizenWorld, bank: Bank, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "from": f"urn:altinn:person:identifier-no:{world.person}",
        "to": f"urn:altinn:organization:identifier-no:{bank.organisation_number}",
        "validTo": "2026-09-01T12:00:00Z",
        "consentRights": [
            {
                "action": ["consent"],
                "resource": [{"type": "urn:altinn:resource", "value": "ske-samtykke-sbl-inntekt"}],
                "metadata": {"fraogmed": "2025-01", "tilogmed": "2025-12"},
            }
        ],
        "requestMessage": {"en": "Loan application"},
        "redirectUrl": world.redirect_url,
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("duplicate-id", 409, "duplicate-id"),
        ("party-mismatch", 403, "party-mismatch"),
        ("invalid-redirect-url", 422, "invalid-redirect-url"),
    ],
)
def test_a_refused_consent_request_is_on_the_record(
    world: CitizenWorld, engine: Engine, *, other_bank: Bank, case: str, status: int, code: str
) -> None:
    changes = {
        "duplicate-id": lambda: {"id": world.create_request()["id"]},
        "party-mismatch": lambda: {
            "to": f"urn:altinn:organization:identifier-no:{world.bank.organisation_number}"
        },
        "invalid-redirect-url": lambda: {"redirectUrl": "https://evil.example/steal"},
    }[case]()
    body = _request_body(world, other_bank, **changes)
    answer = httpx.post(_consent_api(world), json=body, headers=other_bank.headers(world.app))
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    [entry] = _entries(
        engine,
        event_type="consent:api:refused",
        consent_id=body["id"],
        actor_id=other_bank.organisation_number,
    )
    assert entry.outcome == "denied"
    assert entry.subject is None
    assert entry.details == {"reason": code, "action": "create", "clientId": other_bank.client_id}
    assert world.person not in _document(entry)


def _token_form(world: CitizenWorld, bank: Any, **fields: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": bank.assertion(aud=world.gateway_url),
        **fields,
    }


@pytest.mark.parametrize("kind", ["bank", "agency"])
def test_a_refused_scope_at_the_token_endpoint_is_on_the_record(
    world: CitizenWorld, engine: Engine, kind: str
) -> None:
    client = register(
        engine, kind=kind, organisation_number="984851006" if kind == "bank" else "974760673"
    )
    scope = "audit:read" if kind == "bank" else "samtykke:consentrequests"
    answer = httpx.post(
        f"{world.gateway_url}/oauth/token", data=_token_form(world, client, scope=scope)
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"
    [entry] = [
        e
        for e in _entries(engine, event_type="token:client:refused")
        if e.details.get("clientId") == client.client_id
    ]
    assert (entry.actor_type, entry.actor_id) == (kind, client.organisation_number)
    assert entry.outcome == "denied"
    assert entry.details == {
        "reason": "invalid_scope",
        "clientId": client.client_id,
        "scope": scope,
    }


def test_an_unknown_consent_at_the_token_endpoint_is_on_the_record(
    world: CitizenWorld, engine: Engine
) -> None:
    bank = register(engine)
    missing = str(uuid.uuid4())
    form = _token_form(world, bank, authorization_details=consent_details(missing, world.person))
    answer = httpx.post(
        f"{world.gateway_url}/oauth/token",
        data=form,
        headers={"DPoP": bank.proof(url=f"{world.gateway_url}/oauth/token")},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["consent_error"] == "consent_not_found"
    [entry] = _entries(engine, event_type="token:consent:refused", consent_id=missing)
    assert (entry.actor_type, entry.actor_id) == ("bank", bank.organisation_number)
    assert entry.outcome == "denied"
    assert entry.subject is None
    assert entry.details == {"clientId": bank.client_id, "reason": "consent_not_found"}
    assert world.person not in _document(entry)


def _agency_headers(world: CitizenWorld, scopes: list[str], client_id: str) -> dict[str, str]:
    token, _ = issue_access_token(
        world.app.state.keys,
        issuer=world.gateway_url,
        client_id=client_id,
        scopes=scopes,
        extra_claims={"consumer": consumer_claim(AGENCY)},
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("credentials", "status", "code"),
    [
        ("none", 401, "invalid-token"),
        ("forged", 401, "invalid-token"),
        ("no-scope", 403, "insufficient-scope"),
    ],
)
def test_a_refused_read_of_the_audit_log_is_on_the_record(
    world: CitizenWorld, engine: Engine, credentials: str, status: int, code: str
) -> None:
    # A registered agency: tokens of a client the gateway does not know are refused outright.
    with Session(engine) as session:
        client_id = register_agency(session, AGENCY)
    headers = {
        "none": {},
        "forged": {"Authorization": "Bearer not.a.token"},
        "no-scope": _agency_headers(world, ["samtykke:consentrequests"], client_id),
    }[credentials]
    answer = httpx.get(f"{world.gateway_url}/audit/v1/checkpoints/latest", headers=headers)
    assert answer.status_code == status
    assert answer.json()["code"] == code
    [entry] = _entries(
        engine, event_type="audit:log:refused", correlation_id=answer.json()["requestId"]
    )
    assert entry.actor_type == "agency"
    assert entry.actor_id == (AGENCY if credentials == "no-scope" else "unauthenticated")
    assert entry.outcome == "denied"
    expected = {"reason": code, "route": "/audit/v1/checkpoints/latest"}
    if credentials == "no-scope":
        expected["clientId"] = client_id
    assert entry.details == expected


def test_the_agency_searches_the_refusals(
    world: CitizenWorld, engine: Engine, other_bank: Bank
) -> None:
    request = world.create_request()
    refused = httpx.get(
        f"{_consent_api(world)}/{request['id']}", headers=other_bank.headers(world.app)
    )
    assert refused.status_code == 404
    search = f"{world.gateway_url}/audit/v1/entries/search"
    with Session(engine) as session:
        agency_client = register_agency(session, AGENCY)
    headers = _agency_headers(world, ["audit:read"], agency_client)

    def outcomes(outcome: str | None) -> list[tuple[str, str]]:
        filters: dict[str, str] = {"consentId": request["id"]}
        if outcome:
            filters["outcome"] = outcome
        page = httpx.post(search, json={"filters": filters}, headers=headers)
        assert page.status_code == 200, page.text
        return [(e["eventType"], e["outcome"]) for e in page.json()["entries"]]

    assert outcomes(None) == [
        ("consent:request:created", "success"),
        ("consent:api:refused", "denied"),
    ]
    assert outcomes("denied") == [("consent:api:refused", "denied")]
    assert outcomes("success") == [("consent:request:created", "success")]
    unknown = httpx.post(search, json={"filters": {"outcome": "refused-ish"}}, headers=headers)
    assert unknown.status_code == 422
