"""The citizen's world for page tests: ID-porten (mock), the gateway and a bank, all served.

Every server listens on a socket bound before it starts, so nothing waits.
The gateway's clock is held at a fixed time that a test may move.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.identifiers import organisation_number, synthetic_national_identity_number
from gateway.app import create_app
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import DeploymentMode, Settings
from mock_registries import brreg, idporten
from mock_registries.settings import MockSettings
from tests.banks import Bank, register_bank
from tests.consent_factories import NOW
from tests.servers import bound_socket, running_server

LOSORE_VIRKSOMHET = "brreg-samtykke-losore-rettsstiftelser-virksomhet"
ENTERPRISE_METADATA: dict[str, dict[str, str]] = {
    "ske-samtykke-sbl-summert-skattegrunnlag-enk": {"inntektsaar": "2025"},
    "ldir-samtykke-produksjonstilskudd": {"fraogmedomgang": "2025-03", "tilogmedomgang": "2025-10"},
    "fdir-samtykke-akvakultur-biomasse": {"fraogmed": "2025-01", "tilogmed": "2025-12"},
}
BANK_NAME = "Fjordbanken <ASA> & Co"  # markup in a registered name must come out as text
PURPOSE_WITH_MARKUP = "Lånesøknad <script>alert(1)</script> nr. 7"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _url(sock: Any) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def _bank_site() -> FastAPI:
    """The bank's page the citizen returns to; it shows the outcome it was sent."""
    app = FastAPI()

    @app.get("/return", response_class=HTMLResponse)
    def returned(status: str = "", consentRequestId: str = "") -> str:  # noqa: N803
        return (
            f"<!doctype html><html lang='nb'><title>Fjordbanken</title><h1>Fjordbanken</h1>"
            f"<p id='outcome'>{html.escape(status)}</p><p>{html.escape(consentRequestId)}</p>"
        )

    return app


def fresh_person() -> str:
    """A synthetic person no other test uses (a random birth date and individual number)."""
    n = uuid.uuid4().int
    birth = date(1950 + n % 50, 1 + (n >> 8) % 12, 1 + (n >> 16) % 28)
    return synthetic_national_identity_number(birth, (n >> 24) % 200)


@dataclass
class CitizenWorld:
    gateway_url: str
    idporten_url: str
    bank_site_url: str
    app: FastAPI
    bank: Bank
    # People of their own, so that "my consents" shows only this world's consents.
    person: str = field(default_factory=fresh_person)
    other_person: str = field(default_factory=fresh_person)
    now: list[datetime] = field(default_factory=lambda: [NOW])

    @property
    def redirect_url(self) -> str:
        return f"{self.bank_site_url}/return"

    def create_enterprise_request(
        self, enterprise: str, person: str, products: tuple[str, ...] = (LOSORE_VIRKSOMHET,)
    ) -> dict[str, Any]:
        """The bank asks `person` for the consent of `enterprise`."""
        rights = [
            {
                "action": ["consent"],
                "resource": [{"type": "urn:altinn:resource", "value": product}],
                "metadata": ENTERPRISE_METADATA.get(product, {}),
            }
            for product in products
        ]
        return self._post_request(
            {
                "id": str(uuid.uuid4()),
                "from": f"urn:altinn:organization:identifier-no:{enterprise}",
                "requiredDelegator": f"urn:altinn:person:identifier-no:{person}",
                "to": f"urn:altinn:organization:identifier-no:{self.bank.organisation_number}",
                "validTo": "2026-09-01T12:00:00Z",
                "consentRights": rights,
                "requestMessage": {"nb": "Driftskreditt", "en": "Operating credit"},
                "redirectUrl": self.redirect_url,
            }
        )

    def _post_request(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.gateway_url}/consent/v1/consentrequests",
            json=body,
            headers=self.bank.headers(self.app),
            timeout=30.0,
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def create_request(
        self, *, one_time: bool = False, rights: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """A request for the person's tax base and monthly income, or for `rights`."""
        body = {
            "id": str(uuid.uuid4()),
            "from": f"urn:altinn:person:identifier-no:{self.person}",
            "to": f"urn:altinn:organization:identifier-no:{self.bank.organisation_number}",
            "validTo": "2026-09-01T12:00:00Z",
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
                },
                {
                    "action": ["consent"],
                    "resource": [
                        {"type": "urn:altinn:resource", "value": "ske-samtykke-sbl-inntekt"}
                    ],
                    "metadata": {"fraogmed": "2025-01", "tilogmed": "2025-12"},
                },
            ]
            if rights is None
            else rights,
            "requestMessage": {"nb": PURPOSE_WITH_MARKUP, "en": "Loan application no. 7"},
            "redirectUrl": self.redirect_url,
            "oneTime": one_time,
        }
        answer = httpx.post(
            f"{self.gateway_url}/consent/v1/consentrequests",
            json=body,
            headers=self.bank.headers(self.app),
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def bank_view(self, consent_id: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.gateway_url}/consent/v1/consentrequests/{consent_id}",
            headers=self.bank.headers(self.app),
        )
        assert answer.status_code == 200, answer.text
        read: dict[str, Any] = answer.json()
        return read


@contextmanager
def citizen_world(
    database_url: str, engine: Engine, key_dir: Path, *, with_brreg: bool = False
) -> Iterator[CitizenWorld]:
    """The world; `with_brreg` adds the mock Enhetsregisteret, where enterprise roles are read."""
    idporten_sock, gateway_sock, bank_sock = bound_socket(), bound_socket(), bound_socket()
    brreg_sock = bound_socket()
    idporten_url, gateway_url, bank_url, brreg_url = (
        _url(idporten_sock),
        _url(gateway_sock),
        _url(bank_sock),
        _url(brreg_sock),
    )
    provider = idporten.create_app(
        MockSettings(
            _env_file=None,  # type: ignore[call-arg]
            idporten_redirect_uris=[f"{gateway_url}/citizen/login/callback"],
            population_size=0,
        ),
        issuer=idporten_url,
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=DeploymentMode.TEST,
        database_url=database_url,
        issuer_url=gateway_url,
        idporten_issuer_url=idporten_url,
        brreg_base_url=brreg_url,
        key_dir=key_dir,
    )
    app = create_app(settings)
    with Session(engine) as session:
        bank = register_bank(
            session, _fresh_organisation_number(), name=BANK_NAME, redirect_url=f"{bank_url}/return"
        )
    world = CitizenWorld(gateway_url, idporten_url, bank_url, app, bank)
    app.state.clock = lambda: world.now[0]
    with ExitStack() as stack:
        stack.enter_context(running_server(provider, sock=idporten_sock))
        stack.enter_context(running_server(_bank_site(), sock=bank_sock))
        if with_brreg:
            registry = brreg.create_app(
                MockSettings(_env_file=None, population_size=0),  # type: ignore[call-arg]
                gateway_jwks=KeyStore(key_dir).public_jwks(KeyPurpose.REGISTRY_CLIENT),
            )
            stack.enter_context(running_server(registry, sock=brreg_sock))
        else:
            brreg_sock.close()
        stack.enter_context(running_server(app, sock=gateway_sock))
        yield world


def _fresh_organisation_number() -> str:
    """A valid organisation number of its own, so each world's bank feed is its own."""
    while True:
        try:
            return organisation_number(f"9{uuid.uuid4().int % 10**7:07d}")
        except ValueError:
            continue  # this base has no valid number


def log_in(http: httpx.Client, start_url: str, person: str) -> httpx.Response:
    """Open a citizen page, get sent through ID-porten's login, log in as `person`."""
    login_page = http.get(start_url, follow_redirects=True)
    assert login_page.status_code == 200, login_page.text
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(login_page.text)}
    fields["pid"] = person
    return http.post(
        f"{login_page.url.scheme}://{login_page.url.netloc.decode()}/authorize/login",
        data=fields,
        follow_redirects=True,
    )


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)
