"""The FAPI 2.0 code flow with the real consent page, in Chromium, over real HTTP.

Authlib's OAuth2Client is the bank: it pushes the request (PAR), sends the
browser to the authorization endpoint and redeems the code. The citizen logs
in at the ID-porten mock and answers on the consent page. The token then
reads the Brønnøysund mock through the data API. Screenshots land in
test-artifacts/screenshots/fapi-*.png.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page, expect
from samtykke_client import (
    AuthorizationResponseError,
    PartyMismatchError,
    PendingAuthorization,
    SamtykkeClient,
)
from sqlalchemy import Engine, select, update

from consent.audit.models import AuditEntry
from consent.authorization.models import PushedAuthorizationRequest
from consent.consents.models import Consent
from consent.storage.database import create_session_factory
from gateway.app import create_app
from gateway.clients import service as client_service
from gateway.clients.schemas import ClientRegistration
from gateway.registries import JWKS_PATH
from gateway.settings import DeploymentMode, Settings
from mock_registries import brreg, idporten
from mock_registries.population import Trait, build_population
from mock_registries.settings import MockSettings
from tests.browser import PHONE, SCREENSHOTS, launched_chromium
from tests.citizen_env import fresh_person
from tests.oauth_helpers import BANK_ORG, ORGANISATIONS, Bank, new_key, public_jwks
from tests.servers import bound_socket, running_server

pytestmark = pytest.mark.browser

BANK_NAME = "Fjordbanken ASA"  # the registered name of BANK_ORG in the organisation lookup
PRODUCTS = ["ske-samtykke-sbl-summert-skattegrunnlag", "brreg-samtykke-losore-rettsstiftelser"]
POPULATION = build_population(2025, 20)
DEBTOR = next(p for p in POPULATION.named if p.has(Trait.DEBT_SETTLEMENT))


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
    """FAPI 2.0 wants assertions that live at most 120 s (Authlib's default is an hour)."""

    def sign(self, auth: Any, token_endpoint: str) -> Any:
        self.claims = {"exp": int(time.time()) + 60}
        return super().sign(auth, token_endpoint)


def _url(sock: Any) -> str:
    return "http://{}:{}".format(*sock.getsockname()[:2])


def _bank_site() -> FastAPI:
    app = FastAPI()

    @app.get("/callback", response_class=HTMLResponse)
    def callback() -> str:
        return "<!doctype html><html lang='nb'><title>Fjordbanken</title><h1>Fjordbanken</h1>"

    return app


@dataclass
class FapiWorld:
    gateway_url: str
    callback: str
    engine: Engine
    bank: Bank
    metadata: dict[str, Any]

    def oauth_client(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.bank.client_id,
            client_secret=self.bank.key,
            token_endpoint_auth_method=ShortLivedPrivateKeyJWT(
                self.gateway_url, alg="ES256", headers={"kid": self.bank.key.kid}
            ),
            redirect_uri=self.callback,
            scope="samtykke:data",
            code_challenge_method="S256",
        )

    def authorization_url(
        self, oauth: OAuth2Client, verifier: str, **asking: object
    ) -> tuple[str, str]:
        """Push the request (PAR) and return where the browser goes, and the state."""
        asked = [
            {
                "type": "urn:samtykke:consent-request",
                "products": PRODUCTS,
                "purpose": "Boliglån nr. 42",
                "validTo": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
                "metadata": {"inntektsaar": "2025"},
                **asking,
            }
        ]
        url, state = oauth.create_authorization_url(
            self.metadata["authorization_endpoint"],
            code_verifier=verifier,
            authorization_details=json.dumps(asked),
        )
        pushed = oauth.request(
            "POST",
            self.metadata["pushed_authorization_request_endpoint"],
            data={k: v[0] for k, v in parse_qs(urlsplit(url).query).items()},
            auth=oauth.client_auth(oauth.token_endpoint_auth_method),
            withhold_token=True,
        )
        assert pushed.status_code == 201, pushed.text
        query = httpx.QueryParams(
            client_id=self.bank.client_id, request_uri=pushed.json()["request_uri"]
        )
        return f"{self.metadata['authorization_endpoint']}?{query}", state


def _register_bank(engine: Engine, callback: str) -> Bank:
    key = new_key()
    with create_session_factory(engine)() as session:
        client = client_service.register(
            session,
            ORGANISATIONS,
            ClientRegistration(
                kind="bank",
                organisation_number=BANK_ORG,
                name=BANK_NAME,
                jwks=public_jwks(key),
                redirect_uris=[callback],
                data_products=PRODUCTS,
            ),
            registered_by="tests",
            allow_loopback_http=True,
        )
        session.commit()
    return Bank(client.client_id, key)


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[FapiWorld]:
    sockets = {name: bound_socket() for name in ("gateway", "idporten", "brreg", "bank")}
    urls = {name: _url(sock) for name, sock in sockets.items()}
    mocks = MockSettings(
        _env_file=None,  # type: ignore[call-arg]
        idporten_redirect_uris=[f"{urls['gateway']}/citizen/login/callback"],
        gateway_jwks_url=urls["gateway"] + JWKS_PATH,
        population_size=0,
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=DeploymentMode.TEST,
        database_url=database_url,
        issuer_url=urls["gateway"],
        idporten_issuer_url=urls["idporten"],
        brreg_base_url=urls["brreg"],
        key_dir=tmp_path / "keys",
    )
    callback = urls["bank"] + "/callback"
    bank = _register_bank(engine, callback)
    with ExitStack() as stack:
        for name, app in (
            ("idporten", idporten.create_app(mocks, issuer=urls["idporten"])),
            ("brreg", brreg.create_app(mocks, population=POPULATION)),
            ("bank", _bank_site()),
            ("gateway", create_app(settings)),
        ):
            stack.enter_context(running_server(app, sock=sockets[name]))
        discovery = httpx.get(urls["gateway"] + "/.well-known/oauth-authorization-server")
        yield FapiWorld(urls["gateway"], callback, engine, bank, discovery.json())


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def shoot(page: Page, database_backend: str) -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def screenshot(step: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"fapi-{step}-{database_backend}.png", full_page=True)

    return screenshot


def _log_in_and_see_the_request(page: Page, url: str, person: str) -> None:
    page.goto(url)  # authorize -> 303 consent page -> login -> ID-porten
    expect(page.get_by_role("heading", name="ID-porten (test environment)")).to_be_visible()
    page.get_by_label("National identity number").fill(person)
    page.locator("form:has(#pid) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{BANK_NAME} ber om samtykke")


def test_accept_on_the_consent_page_gives_a_token_that_reads_data(
    world: FapiWorld, page: Page, shoot: Any
) -> None:
    oauth = world.oauth_client()
    verifier = generate_token(48)
    url, state = world.authorization_url(oauth, verifier)
    _log_in_and_see_the_request(page, url, DEBTOR.fnr)
    expect(page.get_by_text(f"Organisasjonsnummer: {BANK_ORG}")).to_be_visible()
    expect(page.get_by_text("Inntektsår 2025")).to_be_visible()
    expect(page.get_by_text("Heftelser og gjeldsordninger i Løsøreregisteret")).to_be_visible()
    expect(page.get_by_text("Boliglån nr. 42")).to_be_visible()
    expect(page.get_by_text("Banken kan hente opplysningene flere ganger")).to_be_visible()
    expect(page.get_by_role("heading", name="Hvis du sier nei")).to_be_visible()
    consent_page = page.url
    assert DEBTOR.fnr not in consent_page
    shoot("consent-page")

    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", name="Fjordbanken")).to_be_visible()
    shoot("back-at-the-bank")
    callback = page.url
    answer = parse_qs(urlsplit(callback).query)
    assert callback.startswith(world.callback)
    assert answer["iss"] == [world.gateway_url]
    assert answer["state"] == [state]

    token_url = world.metadata["token_endpoint"]
    token = oauth.fetch_token(
        token_url,
        authorization_response=callback,
        state=state,
        code_verifier=verifier,
        headers={"DPoP": world.bank.proof(url=token_url)},
    )
    oauth.close()
    assert token["token_type"] == "DPoP"
    [detail] = token["authorization_details"]
    assert detail["type"] == "urn:samtykke:consent"
    assert detail["from"] == f"urn:altinn:person:identifier-no:{DEBTOR.fnr}"
    with create_session_factory(world.engine)() as session:
        consent = session.get(Consent, detail["id"])
        assert consent is not None
        assert consent.status == "accepted"
        assert consent.person == DEBTOR.fnr
        assert consent.bank_organisation_number == BANK_ORG
        assert consent.client_id == world.bank.client_id
        assert consent.product_ids == PRODUCTS

    data_url = world.gateway_url + "/data/v1/rettsstiftelser"
    access_token = token["access_token"]
    proof = world.bank.proof("GET", data_url, access_token=access_token)
    data = httpx.get(data_url, headers={"Authorization": f"DPoP {access_token}", "DPoP": proof})
    assert data.status_code == 200, data.text
    assert data.json()["consentId"] == detail["id"]
    assert data.json()["data"]["antallRettsstiftelser"] == len(DEBTOR.liens) > 0

    # The answered interaction cannot be answered again.
    page.goto(consent_page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Forespørselen kan ikke lenger besvares"
    )
    expect(page.get_by_role("button", name="Ja, jeg samtykker")).to_have_count(0)
    shoot("already-answered")


def test_refusal_sends_access_denied_to_the_bank(world: FapiWorld, page: Page, shoot: Any) -> None:
    oauth = world.oauth_client()
    url, state = world.authorization_url(oauth, generate_token(48), oneTime=True)
    oauth.close()
    _log_in_and_see_the_request(page, url, DEBTOR.fnr)
    expect(page.get_by_text("Banken kan hente opplysningene én gang.")).to_be_visible()
    page.get_by_role("button", name="Nei, jeg samtykker ikke").click()
    expect(page.get_by_role("heading", name="Fjordbanken")).to_be_visible()
    answer = parse_qs(urlsplit(page.url).query)
    assert answer == {"error": ["access_denied"], "state": [state], "iss": [world.gateway_url]}
    with create_session_factory(world.engine)() as session:
        statuses = session.scalars(
            select(Consent.status).where(Consent.client_id == world.bank.client_id)
        ).all()
    assert statuses == ["rejected"]
    shoot("refused")


def test_an_expired_interaction_is_refused_clearly(
    world: FapiWorld, page: Page, shoot: Any
) -> None:
    oauth = world.oauth_client()
    url, _ = world.authorization_url(oauth, generate_token(48))
    oauth.close()
    _log_in_and_see_the_request(page, url, DEBTOR.fnr)
    interaction_id = page.url.rsplit("/", 1)[1]
    with create_session_factory(world.engine)() as session:
        session.execute(
            update(PushedAuthorizationRequest)
            .where(PushedAuthorizationRequest.interaction_id == interaction_id)
            .values(used_at=datetime.now(UTC) - timedelta(minutes=11))
        )
        session.commit()
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Forespørselen kan ikke lenger besvares"
    )
    expect(page.get_by_role("alert")).to_contain_text("Ingenting er delt")
    shoot("expired")
    assert world.callback not in page.url
    with create_session_factory(world.engine)() as session:
        assert (
            session.scalars(select(Consent).where(Consent.client_id == world.bank.client_id)).all()
            == []
        )


def test_only_the_person_the_bank_named_may_answer(
    world: FapiWorld, page: Page, shoot: Any, engine: Engine
) -> None:
    oauth = world.oauth_client()
    applicant = f"urn:altinn:person:identifier-no:{DEBTOR.fnr}"
    url, _ = world.authorization_url(oauth, generate_token(48), **{"from": applicant})
    oauth.close()
    page.goto(url)
    stranger = fresh_person()
    page.get_by_label("National identity number").fill(stranger)
    page.locator("form:has(#pid) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Denne forespørselen gjelder ikke deg"
    )
    expect(page.get_by_role("button", name="Ja, jeg samtykker")).to_have_count(0)
    shoot("not-yours")
    consent_page = page.url

    # The stranger's attempt is on the record, naming the stranger and no one else.
    interaction_id = urlsplit(consent_page).path.rsplit("/", 1)[-1]
    with create_session_factory(engine)() as session:
        [entry] = session.scalars(
            select(AuditEntry).where(
                AuditEntry.event_type == "citizen:page:refused", AuditEntry.actor_id == stranger
            )
        ).all()
    assert (entry.subject, entry.outcome) == (stranger, "denied")
    assert entry.details == {
        "reason": "not-yours",
        "action": "view",
        "interactionId": interaction_id,
    }
    assert DEBTOR.fnr not in str(entry.details)

    # The refusal used nothing up: the applicant can still answer.
    page.get_by_role("button", name="Logg ut").click()
    _log_in_and_see_the_request(page, consent_page, DEBTOR.fnr)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", name="Fjordbanken")).to_be_visible()
    assert "code" in parse_qs(urlsplit(page.url).query)


def _accept(page: Page, url: str, person: str) -> str:
    """Log in as `person`, accept, and return the bank's callback URL."""
    page.goto(url)
    page.get_by_label("National identity number").fill(person)
    page.locator("form:has(#pid) button[type=submit]").click()
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", name="Fjordbanken")).to_be_visible()
    return page.url


def test_the_client_library_takes_only_the_expected_persons_consent(
    world: FapiWorld, page: Page
) -> None:
    client = SamtykkeClient(
        world.gateway_url,
        client_id=world.bank.client_id,
        private_jwk=world.bank.key.as_dict(private=True),
    )
    asked: dict[str, Any] = {
        "redirect_uri": world.callback,
        "products": PRODUCTS,
        "purpose": "Boliglån nr. 43",
        "valid_to": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "metadata": {"inntektsaar": "2025"},
    }
    with client:
        with pytest.raises(ValueError, match="expected"):
            client.start_authorization(**asked)  # no expected party: refused at once
        pending = client.start_authorization(**asked, expected_person=DEBTOR.fnr)
        assert DEBTOR.fnr not in pending.authorization_url
        callback = _accept(page, pending.authorization_url, DEBTOR.fnr)
        forged = callback.replace(f"state={pending.state}", "state=forged")
        with pytest.raises(AuthorizationResponseError):
            client.finish_authorization(pending, forged)
        authorized = client.finish_authorization(pending, callback)
        assert authorized.person == DEBTOR.fnr
        liens = client.rettsstiftelser(authorized.consent_id, DEBTOR.fnr)
        assert liens["consentId"] == authorized.consent_id

        # A careless bank pushed its request without `from`: a stranger logged in and
        # answered. The library refuses the stranger's consent and makes it useless.
        oauth = world.oauth_client()
        verifier = generate_token(48)
        url, state = world.authorization_url(oauth, verifier)
        oauth.close()
        page.context.clear_cookies()
        stranger = fresh_person()
        callback = _accept(page, url, stranger)
        careless = PendingAuthorization(
            authorization_url=url,
            state=state,
            code_verifier=verifier,
            redirect_uri=world.callback,
            expected_party=f"urn:altinn:person:identifier-no:{DEBTOR.fnr}",
        )
        with pytest.raises(PartyMismatchError) as refused:
            client.finish_authorization(careless, callback)
    assert stranger not in str(refused.value)
    assert refused.value.code == "party-mismatch"
    with create_session_factory(world.engine)() as session:
        consent = session.get(Consent, refused.value.consent_id)
        assert consent is not None
        assert consent.person == stranger
        assert consent.status == "deleted"  # withdrawn: no data can be fetched under it


def test_a_session_ended_before_answering_asks_to_log_in_again(
    world: FapiWorld, page: Page, shoot: Any
) -> None:
    oauth = world.oauth_client()
    url, state = world.authorization_url(oauth, generate_token(48))
    oauth.close()
    _log_in_and_see_the_request(page, url, DEBTOR.fnr)
    other_tab = page.context.new_page()
    other_tab.goto(world.gateway_url + "/citizen/consents")
    other_tab.get_by_role("button", name="Logg ut").click()
    expect(other_tab.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    other_tab.close()

    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    shoot("session-ended")
    page.get_by_role("link", name="Logg inn igjen").click()
    page.get_by_label("National identity number").fill(DEBTOR.fnr)
    page.locator("form:has(#pid) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{BANK_NAME} ber om samtykke")
    # The answer's redirect to the bank is within the page's form-action.
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", name="Fjordbanken")).to_be_visible()
    answer = parse_qs(urlsplit(page.url).query)
    assert answer["state"] == [state]
    assert "code" in answer
