"""A world for enterprise consents in the FAPI 2.0 code flow, every part a real HTTP server.

The gateway, the ID-porten mock, the Brønnøysund mock (whose roles decide who
may consent for an enterprise), the Tax Administration, Landbruksdirektoratet
and Fiskeridirektoratet mocks, and a bank's callback page. The bank is
Authlib's OAuth2Client; the citizen is an httpx client that logs in at the
ID-porten mock and answers on the consent page.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from consent.catalogue import PRODUCTS
from consent.storage.database import create_session_factory
from gateway.app import create_app
from gateway.clients import service as client_service
from gateway.clients.schemas import ClientRegistration
from gateway.registries import JWKS_PATH
from gateway.settings import DeploymentMode, Settings
from mock_registries import brreg, fiskeri, idporten, landbruk, skatteetaten
from mock_registries.population import build_population
from mock_registries.settings import MockSettings
from tests.citizen_env import csrf_of, log_in
from tests.oauth_helpers import BANK_ORG, ORGANISATIONS, Bank, new_key, public_jwks
from tests.servers import bound_socket, running_server

POPULATION = build_population(2025, 20)
# Several servers share a small machine with other work: a page may take seconds, not hang.
SLOW_MACHINE = 30.0
BANK_NAME = "Fjordbanken ASA"
_ACTION = re.compile(r'<form method="post" action="([^"]+/answer)"')


class _ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
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
class Asked:
    """A pushed request: the bank's OAuth client, where the browser goes, state, verifier."""

    oauth: OAuth2Client
    url: str
    state: str
    verifier: str


@dataclass
class EnterpriseWorld:
    gateway_url: str
    callback: str
    engine: Engine
    bank: Bank
    metadata: dict[str, Any]

    def oauth_client(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.bank.client_id,
            client_secret=self.bank.key,
            token_endpoint_auth_method=_ShortLivedPrivateKeyJWT(
                self.gateway_url, alg="ES256", headers={"kid": self.bank.key.kid}
            ),
            redirect_uri=self.callback,
            scope="samtykke:data",
            code_challenge_method="S256",
        )

    def push(self, products: list[str], metadata: dict[str, str], **asking: object) -> Asked:
        """Push the request (PAR); the answer's URL is where the browser goes."""
        oauth = self.oauth_client()
        verifier = generate_token(48)
        details = [
            {
                "type": "urn:samtykke:consent-request",
                "products": products,
                "purpose": "Driftskreditt",
                "validTo": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
                "metadata": metadata,
                **asking,
            }
        ]
        url, state = oauth.create_authorization_url(
            self.metadata["authorization_endpoint"],
            code_verifier=verifier,
            authorization_details=json.dumps(details),
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
        return Asked(oauth, f"{self.metadata['authorization_endpoint']}?{query}", state, verifier)

    def answer(
        self, browser: httpx.Client, page: httpx.Response, decision: str, **fields: str
    ) -> httpx.Response:
        """Post the answer on the consent page; not followed, so the redirect can be read."""
        match = _ACTION.search(page.text)
        assert match, page.text
        action = html.unescape(match.group(1))
        return browser.post(
            self.gateway_url + action,
            data={"csrf_token": csrf_of(page), "decision": decision, **fields},
        )

    def token(self, asked: Asked, callback: str) -> dict[str, Any]:
        token_url = self.metadata["token_endpoint"]
        token: dict[str, Any] = asked.oauth.fetch_token(
            token_url,
            authorization_response=callback,
            state=asked.state,
            code_verifier=asked.verifier,
            headers={"DPoP": self.bank.proof(url=token_url)},
        )
        asked.oauth.close()
        return token

    def fetch(self, token: dict[str, Any], path: str, **params: str) -> httpx.Response:
        url = self.gateway_url + path
        access_token = token["access_token"]
        proof = self.bank.proof("GET", url, access_token=access_token)
        return httpx.get(
            url,
            timeout=SLOW_MACHINE,
            params=params,
            headers={"Authorization": f"DPoP {access_token}", "DPoP": proof},
        )


def log_in_at(browser: httpx.Client, url: str, person: str) -> httpx.Response:
    return log_in(browser, url, person)


@contextmanager
def enterprise_world(database_url: str, engine: Engine, key_dir: Path) -> Iterator[EnterpriseWorld]:
    registries = ("brreg", "skatteetaten", "landbruk", "fiskeri")
    sockets = {name: bound_socket() for name in ("gateway", "idporten", "bank", *registries)}
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
        skatteetaten_base_url=urls["skatteetaten"],
        landbruk_base_url=urls["landbruk"],
        fiskeri_base_url=urls["fiskeri"],
        key_dir=key_dir,
    )
    callback = urls["bank"] + "/callback"
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
                data_products=list(PRODUCTS),
            ),
            registered_by="tests",
            allow_loopback_http=True,
        )
        session.commit()
    bank = Bank(client.client_id, key)
    with ExitStack() as stack:
        for name, app in (
            ("idporten", idporten.create_app(mocks, issuer=urls["idporten"])),
            ("brreg", brreg.create_app(mocks, population=POPULATION)),
            ("skatteetaten", skatteetaten.create_app(mocks, population=POPULATION)),
            ("landbruk", landbruk.create_app(mocks, population=POPULATION)),
            ("fiskeri", fiskeri.create_app(mocks, population=POPULATION)),
            ("bank", _bank_site()),
            ("gateway", create_app(settings)),
        ):
            stack.enter_context(running_server(app, sock=sockets[name]))
        discovery = httpx.get(urls["gateway"] + "/.well-known/oauth-authorization-server")
        yield EnterpriseWorld(urls["gateway"], callback, engine, bank, discovery.json())
