"""The client's tests run against a running gateway (and its ID-porten), e.g. `make demo`'s.

    SAMTYKKE_GATEWAY_URL   the gateway, e.g. http://127.0.0.1:8000
    SAMTYKKE_ADMIN_TOKEN   its admin token: the tests register their own bank and agency
    SAMTYKKE_TEST_BANK     organisation number of a bank the register knows (910002007)
    SAMTYKKE_TEST_AGENCY   organisation number of an active organisation (910006002)
    SAMTYKKE_TEST_PERSON   a test person who logs in and accepts (14838500073)

The gateway must run in demo or test mode: the tests log in a synthetic person.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from samtykke_client import SamtykkeClient, generate_private_jwk, public_jwks

PRODUCTS = [
    "ske-samtykke-sbl-summert-skattegrunnlag",
    "ske-samtykke-sbl-inntekt",
    "brreg-samtykke-losore-rettsstiftelser",
]


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"set {name}: these tests run against a running gateway", returncode=2)
    return value


@dataclass(frozen=True)
class Registered:
    client_id: str
    private_jwk: dict[str, Any]
    organisation_number: str
    redirect_uri: str


@dataclass(frozen=True)
class Gateway:
    url: str
    admin_token: str
    person: str

    def register(self, kind: str, organisation_number: str) -> Registered:
        private_jwk = generate_private_jwk("ES256")
        redirect_uri = f"{self.url}/bank-return-for-tests"
        body: dict[str, Any] = {
            "kind": kind,
            "organisation_number": organisation_number,
            "name": f"samtykke-client tests {uuid.uuid4().hex[:8]}",
            "jwks": public_jwks(private_jwk),
        }
        if kind == "bank":
            body |= {"redirect_uris": [redirect_uri], "data_products": PRODUCTS}
        answer = httpx.post(
            f"{self.url}/admin/v1/clients",
            json=body,
            headers={"Authorization": f"Bearer {self.admin_token}"},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        return Registered(
            answer.json()["client_id"], private_jwk, organisation_number, redirect_uri
        )


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    return Gateway(
        _required("SAMTYKKE_GATEWAY_URL").rstrip("/"),
        _required("SAMTYKKE_ADMIN_TOKEN"),
        os.environ.get("SAMTYKKE_TEST_PERSON", "14838500073"),
    )


@pytest.fixture(scope="session")
def bank(gateway: Gateway) -> Registered:
    return gateway.register("bank", os.environ.get("SAMTYKKE_TEST_BANK", "910002007"))


@pytest.fixture(scope="session")
def agency(gateway: Gateway) -> Registered:
    return gateway.register("agency", os.environ.get("SAMTYKKE_TEST_AGENCY", "910006002"))


@pytest.fixture
def bank_client(gateway: Gateway, bank: Registered) -> Iterator[SamtykkeClient]:
    with SamtykkeClient(
        gateway.url, client_id=bank.client_id, private_jwk=bank.private_jwk
    ) as client:
        yield client


@pytest.fixture
def agency_client(gateway: Gateway, agency: Registered) -> Iterator[SamtykkeClient]:
    with SamtykkeClient(
        gateway.url, client_id=agency.client_id, private_jwk=agency.private_jwk
    ) as client:
        yield client
