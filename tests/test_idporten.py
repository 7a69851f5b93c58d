"""The ID-porten mock as an OpenID Connect provider, driven by Authlib's client."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from mock_registries import idporten
from mock_registries.population import STRANDVIK_HAVBRUK, Population, build_population
from mock_registries.settings import MockSettings
from tests.servers import bound_socket, running_server

CLIENT_ID = "samtykke-gateway"
SECRET = "test-secret"
REDIRECT = "http://127.0.0.1:8000/citizen/login/callback"


@pytest.fixture(scope="module")
def population() -> Population:
    return build_population(2025, 50)


@pytest.fixture(scope="module")
def issuer(population: Population) -> Iterator[str]:
    sock = bound_socket()
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    settings = MockSettings(
        idporten_client_id=CLIENT_ID, idporten_client_secret=SECRET, test_mode=True
    )
    app = idporten.create_app(settings, population=population, issuer=url)
    with running_server(app, sock=sock):
        yield url


def _client(**kwargs: object) -> OAuth2Client:
    return OAuth2Client(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        scope="openid profile",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        **kwargs,
    )


def _login(issuer: str, authorization_url: str, pid: str) -> httpx.Response:
    """What a tester does on the login page: open it and pick a person."""
    page = httpx.get(authorization_url)
    assert page.status_code == 200
    form = page.text.split('<form method="post" action="/authorize/login">', 1)[1].split(
        "</form>", 1
    )[0]
    fields = {
        name: unescape(value)
        for name, value in re.findall(r'name="([a-z_]+)" value="([^"]*)"', form)
    }
    fields["pid"] = pid
    return httpx.post(f"{issuer}/authorize/login", data=fields)


def _start(issuer: str, client: OAuth2Client) -> tuple[str, str, str, str]:
    verifier = generate_token(48)
    nonce = generate_token(16)
    url, state = client.create_authorization_url(
        f"{issuer}/authorize", code_verifier=verifier, nonce=nonce
    )
    return url, state, verifier, nonce


def test_discovery_names_the_endpoints(issuer: str) -> None:
    document = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    assert document["issuer"] == issuer
    assert document["token_endpoint"] == f"{issuer}/token"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["authorization_response_iss_parameter_supported"] is True


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_code_flow_with_pkce_yields_an_id_token_with_pid_and_acr(
    issuer: str, population: Population, auth_method: str
) -> None:
    person = population.named[0]
    client = _client(token_endpoint_auth_method=auth_method)
    url, state, verifier, nonce = _start(issuer, client)
    answer = _login(issuer, url, person.fnr)
    assert answer.status_code == 303
    location = answer.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(REDIRECT)
    assert query["state"] == [state]
    assert query["iss"] == [issuer]

    token = client.fetch_token(
        f"{issuer}/token", authorization_response=location, code_verifier=verifier
    )
    keys = KeySet.import_key_set(httpx.get(f"{issuer}/jwks").json())
    id_token = jwt.decode(token["id_token"], keys, ["RS256"])
    JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": nonce},
        pid={"essential": True, "value": person.fnr},
        acr={"essential": True, "value": "idporten-loa-high"},
        exp={"essential": True},
        sid={"essential": True},
    ).validate(id_token.claims)
    assert id_token.claims["sub"] != person.fnr  # pairwise, not the number

    userinfo = client.get(f"{issuer}/userinfo").json()
    assert userinfo["pid"] == person.fnr
    assert userinfo["sub"] == id_token.claims["sub"]
    client.close()


def test_a_code_works_once(issuer: str, population: Population) -> None:
    client = _client()
    url, _, verifier, _ = _start(issuer, client)
    location = _login(issuer, url, population.named[1].fnr).headers["location"]
    client.fetch_token(f"{issuer}/token", authorization_response=location, code_verifier=verifier)
    code = parse_qs(urlsplit(location).query)["code"][0]
    again = httpx.post(
        f"{issuer}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "code_verifier": verifier, "client_id": CLIENT_ID, "client_secret": SECRET},
    )  # fmt: skip
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    client.close()


def _code(issuer: str, population: Population) -> tuple[str, str]:
    client = _client()
    url, _, verifier, _ = _start(issuer, client)
    location = _login(issuer, url, population.named[2].fnr).headers["location"]
    client.close()
    return parse_qs(urlsplit(location).query)["code"][0], verifier


def test_a_wrong_code_verifier_is_refused(issuer: str, population: Population) -> None:
    code, _ = _code(issuer, population)
    answer = httpx.post(
        f"{issuer}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "code_verifier": "x" * 50, "client_id": CLIENT_ID, "client_secret": SECRET},
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(issuer: str, population: Population) -> None:
    code, verifier = _code(issuer, population)
    basic = base64.b64encode(f"{CLIENT_ID}:wrong".encode()).decode()
    answer = httpx.post(
        f"{issuer}/token",
        headers={"Authorization": f"Basic {basic}"},
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "code_verifier": verifier},
    )  # fmt: skip
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_pkce_is_required(issuer: str) -> None:
    answer = httpx.get(
        f"{issuer}/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code",
                "scope": "openid", "state": "s", "nonce": "n"},
    )  # fmt: skip
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == ["s"]


def test_an_unregistered_redirect_uri_is_never_redirected_to(issuer: str) -> None:
    answer = httpx.get(
        f"{issuer}/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": "https://evil.example/cb",
                "response_type": "code", "scope": "openid", "state": "s", "nonce": "n",
                "code_challenge": "c" * 43, "code_challenge_method": "S256"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_only_synthetic_numbers_may_log_in(issuer: str) -> None:
    client = _client()
    url, _, _, _ = _start(issuer, client)
    client.close()
    real_form = "01010112345"  # not synthetic (and not valid either)
    answer = _login(issuer, url, real_form)
    assert answer.status_code == 400
    assert "not a valid synthetic number" in answer.text


def test_the_login_page_and_the_test_person_list_name_the_same_persons(
    issuer: str, population: Population
) -> None:
    listed = httpx.get(f"{issuer}/test-persons").json()
    assert [p["pid"] for p in listed] == [p.fnr for p in population.named]
    assert all(p["description"] for p in listed)
    ola = next(p for p in listed if p["name"] == "Ola Strandvik")
    dagl = {"organisasjonsnummer": STRANDVIK_HAVBRUK, "navn": "STRANDVIK HAVBRUK AS",
            "rolle": "DAGL", "fratraadt": False}  # fmt: skip
    assert ola["roles"] == [dagl]
    ingrid = next(p for p in listed if p["name"] == "Ingrid Haugland")
    assert [r["fratraadt"] for r in ingrid["roles"]] == [True]
    client = _client()
    url, _, _, _ = _start(issuer, client)
    client.close()
    page = httpx.get(url).text
    for person in population.named:
        assert person.fnr in page
    assert f"DAGL i STRANDVIK HAVBRUK AS ({STRANDVIK_HAVBRUK})" in page


def test_a_fault_at_the_token_endpoint_is_an_oauth_error(issuer: str) -> None:
    answer = httpx.post(
        f"{issuer}/token",
        data={"grant_type": "authorization_code"},
        headers={"X-Mock-Fault": "status=503"},
    )
    assert answer.status_code == 503
    assert answer.json()["error"] == "temporarily_unavailable"
