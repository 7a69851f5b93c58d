"""The FAPI 2.0 code flow: PAR, the consent page hand-off, PKCE, DPoP, single-use codes.

One test drives it with Authlib's own httpx OAuth2Client against a real server.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from consent.authorization.models import AuthorizationCode, PushedAuthorizationRequest
from consent.authorization.repository import use_jtis
from consent.catalogue import SUMMERT_SKATTEGRUNNLAG, latest_assessed_year
from consent.storage.database import create_database_engine, create_session_factory
from gateway.app import create_app
from gateway.cli import app as cli
from gateway.oauth import interaction
from gateway.security.access_tokens import verify_access_token
from gateway.settings import Settings, get_settings
from tests.oauth_helpers import ISSUER, PERSON, Bank, register
from tests.servers import bound_socket, running_server

CALLBACK = "https://bank.example/callback"
REQUESTED = [
    {
        "type": "urn:samtykke:consent-request",
        "products": [SUMMERT_SKATTEGRUNNLAG.id],
        "purpose": "Mortgage application",
        "validTo": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "metadata": {"inntektsaar": str(latest_assessed_year(datetime.now(UTC)))},
    }
]


def _push(
    client: TestClient,
    bank: Bank,
    verifier: str,
    headers: list[tuple[str, str]] | None = None,
    **changes: str,
) -> Any:
    fields = {
        "response_type": "code",
        "client_id": bank.client_id,
        "redirect_uri": CALLBACK,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "state": "state-1",
        "authorization_details": json.dumps(REQUESTED),
        **changes,
    }
    form = bank.token_form(**fields)
    del form["grant_type"]
    return client.post("/oauth/par", data=form, headers=headers)


def _approve(engine: Engine, location: str, approved: bool = True) -> str:
    interaction_id = location.rsplit("/", 1)[1]
    with create_session_factory(engine)() as session:
        pending = interaction.load_pending(session, interaction_id)
        assert pending.authorization_details == REQUESTED
        url = interaction.complete(
            session,
            interaction_id,
            person=PERSON,
            approved=approved,
            issuer=ISSUER,
            consent_id="consent-1",
        )
        session.commit()
    return url


def _code_for(client: TestClient, engine: Engine, bank: Bank, verifier: str) -> str:
    request_uri = _push(client, bank, verifier).json()["request_uri"]
    query = {"client_id": bank.client_id, "request_uri": request_uri}
    location = client.get("/oauth/authorize", params=query, follow_redirects=False)
    return parse_qs(urlsplit(_approve(engine, location.headers["location"])).query)["code"][0]


def _redeem(client: TestClient, bank: Bank, code: str, verifier: str, **changes: str) -> Any:
    form = bank.token_form(
        grant_type="authorization_code",
        code=code,
        redirect_uri=CALLBACK,
        code_verifier=verifier,
        **changes,
    )
    return client.post("/oauth/token", data=form, headers={"DPoP": bank.proof()})


def test_the_code_flow_issues_a_consent_bound_token_once(
    client: TestClient, engine: Engine
) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    verifier = generate_token(48)
    pushed = _push(client, bank, verifier)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["expires_in"] <= 90
    request_uri = pushed.json()["request_uri"]
    query = {"client_id": bank.client_id, "request_uri": request_uri}
    answer = client.get("/oauth/authorize", params=query, follow_redirects=False)
    assert answer.status_code == 303
    again = client.get("/oauth/authorize", params=query, follow_redirects=False)
    assert again.json()["error"] == "invalid_request_uri"
    redirect = urlsplit(_approve(engine, answer.headers["location"]))
    params = parse_qs(redirect.query)
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == CALLBACK
    assert params["iss"] == [ISSUER]
    assert params["state"] == ["state-1"]
    code = params["code"][0]
    token = _redeem(client, bank, code, verifier)
    assert token.status_code == 200, token.text
    claims = verify_access_token(client.app.state.keys, token.json()["access_token"], issuer=ISSUER)  # type: ignore[attr-defined]
    assert claims.confirmation_jkt == bank.jkt
    [detail] = claims.authorization_details
    assert detail["from"] == f"urn:altinn:person:identifier-no:{PERSON}"
    assert detail["id"] == "consent-1"
    assert _redeem(client, bank, code, verifier).json()["error"] == "invalid_grant"


def test_pkce_redirect_uri_and_client_are_checked(client: TestClient, engine: Engine) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    other = register(engine, redirect_uris=[CALLBACK])
    verifier = generate_token(48)
    cases: list[tuple[Bank, dict[str, str], str]] = [
        (bank, {"code_verifier": generate_token(48)}, "code_verifier"),
        (bank, {"code_verifier": ""}, "PKCE"),
        (bank, {"redirect_uri": CALLBACK + "/other"}, "redirect_uri"),
        (other, {}, "another client"),
    ]
    for redeemer, changes, fragment in cases:
        code = _code_for(client, engine, bank, verifier)
        fields = {"code_verifier": verifier, "redirect_uri": CALLBACK, **changes}
        form = redeemer.token_form(grant_type="authorization_code", code=code, **fields)
        answer = client.post("/oauth/token", data=form, headers={"DPoP": redeemer.proof()})
        assert answer.json()["error"] == "invalid_grant", fragment
        assert fragment in answer.json()["error_description"]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"code_challenge_method": "plain"}, "S256"),
        ({"code_challenge": ""}, "code_challenge"),
        ({"redirect_uri": "https://evil.example/callback"}, "redirect_uri"),
        ({"response_type": "token"}, "response_type"),
    ],
)
def test_bad_pushed_requests_are_refused(
    client: TestClient, engine: Engine, changes: dict[str, str], fragment: str
) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    answer = _push(client, bank, generate_token(48), **changes)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert fragment in answer.json()["error_description"]


def test_a_refusal_goes_back_as_access_denied(client: TestClient, engine: Engine) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    request_uri = _push(client, bank, generate_token(48)).json()["request_uri"]
    query = {"client_id": bank.client_id, "request_uri": request_uri}
    location = client.get("/oauth/authorize", params=query, follow_redirects=False)
    params = parse_qs(urlsplit(_approve(engine, location.headers["location"], False)).query)
    assert params["error"] == ["access_denied"]
    assert params["iss"] == [ISSUER]


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
    """FAPI 2.0 wants assertions that live at most 120 s (Authlib's default is an hour)."""

    def sign(self, auth: Any, token_endpoint: str) -> Any:
        self.claims = {"exp": int(time.time()) + 60}  # a fresh dict: Authlib adds the jti to it
        return super().sign(auth, token_endpoint)


# Certified client libraries always ask for `openid`: it is left out, not refused (RFC 6749 §3.3).
@pytest.mark.parametrize("scope", ["samtykke:data", "openid samtykke:data"])
def test_authlib_client_drives_the_whole_flow(
    database_url: str, engine: Engine, tmp_path: Any, scope: str
) -> None:
    sock = bound_socket()
    host, port = sock.getsockname()[:2]
    issuer = f"http://{host}:{port}"
    settings = Settings(database_url=database_url, issuer_url=issuer, key_dir=tmp_path / "keys")
    bank = register(engine, redirect_uris=[CALLBACK])
    with running_server(create_app(settings), sock=sock) as base_url:
        discovery = base_url + "/.well-known/oauth-authorization-server"
        metadata = httpx.get(discovery).json()
        oauth = OAuth2Client(
            client_id=bank.client_id,
            client_secret=bank.key,
            token_endpoint_auth_method=ShortLivedPrivateKeyJWT(
                issuer, alg="ES256", headers={"kid": bank.key.kid}
            ),
            redirect_uri=CALLBACK,
            scope=scope,
            code_challenge_method="S256",
        )
        verifier = generate_token(48)
        authorize_url, state = oauth.create_authorization_url(
            metadata["authorization_endpoint"],
            code_verifier=verifier,
            authorization_details=json.dumps(REQUESTED),
        )
        # PAR: the same parameters, pushed with the client's own authentication.
        pushed = oauth.request(
            "POST",
            metadata["pushed_authorization_request_endpoint"],
            data={k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()},
            auth=oauth.client_auth(oauth.token_endpoint_auth_method),
            withhold_token=True,
        )
        assert pushed.status_code == 201, pushed.text
        browser = oauth.request(
            "GET",
            metadata["authorization_endpoint"],
            params={"client_id": bank.client_id, "request_uri": pushed.json()["request_uri"]},
            follow_redirects=False,
            withhold_token=True,  # the browser's visit, not an API call
        )
        assert browser.status_code == 303
        with create_session_factory(engine)() as session:
            callback = interaction.complete(
                session,
                browser.headers["location"].rsplit("/", 1)[1],
                person=PERSON,
                approved=True,
                issuer=issuer,
            )
            session.commit()
        token_url = metadata["token_endpoint"]
        token = oauth.fetch_token(
            token_url,
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
            headers={"DPoP": bank.proof(url=token_url)},
        )
        oauth.close()
    assert token["token_type"] == "DPoP"
    assert token["scope"] == "samtykke:data"  # what was granted
    assert parse_qs(urlsplit(callback).query)["iss"] == [issuer]
    assert token["authorization_details"][0]["products"] == [SUMMERT_SKATTEGRUNNLAG.id]


def test_expired_codes_and_request_uris_are_refused(client: TestClient, engine: Engine) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    verifier = generate_token(48)
    code = _code_for(client, engine, bank, verifier)
    request_uri = _push(client, bank, verifier).json()["request_uri"]
    past = datetime.now(UTC) - timedelta(seconds=1)
    with create_session_factory(engine)() as session:
        session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == interaction.hash_code(code))
            .values(expires_at=past)
        )
        request_id = request_uri.rsplit(":", 1)[1]
        session.execute(
            update(PushedAuthorizationRequest)
            .where(PushedAuthorizationRequest.id == request_id)
            .values(expires_at=past)
        )
        session.commit()
    expired = _redeem(client, bank, code, verifier)
    assert expired.json()["error"] == "invalid_grant"
    assert "expired" in expired.json()["error_description"]
    query = {"client_id": bank.client_id, "request_uri": request_uri}
    answer = client.get("/oauth/authorize", params=query, follow_redirects=False)
    assert answer.json()["error"] == "invalid_request_uri"


def test_purge_forgets_what_has_expired(fresh_database_url: str, monkeypatch: Any) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=1)
    past = datetime.now(UTC) - timedelta(hours=2)
    future = datetime.now(UTC) + timedelta(minutes=1)
    try:
        with create_session_factory(engine)() as session:
            use_jtis(session, [("ns", "old", past), ("ns", "new", future)])
            session.commit()
        monkeypatch.setenv("SAMTYKKE_DATABASE_URL", fresh_database_url)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli, ["oauth", "purge"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        assert "used_jtis=1" in result.output
        with create_session_factory(engine)() as session:
            assert use_jtis(session, [("ns", "new", future)]) == {("ns", "new")}
            assert use_jtis(session, [("ns", "old", future)]) == set()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"from": "urn:altinn:person:identifier-no:123"}, "'from'"),
        ({"from": PERSON}, "'from'"),
        ({"oneTime": "yes"}, "'oneTime'"),
        ({"colour": "blue"}, "colour"),
        # The consent rules themselves: the bank hears of these, not the citizen.
        ({"metadata": {"inntektsaar": "1999"}}, "invalid-metadata"),
        ({"metadata": {}}, "missing-metadata"),
        ({"validTo": "2020-01-01T00:00:00+00:00"}, "time-not-in-future"),
        ({"validTo": "next week"}, "'validTo'"),
    ],
)
def test_bad_consent_requests_are_refused_at_par(
    client: TestClient, engine: Engine, change: dict[str, str], fragment: str
) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    details = json.dumps([{**REQUESTED[0], **change}])
    answer = _push(client, bank, generate_token(48), authorization_details=details)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_authorization_details"
    assert fragment in answer.json()["error_description"]


def test_a_consent_request_may_name_the_person_and_ask_once(
    client: TestClient, engine: Engine
) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    asked = {**REQUESTED[0], "from": f"urn:altinn:person:identifier-no:{PERSON}", "oneTime": True}
    answer = _push(client, bank, generate_token(48), authorization_details=json.dumps([asked]))
    assert answer.status_code == 201, answer.text


def test_two_dpop_headers_are_refused_at_par(client: TestClient, engine: Engine) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    par_url = ISSUER + "/oauth/par"
    proofs = [("DPoP", bank.proof(url=par_url)), ("DPoP", bank.proof(url=par_url))]
    answer = _push(client, bank, generate_token(48), headers=proofs)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_dpop_proof"
    assert "request_uri" not in answer.json()
    one = _push(client, bank, generate_token(48), headers=[("DPoP", bank.proof(url=par_url))])
    assert one.status_code == 201, one.text


@pytest.mark.parametrize(
    ("scope", "granted"),
    [("openid samtykke:data", True), ("openid profile samtykke:data", True), ("openid", False)],
)
def test_par_grants_the_data_scope_and_leaves_the_rest_out(
    client: TestClient, engine: Engine, scope: str, granted: bool
) -> None:
    bank = register(engine, redirect_uris=[CALLBACK])
    answer = _push(client, bank, generate_token(48), scope=scope)
    if granted:
        assert answer.status_code == 201, answer.text
    else:
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_scope"
