"""A DPoP proof is accepted once on the data API, whatever became of the request it came with.

Its jti is recorded in the request's own transaction, so these check that
every outcome commits it: an answer, a refusal by the consent check and a
refusal by the bank's quota.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from samtykke_client.proofs import DPoPKey
from sqlalchemy import Engine, delete

from consent.quotas.models import QuotaWindow
from tests.data_api_env import KARI, DataWorld, data_world
from tests.test_data_api_enforcement import HandMadeBank

SUMMERT = "/data/v1/summertskattegrunnlag"


def _signed_request(world: DataWorld, bank: HandMadeBank, token: str) -> dict[str, str]:
    """The headers of one request, to be sent more than once."""
    url = f"{world.gateway_url}{SUMMERT}"
    return {
        "Authorization": f"DPoP {token}",
        "DPoP": bank.dpop.proof("GET", url, access_token=token),
    }


def _send(world: DataWorld, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{world.gateway_url}{SUMMERT}", headers=headers)


def _code(answer: httpx.Response) -> str:
    return str(answer.json()["code"])


def test_an_answered_proof_is_refused_the_second_time(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        bank = HandMadeBank(world)
        headers = _signed_request(world, bank, bank.token(world.accepted_consent(KARI)))
        assert _send(world, headers).status_code == 200
        replayed = _send(world, headers)
    assert (replayed.status_code, _code(replayed)) == (401, "invalid-dpop-proof")
    assert "used before" in replayed.json()["detail"]


def test_a_proof_refused_by_the_consent_check_is_spent(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        bank = HandMadeBank(world)
        headers = _signed_request(world, bank, bank.minted_token("no-such-consent"))
        first = _send(world, headers)
        replayed = _send(world, headers)
    assert (first.status_code, _code(first)) == (403, "consent-not-found")
    assert (replayed.status_code, _code(replayed)) == (401, "invalid-dpop-proof")


def test_a_proof_refused_by_the_quota_is_spent(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with data_world(
        database_url, engine, tmp_path / "keys", monkeypatch, bank_requests_per_minute=1
    ) as world:
        bank = HandMadeBank(world)
        token = bank.token(world.accepted_consent(KARI))
        assert _send(world, _signed_request(world, bank, token)).status_code == 200
        headers = _signed_request(world, bank, token)
        over_quota = _send(world, headers)
        with engine.begin() as connection:  # a new window: the quota would allow it again
            connection.execute(delete(QuotaWindow))
        replayed = _send(world, headers)
        [audited] = world.audit(correlation_id=over_quota.headers["x-request-id"])
    assert (over_quota.status_code, _code(over_quota)) == (429, "rate-limited")
    assert (audited.outcome, audited.actor_id) == ("denied", world.bank.organisation_number)
    assert audited.details["reason"] == "rate-limited"
    assert (replayed.status_code, _code(replayed)) == (401, "invalid-dpop-proof")


def test_a_fresh_proof_after_a_refusal_is_answered(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        bank = HandMadeBank(world)
        token = bank.token(world.accepted_consent(KARI))
        stranger = DPoPKey()  # signs with a key other than the token's cnf.jkt
        url = f"{world.gateway_url}{SUMMERT}"
        foreign = {
            "Authorization": f"DPoP {token}",
            "DPoP": stranger.proof("GET", url, access_token=token),
        }
        refused = _send(world, foreign)
        answered = _send(world, _signed_request(world, bank, token))
    assert (refused.status_code, _code(refused)) == (401, "invalid-dpop-proof")
    assert answered.status_code == 200, answered.text
