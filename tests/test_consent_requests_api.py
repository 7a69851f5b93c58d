"""The bank's consent request API: create, read, withdraw, and follow the event feed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.consents import repository
from gateway.security.scopes import DATA_READ
from tests.banks import REDIRECT_URL, Bank, register_bank
from tests.consent_factories import BANK, NOW, OTHER_BANK, PERSON

REAL_PERSON = "21018200190"  # not synthetic: month 01


@pytest.fixture
def frozen_app(app: FastAPI) -> FastAPI:
    app.state.clock = lambda: NOW
    return app


@pytest.fixture
def bank(engine: Engine) -> Bank:
    with Session(engine) as session:
        return register_bank(session, BANK)


def body(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "from": f"urn:altinn:person:identifier-no:{PERSON}",
        "to": f"urn:altinn:organization:identifier-no:{BANK}",
        "validTo": "2026-07-15T12:00:00Z",
        "consentRights": [
            {
                "action": ["consent"],
                "resource": [
                    {
                        "type": "urn:altinn:resource",
                        "value": "ske-samtykke-sbl-summert-skattegrunnlag",
                    }
                ],
                "metadata": {"inntektsaar": "2025"},
            }
        ],
        "requestMessage": {"nb": "Lånesøknad <b>nr. 7</b>", "en": "Loan application"},
        "redirectUrl": REDIRECT_URL,
    }
    request.update(changes)
    return request


def test_create_read_and_withdraw(client: TestClient, frozen_app: FastAPI, bank: Bank) -> None:
    request = body()
    created = client.post(
        "/consent/v1/consentrequests", json=request, headers=bank.headers(frozen_app)
    )
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["status"] == "created"
    assert answer["viewUri"] == f"http://testserver/citizen/consentrequests/{request['id']}"
    assert PERSON not in answer["viewUri"]
    assert created.headers["location"] == f"/consent/v1/consentrequests/{request['id']}"
    assert [e["eventType"] for e in answer["consentRequestEvents"]] == ["created"]
    assert answer["consentRights"][0]["metadata"] == {"inntektsaar": "2025"}

    read = client.get(
        f"/consent/v1/consentrequests/{request['id']}", headers=bank.headers(frozen_app)
    )
    assert read.status_code == 200
    assert read.json() == answer

    withdrawn = client.delete(
        f"/consent/v1/consentrequests/{request['id']}", headers=bank.headers(frozen_app)
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "deleted"
    assert [e["eventType"] for e in withdrawn.json()["consentRequestEvents"]] == [
        "created",
        "deleted",
    ]


def test_the_same_id_and_body_is_the_same_resource(
    client: TestClient, frozen_app: FastAPI, bank: Bank
) -> None:
    request = body()
    first = client.post(
        "/consent/v1/consentrequests", json=request, headers=bank.headers(frozen_app)
    )
    again = client.post(
        "/consent/v1/consentrequests", json=request, headers=bank.headers(frozen_app)
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    changed = client.post(
        "/consent/v1/consentrequests",
        json={**request, "validTo": "2026-07-16T12:00:00Z"},
        headers=bank.headers(frozen_app),
    )
    assert changed.status_code == 409
    assert changed.json()["code"] == "duplicate-id"


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"from": "urn:altinn:person:identifier-no:21818297805"}, 422, "invalid-person-identifier"),
        (
            {"from": f"urn:altinn:person:identifier-no:{REAL_PERSON}"},
            422,
            "invalid-person-identifier",
        ),
        ({"from": "urn:altinn:bogus:12345678901"}, 422, "invalid-person-identifier"),
        (
            {"from": f"urn:altinn:organization:identifier-no:{BANK}"},
            422,
            "delegator-required",
        ),
        (
            {"from": "urn:altinn:organization:identifier-no:910000005"},
            422,
            "invalid-organisation-identifier",
        ),
        (
            {"requiredDelegator": f"urn:altinn:person:identifier-no:{PERSON}"},
            422,
            "invalid-person-identifier",
        ),
        (
            {
                "from": f"urn:altinn:organization:identifier-no:{BANK}",
                "requiredDelegator": f"urn:altinn:person:identifier-no:{PERSON}",
            },
            422,
            "product-not-for-party",
        ),
        ({"to": f"urn:altinn:organization:identifier-no:{OTHER_BANK}"}, 403, "party-mismatch"),
        ({"redirectUrl": "https://evil.example/return"}, 422, "invalid-redirect-url"),
        ({"validTo": "2026-06-01T00:00:00Z"}, 422, "time-not-in-future"),
        ({"validTo": "2027-06-16T00:00:00Z"}, 422, "validity-too-long"),
        ({"validTo": "2026-07-15T12:00:00"}, 422, "invalid-request"),
        ({"requestMessage": {}}, 422, "invalid-request-message"),
        (
            {
                "consentRights": [
                    {
                        "action": ["consent"],
                        "resource": [{"type": "urn:altinn:resource", "value": "ske-formue"}],
                    }
                ]
            },
            422,
            "invalid-resource",
        ),
        (
            {
                "consentRights": [
                    {
                        "action": ["consent"],
                        "resource": [
                            {"type": "urn:altinn:resource", "value": "ske-samtykke-sbl-inntekt"}
                        ],
                        "metadata": {"fraogmed": "2025-01"},
                    }
                ]
            },
            422,
            "missing-metadata",
        ),
        (
            {
                "consentRights": [
                    {
                        "action": ["consent"],
                        "resource": [
                            {
                                "type": "urn:altinn:resource",
                                "value": "ske-samtykke-sbl-summert-skattegrunnlag",
                            }
                        ],
                        "metadata": {"inntektsaar": "2026"},
                    }
                ]
            },
            422,
            "invalid-metadata",
        ),
    ],
)
def test_bad_requests_have_stable_codes(
    client: TestClient,
    frozen_app: FastAPI,
    bank: Bank,
    changes: dict[str, Any],
    *,
    status: int,
    code: str,
) -> None:
    answer = client.post(
        "/consent/v1/consentrequests", json=body(**changes), headers=bank.headers(frozen_app)
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert PERSON not in answer.text
    assert REAL_PERSON not in answer.text


def test_a_product_the_bank_may_not_ask_for(
    client: TestClient, frozen_app: FastAPI, engine: Engine
) -> None:
    with Session(engine) as session:
        bank = register_bank(session, BANK, products=["ske-samtykke-sbl-summert-skattegrunnlag"])
    rights = [
        {
            "action": ["consent"],
            "resource": [
                {"type": "urn:altinn:resource", "value": "brreg-samtykke-losore-rettsstiftelser"}
            ],
        }
    ]
    answer = client.post(
        "/consent/v1/consentrequests",
        json=body(consentRights=rights),
        headers=bank.headers(frozen_app),
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "product-not-allowed"


def test_the_token_must_carry_the_consent_request_scope(
    client: TestClient, frozen_app: FastAPI, bank: Bank
) -> None:
    token = bank.token(frozen_app, scopes=[DATA_READ])
    answer = client.post(
        "/consent/v1/consentrequests", json=body(), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "insufficient-scope"
    assert client.post("/consent/v1/consentrequests", json=body()).status_code == 401


def test_banks_see_only_their_own(
    client: TestClient, frozen_app: FastAPI, bank: Bank, engine: Engine
) -> None:
    with Session(engine) as session:
        other = register_bank(session, OTHER_BANK)
    request = body()
    client.post("/consent/v1/consentrequests", json=request, headers=bank.headers(frozen_app))
    for method in ("GET", "DELETE"):
        answer = client.request(
            method,
            f"/consent/v1/consentrequests/{request['id']}",
            headers=other.headers(frozen_app),
        )
        assert answer.status_code == 404
        assert answer.json()["code"] == "not-found"
    feed = client.get("/consent/v1/consentrequest-events", headers=other.headers(frozen_app))
    assert request["id"] not in feed.text


def test_the_event_feed_continues_where_it_stopped(
    client: TestClient, frozen_app: FastAPI, engine: Engine
) -> None:
    with Session(engine) as session:
        # A bank of its own, so the feed holds only this test's events.
        bank = register_bank(session, "974760673")
    first, second = (
        body(to="urn:altinn:organization:identifier-no:974760673"),
        body(to="urn:altinn:organization:identifier-no:974760673"),
    )
    headers = bank.headers(frozen_app)
    client.post("/consent/v1/consentrequests", json=first, headers=headers)
    page = client.get("/consent/v1/consentrequest-events", headers=headers).json()
    assert [(e["consentRequestID"], e["eventType"]) for e in page["consentRequestEvents"]] == [
        (first["id"], "created")
    ]
    client.post("/consent/v1/consentrequests", json=second, headers=headers)
    client.delete(f"/consent/v1/consentrequests/{first['id']}", headers=headers)
    token = page["continuationToken"]
    page = client.get(
        "/consent/v1/consentrequest-events", params={"continuationToken": token}, headers=headers
    ).json()
    assert [(e["consentRequestID"], e["eventType"]) for e in page["consentRequestEvents"]] == [
        (second["id"], "created"),
        (first["id"], "deleted"),
    ]
    empty = client.get(
        "/consent/v1/consentrequest-events",
        params={"continuationToken": page["continuationToken"]},
        headers=headers,
    ).json()
    assert empty["consentRequestEvents"] == []
    assert empty["continuationToken"] == page["continuationToken"]
    bad = client.get(
        "/consent/v1/consentrequest-events", params={"continuationToken": "bm9wZQ"}, headers=headers
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid-continuation-token"


def test_a_request_expires_when_not_answered_in_time(
    client: TestClient, app: FastAPI, bank: Bank, engine: Engine
) -> None:
    now = [NOW]
    app.state.clock = lambda: now[0]
    request = body()
    client.post("/consent/v1/consentrequests", json=request, headers=bank.headers(app))
    now[0] = NOW.replace(day=NOW.day + 1)  # the default answer time is one day
    read = client.get(f"/consent/v1/consentrequests/{request['id']}", headers=bank.headers(app))
    assert read.json()["status"] == "expired"
    assert read.json()["consentRequestEvents"][-1]["performedBy"] == {"type": "system"}
    with Session(engine) as session:
        stored = repository.get(session, request["id"])
        assert stored is not None
        assert stored.status == "expired"


ENTERPRISE = "911001004"


def _enterprise_body(**changes: Any) -> dict[str, Any]:
    return body(
        **{
            "from": f"urn:altinn:organization:identifier-no:{ENTERPRISE}",
            "requiredDelegator": f"urn:altinn:person:identifier-no:{PERSON}",
            "consentRights": [
                {
                    "action": ["consent"],
                    "resource": [
                        {
                            "type": "urn:altinn:resource",
                            "value": "brreg-samtykke-losore-rettsstiftelser-virksomhet",
                        }
                    ],
                }
            ],
            **changes,
        }
    )


def test_a_bank_asks_for_an_enterprises_consent(
    client: TestClient, frozen_app: FastAPI, engine: Engine
) -> None:
    with Session(engine) as session:
        bank = register_bank(session, "974760681")
    request = _enterprise_body(to="urn:altinn:organization:identifier-no:974760681")
    headers = bank.headers(frozen_app)
    created = client.post("/consent/v1/consentrequests", json=request, headers=headers)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["from"] == f"urn:altinn:organization:identifier-no:{ENTERPRISE}"
    assert answer["requiredDelegator"] == f"urn:altinn:person:identifier-no:{PERSON}"
    assert answer["authority"] is None
    with Session(engine) as session:
        stored = repository.get(session, request["id"])
        assert stored is not None
        assert (stored.party_type, stored.organisation_number, stored.person) == (
            "organisation",
            ENTERPRISE,
            PERSON,
        )
    # The same body again is the same resource.
    again = client.post("/consent/v1/consentrequests", json=request, headers=headers)
    assert again.status_code == 200
    # A person's request beside it: the event feed names each one's party.
    own = body(to="urn:altinn:organization:identifier-no:974760681")
    client.post("/consent/v1/consentrequests", json=own, headers=headers)
    page = client.get("/consent/v1/consentrequest-events", headers=headers).json()
    assert [(e["consentRequestID"], e["party"]) for e in page["consentRequestEvents"]] == [
        (request["id"], f"urn:altinn:organization:identifier-no:{ENTERPRISE}"),
        (own["id"], f"urn:altinn:person:identifier-no:{PERSON}"),
    ]
