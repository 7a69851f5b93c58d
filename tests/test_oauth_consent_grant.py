"""The Norwegian model: a consent-bound, DPoP-bound token for an accepted consent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from consent.audit.models import AuditEntry
from consent.storage.database import create_session_factory
from gateway.oauth.consents import InMemoryConsentLookup
from gateway.security.access_tokens import AccessToken, verify_access_token
from gateway.security.dependencies import require_scope
from tests.oauth_helpers import (
    ISSUER,
    OTHER_BANK_ORG,
    OTHER_PERSON,
    PERSON,
    Bank,
    consent,
    consent_details,
    register,
)

RESOURCE_URL = ISSUER + "/test/data"


@pytest.fixture
def consents(app: FastAPI) -> InMemoryConsentLookup:
    lookup = InMemoryConsentLookup()
    app.state.consent_lookup = lookup

    @app.get("/test/data")
    def data(token: Annotated[AccessToken, Depends(require_scope("samtykke:data"))]) -> Any:
        return {"consent": token.authorization_details[0]["id"]}

    return lookup


def _audit(engine: Engine, consent_id: str) -> list[tuple[str, str, str | None]]:
    with create_session_factory(engine)() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.consent_id == consent_id))
        return [(row.event_type, row.outcome, row.subject) for row in rows]


def _ask(client: TestClient, bank: Bank, consent_id: str, person: str = PERSON) -> Any:
    form = bank.token_form(authorization_details=consent_details(consent_id, person))
    return client.post("/oauth/token", data=form, headers={"DPoP": bank.proof()})


def test_an_accepted_consent_gives_a_consent_bound_token(
    client: TestClient, app: FastAPI, engine: Engine, consents: InMemoryConsentLookup
) -> None:
    bank = register(engine)
    accepted = consent()
    consents.add(accepted)
    answer = _ask(client, bank, accepted.id)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "DPoP"
    assert body["scope"] == "samtykke:data"
    token = verify_access_token(app.state.keys, body["access_token"], issuer=ISSUER)
    assert token.confirmation_jkt == bank.jkt
    [detail] = token.authorization_details
    assert detail["type"] == "urn:samtykke:consent"
    assert detail["id"] == accepted.id
    assert detail["from"] == f"urn:altinn:person:identifier-no:{PERSON}"
    assert detail["to"] == {"authority": "iso6523-actorid-upis", "ID": "0192:984851006"}
    assert detail["consentRights"] == accepted.consent_rights
    assert detail["validTo"].endswith("Z")
    assert "consented" in detail
    assert token.claims["client_amr"] == "private_key_jwt"
    assert body["authorization_details"] == token.authorization_details
    assert _audit(engine, accepted.id) == [("token:consent:issued", "success", PERSON)]

    # The resource side: the proof must carry ath, the URL and the method, and be fresh.
    access = body["access_token"]
    headers = {
        "Authorization": f"DPoP {access}",
        "DPoP": bank.proof("GET", RESOURCE_URL, access_token=access),
    }
    assert client.get("/test/data", headers=headers).json() == {"consent": accepted.id}
    replay = client.get("/test/data", headers=headers)
    assert replay.status_code == 401
    assert "used before" in replay.json()["detail"]
    as_bearer = client.get(
        "/test/data",
        headers={"Authorization": f"Bearer {access}", "DPoP": bank.proof("GET", RESOURCE_URL)},
    )
    assert as_bearer.status_code == 401
    stolen = bank.proof("GET", RESOURCE_URL, access_token=access, key=Bank("x", bank.key).dpop_key)
    other_key = client.get(
        "/test/data", headers={"Authorization": f"DPoP {access}", "DPoP": stolen}
    )
    assert other_key.status_code == 401
    assert "another key" in other_key.json()["detail"]
    no_ath = client.get(
        "/test/data",
        headers={"Authorization": f"DPoP {access}", "DPoP": bank.proof("GET", RESOURCE_URL)},
    )
    assert "ath" in no_ath.json()["detail"]
    wrong_htm = client.get(
        "/test/data",
        headers={
            "Authorization": f"DPoP {access}",
            "DPoP": bank.proof("POST", RESOURCE_URL, access_token=access),
        },
    )
    assert "htm" in wrong_htm.json()["detail"]
    assert wrong_htm.headers["www-authenticate"].startswith('DPoP error="invalid_dpop_proof"')


def test_a_consent_token_needs_a_dpop_proof(
    client: TestClient, engine: Engine, consents: InMemoryConsentLookup
) -> None:
    bank = register(engine)
    accepted = consent()
    consents.add(accepted)
    form = bank.token_form(authorization_details=consent_details(accepted.id))
    answer = client.post("/oauth/token", data=form)
    assert answer.json()["error"] == "invalid_dpop_proof"


@pytest.mark.parametrize(
    ("given", "person", "reason"),
    [
        ({"status": "created"}, PERSON, "consent_not_accepted"),
        ({"status": "rejected"}, PERSON, "consent_rejected"),
        ({"status": "revoked"}, PERSON, "consent_revoked"),
        ({"status": "used"}, PERSON, "consent_used"),
        ({"status": "expired"}, PERSON, "consent_expired"),
        ({"valid_for": timedelta(seconds=-1)}, PERSON, "consent_expired"),
        ({"bank": OTHER_BANK_ORG}, PERSON, "consent_other_bank"),
        ({}, OTHER_PERSON, "consent_other_person"),
    ],
)
def test_each_unusable_consent_is_refused_with_its_reason_and_audited(
    *,
    client: TestClient,
    engine: Engine,
    consents: InMemoryConsentLookup,
    given: dict[str, Any],
    person: str,
    reason: str,
) -> None:
    bank = register(engine)
    unusable = consent(**given)
    consents.add(unusable)
    answer = _ask(client, bank, unusable.id, person)
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_authorization_details"
    assert body["consent_error"] == reason
    assert PERSON not in body["error_description"]
    assert _audit(engine, unusable.id) == [("token:consent:refused", "denied", PERSON)]


def test_unknown_consents_and_malformed_details_are_refused(
    client: TestClient, engine: Engine, consents: InMemoryConsentLookup
) -> None:
    bank = register(engine)
    assert _ask(client, bank, "no-such-consent").json()["consent_error"] == "consent_not_found"
    for raw in ("not json", "[]", '[{"type": "urn:altinn:consent", "id": "x"}]'):
        form = bank.token_form(authorization_details=raw)
        answer = client.post("/oauth/token", data=form, headers={"DPoP": bank.proof()})
        assert answer.json()["error"] == "invalid_authorization_details", raw


def test_agencies_get_no_consent_tokens(
    client: TestClient, engine: Engine, consents: InMemoryConsentLookup
) -> None:
    agency = register(engine, kind="agency", organisation_number="974760673")
    accepted = consent()
    consents.add(accepted)
    assert _ask(client, agency, accepted.id).json()["error"] == "unauthorized_client"


def test_without_a_consent_lookup_nothing_is_issued(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    client.app.state.consent_lookup = None  # type: ignore[attr-defined]
    answer = _ask(client, bank, "any")
    assert answer.json()["consent_error"] == "consent_unavailable"


def test_a_refused_request_cannot_be_replayed_once_the_consent_is_accepted(
    client: TestClient, engine: Engine, consents: InMemoryConsentLookup
) -> None:
    bank = register(engine)
    pending = consent(status="created")
    consents.add(pending)
    form = bank.token_form(authorization_details=consent_details(pending.id))
    headers = {"DPoP": bank.proof()}
    refused = client.post("/oauth/token", data=form, headers=headers)
    assert refused.json()["consent_error"] == "consent_not_accepted"
    consents.add(replace(pending, status="accepted"))
    replayed = client.post("/oauth/token", data=form, headers=headers)
    assert replayed.status_code == 401
    assert "used before" in replayed.json()["error_description"]
