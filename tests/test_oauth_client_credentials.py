"""The token endpoint: private_key_jwt client authentication, DPoP binding, metadata and keys."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jws, jwt
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from consent.clients import repository
from consent.clients.models import Client
from consent.storage.database import create_session_factory
from gateway.app import create_app
from gateway.clients import service
from gateway.clients.schemas import ClientRegistration
from gateway.keys import KeyPurpose, KeyStore
from gateway.oauth.clients import OAuthClient
from gateway.oauth.keys import ClientKeys
from gateway.security.access_tokens import verify_access_token
from tests.oauth_helpers import (
    BANK_ORG,
    ISSUER,
    ORGANISATIONS,
    TOKEN_URL,
    Bank,
    hand_made_jwt,
    new_key,
    public_jwks,
    register,
)
from tests.servers import running_server


def _token(client: TestClient, form: dict[str, str], proof: str | None = None) -> Any:
    headers = {"DPoP": proof} if proof else {}
    return client.post("/oauth/token", data=form, headers=headers)


@pytest.mark.parametrize("algorithm", ["ES256", "PS256", "EdDSA"])
def test_a_bank_gets_a_dpop_bound_token(
    client: TestClient, app: FastAPI, engine: Engine, algorithm: str
) -> None:
    bank = register(engine, algorithm=algorithm)
    answer = _token(client, bank.token_form(scope="samtykke:consentrequests"), bank.proof())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "DPoP"
    assert body["expires_in"] == 120
    assert answer.headers["cache-control"] == "no-store"
    token = verify_access_token(app.state.keys, body["access_token"], issuer=ISSUER)
    assert token.confirmation_jkt == bank.jkt
    assert token.scopes == {"samtykke:consentrequests"}
    assert token.claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": "0192:984851006"}
    assert token.expires_at - token.issued_at == 120


def test_without_a_proof_the_token_is_a_bearer_token(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    body = _token(client, bank.token_form(scope="samtykke:consentrequests")).json()
    assert body["token_type"] == "Bearer"


def test_data_scope_and_foreign_scopes_are_refused(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    data = _token(client, bank.token_form(scope="samtykke:data"), bank.proof())
    assert data.json()["error"] == "invalid_scope"
    foreign = _token(client, bank.token_form(scope="audit:read"), bank.proof())
    assert foreign.json()["error"] == "invalid_scope"
    assert "audit:read" in foreign.json()["error_description"]


def _refused(client: TestClient, bank: Bank, assertion: str) -> str:
    form = bank.token_form(scope="samtykke:consentrequests", client_assertion=assertion)
    answer = _token(client, form)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "invalid_client"
    description: str = answer.json()["error_description"]
    return description


def test_forged_and_malformed_assertions_are_refused(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    now = int(time.time())
    claims = {"iss": bank.client_id, "sub": bank.client_id, "aud": ISSUER, "iat": now}
    claims |= {"exp": now + 60, "jti": "x1"}
    unsigned = hand_made_jwt({"alg": "none"}, claims, None)
    assert "one of ES256" in _refused(client, bank, unsigned)
    # HS256 with the public key as the secret: the classic algorithm confusion.
    public_pem = bank.key.as_pem(private=False)
    confused = hand_made_jwt({"alg": "HS256", "kid": str(bank.key.kid)}, claims, public_pem)
    assert "one of ES256" in _refused(client, bank, confused)
    stranger = new_key()
    forged = jwt.encode({"alg": "ES256", "kid": str(bank.key.kid)}, claims, stranger)
    assert "signature" in _refused(client, bank, forged)
    assert "not a" in _refused(client, bank, "garbage")


def test_assertion_claims_are_checked(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    now = int(time.time())
    assert "expired" in _refused(client, bank, bank.assertion(iat=now - 100, exp=now - 1))
    assert "future" in _refused(client, bank, bank.assertion(iat=now + 30, exp=now + 90))
    assert "at most 120" in _refused(client, bank, bank.assertion(exp=now + 300))
    assert "aud" in _refused(client, bank, bank.assertion(aud=TOKEN_URL))
    assert "aud" in _refused(client, bank, bank.assertion(aud="https://elsewhere"))
    assert "jti" in _refused(client, bank, bank.assertion(jti=None))
    assert "sub" in _refused(client, bank, bank.assertion(sub="someone-else"))
    # iat within the 10 s tolerance is fine
    ok = bank.token_form(
        scope="samtykke:consentrequests", client_assertion=bank.assertion(iat=now + 5)
    )
    assert _token(client, ok).status_code == 200


def test_unknown_and_disabled_clients_are_refused(
    client: TestClient, engine: Engine, settings: Any
) -> None:
    bank = register(engine)
    unknown = Bank("no-such-client", bank.key)
    assert "No active client" in _refused(client, unknown, unknown.assertion())
    assert _token(client, {"grant_type": "client_credentials"}).json()["error"] == "invalid_client"


def test_a_reused_jti_is_refused_by_every_gateway_process(
    client: TestClient, engine: Engine, settings: Any
) -> None:
    bank = register(engine)
    assertion = bank.assertion()
    form = bank.token_form(scope="samtykke:consentrequests", client_assertion=assertion)
    assert _token(client, form).status_code == 200
    assert "used before" in _refused(client, bank, assertion)
    # A second gateway on the same database remembers it too.
    with TestClient(create_app(settings)) as other:
        answer = _token(other, form)
    assert answer.status_code == 401
    assert "used before" in answer.json()["error_description"]


def test_key_rotation_by_kid(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    newer = new_key()
    with create_session_factory(engine)() as session:
        record = repository.get(session, bank.client_id)
        assert record is not None
        record.jwks = public_jwks(newer, bank.key)
        session.commit()
    rotated = Bank(bank.client_id, newer)
    for signer in (bank, rotated):
        form = signer.token_form(scope="samtykke:consentrequests")
        assert _token(client, form).status_code == 200


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"htm": "GET"}, "htm"),
        ({"htu": ISSUER + "/other"}, "htu"),
        # iat as an offset from now: a time taken at collection goes stale in a long run.
        ({"iat_offset": -600}, "older"),
        ({"iat_offset": 600}, "future"),
        ({"jti": None}, "jti"),
    ],
)
def test_bad_dpop_proofs_are_refused(
    client: TestClient, engine: Engine, change: dict[str, Any], fragment: str
) -> None:
    bank = register(engine)
    if "iat_offset" in change:
        change = {"iat": int(time.time()) + change["iat_offset"]}
    proof = bank.proof(**{k: v for k, v in change.items() if v is not None})
    if change.get("jti", "") is None:
        proof = bank.proof(jti=1)
    answer = _token(client, bank.token_form(scope="samtykke:consentrequests"), proof)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_dpop_proof"
    assert fragment in answer.json()["error_description"]


def test_dpop_proof_header_checks(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    claims = b'{"htm":"POST","htu":"%s","iat":%d,"jti":"j"}' % (
        TOKEN_URL.encode(),
        int(time.time()),
    )
    key = bank.dpop_key
    cases = {
        "typ": {"typ": "JWT", "alg": "ES256", "jwk": key.as_dict(private=False)},
        "private key": {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=True)},
        "jwk": {"typ": "dpop+jwt", "alg": "ES256"},
        "signature": {"typ": "dpop+jwt", "alg": "ES256", "jwk": new_key().as_dict(private=False)},
    }
    for fragment, header in cases.items():
        proof = jws.serialize_compact(header, claims, key)
        answer = _token(client, bank.token_form(scope="samtykke:consentrequests"), proof)
        assert answer.json()["error"] == "invalid_dpop_proof", fragment
        assert fragment in answer.json()["error_description"], answer.json()


def test_a_replayed_proof_is_refused(client: TestClient, engine: Engine) -> None:
    bank = register(engine)
    proof = bank.proof()
    assert (
        _token(client, bank.token_form(scope="samtykke:consentrequests"), proof).status_code == 200
    )
    again = _token(client, bank.token_form(scope="samtykke:consentrequests"), proof)
    assert again.json()["error"] == "invalid_dpop_proof"
    assert "used before" in again.json()["error_description"]


def test_metadata_tells_the_truth(client: TestClient, app: FastAPI) -> None:
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == ISSUER
    assert metadata["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert metadata["dpop_signing_alg_values_supported"] == ["ES256", "PS256", "EdDSA"]
    for name in ("token", "introspection", "revocation"):
        path = metadata[f"{name}_endpoint"].removeprefix(ISSUER)
        assert client.post(path).status_code != 404, name
    keys: KeyStore = app.state.keys
    jwks = client.get(metadata["jwks_uri"].removeprefix(ISSUER)).json()
    assert jwks == keys.public_jwks(KeyPurpose.ACCESS_TOKEN)
    assert all("d" not in key for key in jwks["keys"])


def test_a_rotation_by_another_process_is_picked_up_without_restart(
    client: TestClient, app: FastAPI, engine: Engine, settings: Any
) -> None:
    bank = register(engine)
    first = _token(client, bank.token_form(scope="samtykke:consentrequests")).json()
    new_kid = KeyStore(settings.key_dir).rotate(KeyPurpose.ACCESS_TOKEN)  # e.g. the CLI
    second = _token(client, bank.token_form(scope="samtykke:consentrequests")).json()
    assert jws.extract_compact(second["access_token"].encode()).headers()["kid"] == new_kid
    published = {key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]}
    assert new_kid in published
    for token in (first, second):
        verify_access_token(app.state.keys, token["access_token"], issuer=ISSUER)


def test_keys_published_at_a_jwks_uri_are_fetched_and_refetched_on_a_new_kid(
    client: TestClient, app: FastAPI, engine: Engine
) -> None:
    app.state.client_keys = ClientKeys(min_refresh_seconds=0)
    published: dict[str, Any] = {"keys": []}
    jwks_app = Starlette(routes=[Route("/jwks", lambda request: JSONResponse(published))])
    first, second = new_key(), new_key()
    published["keys"] = public_jwks(first)["keys"]
    with running_server(jwks_app) as jwks_base:
        with create_session_factory(engine)() as session:
            record = service.register(
                session,
                ORGANISATIONS,
                ClientRegistration(
                    organisation_number=BANK_ORG, name="Uri Bank", jwks_uri=jwks_base + "/jwks"
                ),
                registered_by="tests",
                allow_loopback_http=True,
            )
            session.commit()
        bank = Bank(record.client_id, first)
        assert _token(client, bank.token_form(scope="samtykke:consentrequests")).status_code == 200
        # The bank rotates: its new key is found by fetching the jwks_uri again.
        published["keys"] = public_jwks(second, first)["keys"]
        rotated = Bank(record.client_id, second)
        form = rotated.token_form(scope="samtykke:consentrequests")
        assert _token(client, form).status_code == 200, "new kid triggers a refetch"
    stranger = Bank(record.client_id, new_key())
    assert "signature" in _refused(client, stranger, stranger.assertion())


def test_refetching_a_jwks_uri_is_rate_limited() -> None:
    fetched: list[str] = []
    jwks = public_jwks(new_key())

    def fetch(uri: str) -> dict[str, Any]:
        fetched.append(uri)
        return jwks

    record = Client(client_id="c", jwks=None, jwks_uri="https://bank.example/jwks")
    keys = ClientKeys(fetch)
    for refresh in (False, False, True, True):
        assert len(keys.of(OAuthClient(record), refresh).keys) == 1
    assert len(fetched) == 1, "forged kids must not make us fetch again within 10 s"
    eager = ClientKeys(fetch, min_refresh_seconds=0)
    eager.of(OAuthClient(record))
    eager.of(OAuthClient(record), True)
    assert len(fetched) == 3


def test_a_disabled_client_is_refused_at_its_next_request(
    client: TestClient, engine: Engine
) -> None:
    bank = register(engine)
    assert _token(client, bank.token_form(scope="samtykke:consentrequests")).status_code == 200
    with create_session_factory(engine)() as session:
        service.disable(session, bank.client_id, disabled_by="tests")
        session.commit()
    assert "No active client" in _refused(client, bank, bank.assertion())


@pytest.mark.parametrize("joined", [False, True], ids=["two headers", "one joined header"])
def test_two_dpop_headers_are_refused_at_the_token_endpoint(
    client: TestClient, engine: Engine, joined: bool
) -> None:
    # RFC 9449 §4.3: more than one DPoP header is refused, whichever the server would read.
    bank = register(engine)
    first, second = bank.proof(), bank.proof()
    headers = [("DPoP", f"{first}, {second}")] if joined else [("DPoP", first), ("DPoP", second)]
    answer = client.post(
        "/oauth/token", data=bank.token_form(scope="samtykke:consentrequests"), headers=headers
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_dpop_proof"
    assert "exactly one DPoP header" in answer.json()["error_description"]
