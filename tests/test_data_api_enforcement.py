"""Every fetch is checked at request time against the database; every refusal is audited.

The gateway, the mock registries and the database run for real; the bank
speaks through samtykke_client, or by hand where a test needs a token or a
proof no honest client would send.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey
from samtykke_client import SamtykkeError
from samtykke_client.client import DATA_SCOPE, SamtykkeClient
from samtykke_client.errors import OAuthError
from samtykke_client.proofs import DPoPKey
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.clients.models import Client
from consent.consents.models import Consent
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import DATA_READ, consumer_claim
from tests.data_api_env import (
    INGRID,
    KARI,
    DataWorld,
    RegisteredBank,
    data_world,
    gateway_app,
)
from tests.oauth_helpers import ASSERTION_TYPE, Bank
from tests.servers import running_server

SUMMERT = "/data/v1/summertskattegrunnlag"


@pytest.fixture
def world(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DataWorld]:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        yield world


class HandMadeBank:
    """A bank that builds its own requests, to send what an honest client never would."""

    def __init__(self, world: DataWorld, bank: RegisteredBank | None = None) -> None:
        self.world = world
        self.bank = bank or world.bank
        self.dpop = DPoPKey()

    def token(self, consent_id: str, person: str = KARI) -> str:
        """A consent-bound token from the gateway's token endpoint."""
        with SamtykkeClient(
            self.world.gateway_url,
            client_id=self.bank.client_id,
            private_jwk=self.bank.key.as_dict(private=True),
            dpop_key=self.dpop,
        ) as client:
            return client.access_token(
                DATA_SCOPE, SamtykkeClient.consent_details(consent_id, person)
            )

    def minted_token(
        self, consent_id: str, *, person: str = KARI, bank: str | None = None, bound: bool = True
    ) -> str:
        """A validly signed token with claims the token endpoint would never have issued."""
        token, _ = issue_access_token(
            self.world.app.state.keys,
            issuer=self.world.gateway_url,
            client_id=self.bank.client_id,
            scopes=[DATA_READ],
            confirmation_jkt=self.dpop.thumbprint if bound else None,
            extra_claims={
                "consumer": consumer_claim(bank or self.bank.organisation_number),
                "authorization_details": SamtykkeClient.consent_details(consent_id, person),
            },
        )
        return token

    def get(
        self,
        path: str,
        token: str,
        *,
        base_url: str | None = None,
        proof_url: str | None = None,
        scheme: str = "DPoP",
        with_proof: bool = True,
        proofs: int = 1,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        # Proofs name the gateway's public URL (its issuer), whichever instance answers.
        url = f"{self.world.gateway_url}{path}"
        headers = [("Authorization", f"{scheme} {token}")]
        if with_proof:
            headers += [
                ("DPoP", self.dpop.proof("GET", proof_url or url, access_token=token))
                for _ in range(proofs)
            ]
        return httpx.get(
            f"{base_url or self.world.gateway_url}{path}", headers=headers, params=params
        )


def _refusal(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    assert "data" not in body
    return body


def _denied(world: DataWorld, consent_id: str, reason: str) -> AuditEntry:
    entries = [
        entry
        for entry in world.audit(consent_id, outcome="denied")
        if entry.details.get("reason") == reason
    ]
    assert entries, f"no denied audit entry with reason {reason}"
    return entries[-1]


def _denied_request(world: DataWorld, answer: httpx.Response, reason: str) -> AuditEntry:
    [entry] = world.audit(correlation_id=answer.headers["x-request-id"], outcome="denied")
    assert entry.details["reason"] == reason
    return entry


def test_revoked_between_two_calls(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    with world.client() as client:
        assert client.summert_skattegrunnlag(consent_id, KARI)["consentId"] == consent_id
        world.revoke(consent_id)
        with pytest.raises(SamtykkeError) as refused:
            client.summert_skattegrunnlag(consent_id, KARI)
    assert (refused.value.status, refused.value.code) == (403, "revoked")
    assert "data" not in refused.value.problem
    entry = _denied(world, consent_id, "revoked")
    assert entry.actor_id == world.bank.organisation_number
    assert entry.subject == KARI


@contextmanager
def _second_instance(
    world: DataWorld, database_url: str, key_dir: Path, **extra_settings: Any
) -> Iterator[str]:
    """Another gateway process on the same database and keys, behind the same public URL.

    It builds its own app, so every per-process cache (clients, keys) is its own.
    """
    settings = world.app.state.settings
    app = gateway_app(
        database_url,
        key_dir,
        gateway_url=world.gateway_url,
        skatteetaten_url=settings.skatteetaten_base_url,
        brreg_url=settings.brreg_base_url,
        idporten_url=world.idporten_url,
        lookup=world.lookup,
        **extra_settings,
    )
    with running_server(app) as url:
        yield url


def test_a_revocation_reaches_every_instance(
    world: DataWorld, database_url: str, tmp_path: Path
) -> None:
    consent_id = world.accepted_consent(KARI)
    bank = HandMadeBank(world)
    token = bank.token(consent_id)
    with _second_instance(world, database_url, tmp_path / "keys") as second:
        assert bank.get(SUMMERT, token).status_code == 200
        assert bank.get(SUMMERT, token, base_url=second).status_code == 200
        world.revoke(consent_id)
        _refusal(bank.get(SUMMERT, token, base_url=second), 403, "revoked")
        _refusal(bank.get(SUMMERT, token), 403, "revoked")
    assert len(world.audit(consent_id, outcome="denied")) == 2


ADMIN_TOKEN = "admin-token-of-this-test"


def test_disabling_a_bank_stops_it_in_every_process_at_once(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_dir = tmp_path / "keys"
    with data_world(database_url, engine, key_dir, monkeypatch, admin_token=ADMIN_TOKEN) as world:
        consent_id = world.accepted_consent(KARI)
        bank = HandMadeBank(world)
        token = bank.token(consent_id)  # the first process now knows (and caches) the bank
        with _second_instance(world, database_url, key_dir, admin_token=ADMIN_TOKEN) as second:
            assert bank.get(SUMMERT, token).status_code == 200
            disabled = httpx.post(
                f"{second}/admin/v1/clients/{world.bank.client_id}/disable",
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            assert disabled.status_code == 200, disabled.text
            refused = bank.get(SUMMERT, token)
            assert "disabled" in _refusal(refused, 401, "invalid-token")["detail"]
            _denied_request(world, refused, "invalid-token")
            _refusal(bank.get(SUMMERT, token, base_url=second), 401, "invalid-token")
            with pytest.raises(OAuthError) as no_token:
                bank.token(consent_id)
    assert no_token.value.code == "invalid_client"


def _revoke(world: DataWorld, base_url: str, token: str) -> httpx.Response:
    """The bank revokes its own token (RFC 7009), authenticating with private_key_jwt."""
    bank = Bank(world.bank.client_id, world.bank.key)
    return httpx.post(
        f"{base_url}/oauth/revoke",
        data={
            "token": token,
            "client_id": bank.client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": bank.assertion(aud=world.gateway_url),
        },
    )


def test_a_token_revoked_by_its_bank_stops_in_every_process_at_once(
    world: DataWorld, database_url: str, tmp_path: Path
) -> None:
    consent_id = world.accepted_consent(KARI)
    bank = HandMadeBank(world)
    token = bank.token(consent_id)
    with _second_instance(world, database_url, tmp_path / "keys") as second:
        assert bank.get(SUMMERT, token).status_code == 200
        assert bank.get(SUMMERT, token, base_url=second).status_code == 200
        assert _revoke(world, second, token).status_code == 200
        refused = bank.get(SUMMERT, token)
        assert "revoked" in _refusal(refused, 401, "invalid-token")["detail"]
        _denied_request(world, refused, "invalid-token")
        _refusal(bank.get(SUMMERT, token, base_url=second), 401, "invalid-token")
        assert bank.get(SUMMERT, bank.token(consent_id), base_url=second).status_code == 200


def test_replaced_client_keys_count_at_the_next_token_request(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    HandMadeBank(world).token(consent_id)  # the gateway now knows (and caches) the old key
    new_key = ECKey.generate_key("P-256", private=True)
    new_key.ensure_kid()
    with Session(world.engine) as session:  # as an operator replacing the bank's keys would
        session.execute(
            update(Client)
            .where(Client.client_id == world.bank.client_id)
            .values(jwks={"keys": [new_key.as_dict(private=False)]})
        )
        session.commit()
    with pytest.raises(OAuthError) as old_key_refused:
        HandMadeBank(world).token(consent_id)
    assert old_key_refused.value.code == "invalid_client"
    rotated = RegisteredBank(
        world.bank.client_id, world.bank.organisation_number, new_key, world.bank.redirect_url
    )
    assert HandMadeBank(world, rotated).token(consent_id)


def test_an_expired_consent(world: DataWorld, engine: Engine) -> None:
    consent_id = world.accepted_consent(KARI)
    with Session(engine) as session:
        # The sweeper has not reached it yet: the status still says accepted.
        session.execute(
            update(Consent)
            .where(Consent.id == consent_id)
            .values(valid_to=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    bank = HandMadeBank(world)
    _refusal(bank.get(SUMMERT, bank.minted_token(consent_id)), 403, "expired")
    _denied(world, consent_id, "expired")


def test_a_one_time_consent_used_twice(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI, one_time=True)
    with world.client() as client:
        client.inntekt(consent_id, KARI)
        with pytest.raises(SamtykkeError) as refused:
            client.inntekt(consent_id, KARI)
    assert (refused.value.status, refused.value.code) == (403, "used")
    _denied(world, consent_id, "used")


def test_another_banks_token(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    other = world.register_bank()
    with world.client(other) as client, pytest.raises(OAuthError):
        client.summert_skattegrunnlag(consent_id, KARI)  # the token endpoint says no
    thief = HandMadeBank(world, other)
    _refusal(thief.get(SUMMERT, thief.minted_token(consent_id)), 403, "party-mismatch")
    assert _denied(world, consent_id, "party-mismatch").actor_id == other.organisation_number


def test_another_persons_consent(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    with world.client() as client, pytest.raises(OAuthError):
        client.summert_skattegrunnlag(consent_id, INGRID)
    bank = HandMadeBank(world)
    answer = bank.get(SUMMERT, bank.minted_token(consent_id, person=INGRID))
    body = _refusal(answer, 403, "party-mismatch")
    assert INGRID not in answer.text, body
    assert KARI not in answer.text, body
    _denied(world, consent_id, "party-mismatch")


def test_another_year_or_more_months(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    bank = HandMadeBank(world)
    token = bank.minted_token(consent_id)
    year = bank.get(SUMMERT, token, params={"inntektsaar": "2024"})
    year_code = year.json().get("code")
    assert (year.status_code, year_code) == (403, "metadata-not-covered"), year.text
    months = bank.get(
        "/data/v1/inntekt", token, params={"fraogmed": "2024-12", "tilogmed": "2025-12"}
    )
    _refusal(months, 403, "metadata-not-covered")
    _denied(world, consent_id, year_code)
    _denied(world, consent_id, "metadata-not-covered")


def test_a_token_without_dpop(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    bank = HandMadeBank(world)
    bound = bank.token(consent_id)
    as_bearer = bank.get(SUMMERT, bound, scheme="Bearer", with_proof=False)
    _refusal(as_bearer, 401, "invalid-token")
    _denied_request(world, as_bearer, "invalid-token")
    no_proof = bank.get(SUMMERT, bound, with_proof=False)
    _refusal(no_proof, 401, "invalid-dpop-proof")
    _denied_request(world, no_proof, "invalid-dpop-proof")
    unbound = bank.get(SUMMERT, bank.minted_token(consent_id, bound=False), scheme="Bearer")
    assert unbound.status_code == 401, unbound.text
    _denied_request(world, unbound, unbound.json()["code"])


def test_two_dpop_headers_are_refused(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    bank = HandMadeBank(world)
    token = bank.token(consent_id)
    answer = bank.get(SUMMERT, token, proofs=2)
    _refusal(answer, 401, "invalid-dpop-proof")
    assert "exactly one DPoP header" in answer.json()["detail"]
    _denied_request(world, answer, "invalid-dpop-proof")
    assert bank.get(SUMMERT, token).status_code == 200


def test_a_proof_for_another_url(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    bank = HandMadeBank(world)
    token = bank.token(consent_id)
    answer = bank.get(SUMMERT, token, proof_url=f"{world.gateway_url}/data/v1/inntekt")
    _refusal(answer, 401, "invalid-dpop-proof")
    assert "htu" in answer.json()["detail"]
    entry = _denied_request(world, answer, "invalid-dpop-proof")
    assert entry.details["route"] == SUMMERT


def test_a_bank_over_its_quota_waits(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with data_world(
        database_url, engine, tmp_path / "keys", monkeypatch, bank_requests_per_minute=2
    ) as world:
        consent_id = world.accepted_consent(KARI)
        with world.client() as client:
            client.rettsstiftelser(consent_id, KARI)
            client.rettsstiftelser(consent_id, KARI)
            with pytest.raises(SamtykkeError) as refused:
                client.rettsstiftelser(consent_id, KARI)
    assert (refused.value.status, refused.value.code) == (429, "rate-limited")
    assert refused.value.retry_after is not None
    assert 1 <= refused.value.retry_after <= 60
