"""A bank's whole consent flow, with the blocking and with the async client."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from citizen import accept, consent_request
from conftest import Gateway, Registered
from samtykke_client import AsyncSamtykkeClient, SamtykkeClient, SamtykkeError, pkce_pair


def test_request_accept_fetch_and_receipt(
    gateway: Gateway, bank: Registered, bank_client: SamtykkeClient
) -> None:
    request = consent_request(gateway.person, bank.organisation_number, bank.redirect_uri)
    created = bank_client.create_consent_request(request)
    assert created["id"] == request["id"]
    assert bank_client.get_consent_request(request["id"])["status"] == "created"
    with pytest.raises(SamtykkeError) as refused:
        bank_client.summert_skattegrunnlag(request["id"], gateway.person)
    assert refused.value.status in {400, 403}

    back = accept(created["viewUri"], gateway.person)
    assert back == {"consentRequestId": [request["id"]], "status": ["accepted"]}
    assert bank_client.get_consent_request(request["id"])["status"] == "accepted"

    assessed = bank_client.summert_skattegrunnlag(request["id"], gateway.person)
    assert assessed
    assert bank_client.inntekt(request["id"], gateway.person, "2025-01", "2025-03")
    assert "rettsstiftelser" in str(bank_client.rettsstiftelser(request["id"], gateway.person))
    bundle = bank_client.loan_application(request["id"], gateway.person)
    assert bundle

    receipt = bank_client.receipt(request["id"])
    assert receipt.count(".") == 2  # a compact JWS
    assert bank_client.receipt_keys()["keys"]

    events: list[dict[str, object]] = []
    token: str | None = None
    while True:
        page = bank_client.consent_events(token)
        if not page["consentRequestEvents"]:
            break
        events += page["consentRequestEvents"]
        token = page["continuationToken"]
    assert request["id"] in json.dumps(events)


def test_withdrawn_request_refuses_data(
    gateway: Gateway, bank: Registered, bank_client: SamtykkeClient
) -> None:
    request = consent_request(gateway.person, bank.organisation_number, bank.redirect_uri)
    bank_client.create_consent_request(request)
    bank_client.withdraw_consent_request(request["id"])
    assert bank_client.get_consent_request(request["id"])["status"] == "deleted"
    with pytest.raises(SamtykkeError) as refused:
        bank_client.loan_application(request["id"], gateway.person)
    assert refused.value.code


def test_the_code_flow(gateway: Gateway, bank: Registered, bank_client: SamtykkeClient) -> None:
    valid_to = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    details = [
        {
            "type": "urn:samtykke:consent-request",
            "products": ["ske-samtykke-sbl-summert-skattegrunnlag"],
            "purpose": "Boliglån",
            "validTo": valid_to,
            "metadata": {"inntektsaar": "2025"},
            "from": f"urn:altinn:person:identifier-no:{gateway.person}",
        }
    ]
    verifier, challenge = pkce_pair()
    state = uuid.uuid4().hex
    pushed = bank_client.push_authorization_request(
        details, redirect_uri=bank.redirect_uri, code_challenge=challenge, state=state
    )
    assert pushed["expires_in"] > 0
    back = accept(bank_client.authorization_url(pushed["request_uri"]), gateway.person)
    assert back["state"] == [state]
    assert back["iss"] == [bank_client.metadata()["issuer"]]

    token = bank_client.exchange_code(
        back["code"][0], redirect_uri=bank.redirect_uri, code_verifier=verifier
    )
    (consent,) = token["authorization_details"]
    assert consent["type"] == "urn:samtykke:consent"
    assert bank_client.summert_skattegrunnlag(str(consent["id"]), gateway.person)
    with pytest.raises(SamtykkeError) as spent:
        bank_client.exchange_code(
            back["code"][0], redirect_uri=bank.redirect_uri, code_verifier=verifier
        )
    assert spent.value.code == "invalid_grant"


def test_token_introspection_and_revocation(bank_client: SamtykkeClient) -> None:
    token = bank_client.access_token("samtykke:consentrequests")
    assert bank_client.introspect(token)["active"] is True
    bank_client.revoke(token)
    assert bank_client.introspect(token)["active"] is False


def test_the_async_client_does_the_same(gateway: Gateway, bank: Registered) -> None:
    async def flow() -> tuple[str, dict[str, object]]:
        async with AsyncSamtykkeClient(
            gateway.url, client_id=bank.client_id, private_jwk=bank.private_jwk
        ) as client:
            request = consent_request(gateway.person, bank.organisation_number, bank.redirect_uri)
            created = await client.create_consent_request(request)
            # The citizen answers in a browser, outside the bank's event loop.
            await asyncio.to_thread(accept, created["viewUri"], gateway.person)
            status = (await client.get_consent_request(request["id"]))["status"]
            data = await client.loan_application(request["id"], gateway.person)
            with pytest.raises(SamtykkeError) as unknown:
                await client.get_consent_request("00000000-0000-4000-8000-000000000000")
            assert unknown.value.status == 404
            return str(status), data

    status, data = asyncio.run(flow())
    assert status == "accepted"
    assert data
