"""A whole deployment for data API tests: gateway, mock registries, ID-porten, a bank.

Every server listens on a socket bound before it starts, so nothing waits.
The bank is registered under an organisation number of its own, so its
quota window and its audit entries belong to one test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from joserfc.jwk import ECKey
from samtykke_client import SamtykkeClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.catalogue import PRODUCTS
from consent.consents import lifecycle, repository
from consent.identifiers import organisation_number
from gateway.app import create_app
from gateway.clients import service as client_service
from gateway.clients.organisations import Organisation
from gateway.clients.schemas import ClientRegistration
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import DeploymentMode, Settings
from mock_registries import brreg, idporten, skatteetaten
from mock_registries.population import Population, Trait, build_population
from mock_registries.settings import MockSettings
from tests.servers import bound_socket, running_server

POPULATION = build_population(2025, 0)
# Patient enough for a loaded CI machine, short enough that a hanging registry ends a test fast.
TEST_REGISTRY_SETTINGS: dict[str, Any] = {
    "registry_connect_timeout_seconds": 2.0,
    "registry_read_timeout_seconds": 1.5,
    "registry_deadline_seconds": 2.0,
    "registry_max_attempts": 2,
    "registry_backoff_base_seconds": 0.01,
    "registry_backoff_max_seconds": 0.01,
}


def named(trait: Trait, population: Population = POPULATION) -> str:
    """The fødselsnummer of the named test person with `trait`."""
    return next(p.fnr for p in population.named if p.has(trait))


KARI = named(Trait.ORDINARY)  # every year and month on record
INGRID = named(Trait.NO_ASSESSMENT_YET)
PER = named(Trait.DEBT_SETTLEMENT)


class Organisations:
    """Brønnøysund as far as the gateway's client registration asks; banks are added per test."""

    def __init__(self) -> None:
        self._organisations: dict[str, Organisation] = {}

    def add(self, organisation: Organisation) -> None:
        self._organisations[organisation.organisasjonsnummer] = organisation

    def find(self, organisation_number: str) -> Organisation | None:
        return self._organisations.get(organisation_number)


def _url(sock: Any) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def fresh_organisation_number() -> str:
    while True:
        try:
            return organisation_number(f"8{uuid.uuid4().int % 10**7:07d}")
        except ValueError:
            continue  # this base has no valid number


def consent_request(
    person: str,
    bank: str,
    *,
    one_time: bool = False,
    redirect_url: str,
    inntektsaar: str = "2025",
    months: tuple[str, str] = ("2025-01", "2025-12"),
    losore: bool = True,
    answers: tuple[str, ...] = (),
) -> dict[str, Any]:
    def right(resource: str, metadata: dict[str, str]) -> dict[str, Any]:
        return {
            "action": ["consent"],
            "resource": [{"type": "urn:altinn:resource", "value": resource}],
            "metadata": metadata,
        }

    rights = [
        right("ske-samtykke-sbl-summert-skattegrunnlag", {"inntektsaar": inntektsaar}),
        right("ske-samtykke-sbl-inntekt", {"fraogmed": months[0], "tilogmed": months[1]}),
    ]
    if losore:
        rights.append(right("brreg-samtykke-losore-rettsstiftelser", {}))
    # Derived answers that take no parameters.
    rights.extend(right(question, {}) for question in answers)
    valid_to = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": str(uuid.uuid4()),
        "from": f"urn:altinn:person:identifier-no:{person}",
        "to": f"urn:altinn:organization:identifier-no:{bank}",
        "validTo": valid_to,
        "consentRights": rights,
        "requestMessage": {"nb": "Lånesøknad", "en": "Loan application"},
        "redirectUrl": redirect_url,
        "oneTime": one_time,
    }


@dataclass
class RegisteredBank:
    client_id: str
    organisation_number: str
    key: ECKey
    redirect_url: str

    def client(self, gateway_url: str) -> SamtykkeClient:
        return SamtykkeClient(
            gateway_url, client_id=self.client_id, private_jwk=self.key.as_dict(private=True)
        )


@dataclass
class DataWorld:
    gateway_url: str
    idporten_url: str
    app: FastAPI
    engine: Engine
    lookup: Organisations
    bank: RegisteredBank

    def register_bank(self) -> RegisteredBank:
        return register_bank(self.engine, self.lookup, self.bank.redirect_url)

    def client(self, bank: RegisteredBank | None = None) -> SamtykkeClient:
        return (bank or self.bank).client(self.gateway_url)

    def accepted_consent(
        self, person: str = KARI, bank: RegisteredBank | None = None, **options: Any
    ) -> str:
        """A consent the bank asked for through the API and the person accepted (domain)."""
        return accepted_consent(self.engine, self.gateway_url, bank or self.bank, person, **options)

    def revoke(self, consent_id: str, person: str = KARI) -> None:
        with Session(self.engine) as session:
            consent = repository.get(session, consent_id)
            assert consent is not None
            lifecycle.revoke(session, consent, person=person, now=datetime.now(UTC))
            session.commit()

    def audit(self, consent_id: str | None = None, **where: Any) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if consent_id is not None:
            query = query.where(AuditEntry.consent_id == consent_id)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        with Session(self.engine) as session:
            return list(session.scalars(query))


def accepted_consent(
    engine: Engine, gateway_url: str, bank: RegisteredBank, person: str, **options: Any
) -> str:
    """A consent `bank` asked for at the gateway's API and `person` accepted (domain)."""
    with bank.client(gateway_url) as client:
        created = client.create_consent_request(
            consent_request(
                person, bank.organisation_number, redirect_url=bank.redirect_url, **options
            )
        )
    with Session(engine) as session:
        consent = repository.get(session, created["id"])
        assert consent is not None
        lifecycle.accept(session, consent, person=person, now=datetime.now(UTC))
        session.commit()
    return str(created["id"])


def register_bank(engine: Engine, lookup: Organisations, redirect_url: str) -> RegisteredBank:
    number = fresh_organisation_number()
    lookup.add(Organisation(number, f"Bank {number}", naeringskode1="64.190"))
    key = ECKey.generate_key("P-256", private=True)
    key.ensure_kid()
    with Session(engine) as session:
        client = client_service.register(
            session,
            lookup,
            ClientRegistration(
                kind="bank",
                organisation_number=number,
                name=f"Bank {number}",
                jwks={"keys": [key.as_dict(private=False)]},
                redirect_uris=[redirect_url],
                data_products=list(PRODUCTS),
            ),
            registered_by="tests",
            allow_loopback_http=True,
        )
        session.commit()
        client_id = client.client_id
    return RegisteredBank(client_id, number, key, redirect_url)


def mock_apps(
    key_dir: Path, *, gateway_url: str, idporten_url: str, registry_fault: str = ""
) -> tuple[FastAPI, FastAPI, FastAPI]:
    """Skatteetaten, Brønnøysund and ID-porten as the gateway at `gateway_url` meets them.

    The registries trust the registry-client keys in `key_dir` (made here when missing),
    the keys the gateway signs its calls with; `registry_fault` is injected into every
    registry answer.
    """
    jwks = KeyStore(key_dir).public_jwks(KeyPurpose.REGISTRY_CLIENT)
    mock_settings = MockSettings(
        _env_file=None,  # type: ignore[call-arg]
        test_mode=True,
        fault=registry_fault,
        hang_limit_seconds=5,
        idporten_redirect_uris=[f"{gateway_url}/citizen/login/callback"],
        population_size=0,
    )
    return (
        skatteetaten.create_app(mock_settings, population=POPULATION, gateway_jwks=jwks),
        brreg.create_app(mock_settings, population=POPULATION, gateway_jwks=jwks),
        idporten.create_app(mock_settings, issuer=idporten_url),
    )


def gateway_app(
    database_url: str,
    key_dir: Path,
    *,
    gateway_url: str,
    skatteetaten_url: str,
    brreg_url: str,
    idporten_url: str,
    lookup: Organisations,
    **settings: Any,
) -> FastAPI:
    app = create_app(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            mode=DeploymentMode.TEST,
            database_url=database_url,
            issuer_url=gateway_url,
            idporten_issuer_url=idporten_url,
            skatteetaten_base_url=skatteetaten_url,
            brreg_base_url=brreg_url,
            key_dir=key_dir,
            **{**TEST_REGISTRY_SETTINGS, **settings},
        )
    )
    app.state.organisation_lookup = lookup
    return app


@contextmanager
def data_world(
    database_url: str,
    engine: Engine,
    key_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    registry_fault: str = "",
    brreg_url_override: str | None = None,
    **settings: Any,
) -> Iterator[DataWorld]:
    """Gateway, Skatteetaten, Brønnøysund and ID-porten over real HTTP on one database.

    `registry_fault` is injected by both registries into every answer;
    `brreg_url_override` points the gateway at another Brønnøysund (one that is down);
    `settings` are the gateway's (the registry deadlines default to short ones). The
    gateway reads everything from its settings, so `monkeypatch` patches nothing.
    """
    socks = [bound_socket() for _ in range(4)]
    gateway_url, ske_url, brreg_url, idporten_url = (_url(s) for s in socks)
    skatteetaten_app, brreg_app, idporten_app = mock_apps(
        key_dir, gateway_url=gateway_url, idporten_url=idporten_url, registry_fault=registry_fault
    )
    lookup = Organisations()
    app = gateway_app(
        database_url,
        key_dir,
        gateway_url=gateway_url,
        skatteetaten_url=ske_url,
        brreg_url=brreg_url_override or brreg_url,
        idporten_url=idporten_url,
        lookup=lookup,
        **settings,
    )
    bank = register_bank(engine, lookup, f"{gateway_url}/bank/return")
    world = DataWorld(gateway_url, idporten_url, app, engine, lookup, bank)
    with ExitStack() as stack:
        for sock, server in (
            (socks[1], skatteetaten_app),
            (socks[2], brreg_app),
            (socks[3], idporten_app),
            (socks[0], app),
        ):
            stack.enter_context(running_server(server, sock=sock))
        yield world
