"""The agriculture and aquaculture connectors against scripted answers (respx)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import respx

from connectors.errors import (
    CredentialsRejected,
    MalformedResponse,
    NoDataForPeriod,
    OrganisationNotFound,
    RegistryError,
    RequestRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from connectors.landbruk import LandbrukClient
from tests.test_connectors_unit import FakeTime, _http

LDIR = "http://landbruk.test"
ORGNR = "974760673"
SOKNADER = f"{LDIR}/produksjonstilskudd/api/v1/foretak/{ORGNR}/soknader"
SOKNAD = {
    "organisasjonsnummer": ORGNR, "foretaksnavn": "GARD", "soknadsaar": 2025,
    "telledato": "2025-10-01", "soknadsfrist": "2025-10-15", "status": "UTBETALT",
    "arealer": [{"vekstkode": "ENG", "vekst": "Fulldyrket eng", "dekar": 120},
                {"vekstkode": "BYGG", "dekar": 30}],
    "dyr": [{"dyrekode": "MELKEKYR", "antall": 20}],
    "vedtak": {"vedtaksdato": "2026-02-10", "innvilgetBelop": 100000, "utbetaltBelop": 100000},
    "nyttFelt": "registries add fields without notice",
}  # fmt: skip


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def landbruk(fake_time: FakeTime) -> Iterator[LandbrukClient]:
    client = LandbrukClient(LDIR, lambda s: s, http=_http("landbruksdirektoratet", LDIR, fake_time))
    yield client
    client.close()


def _error(status: int, kode: str) -> httpx.Response:
    return httpx.Response(status, json={"kode": kode, "melding": "...", "korrelasjonsid": "k"})


def test_soknad_parses_and_sends_the_subsidy_scope(
    mock: respx.MockRouter, landbruk: LandbrukClient
) -> None:
    route = mock.get(f"{SOKNADER}/2025-10-01").mock(return_value=httpx.Response(200, json=SOKNAD))
    soknad = landbruk.soknad(ORGNR, date(2025, 10, 1))
    assert soknad.dekar_totalt == 150
    assert soknad.decided
    assert soknad.vedtak is not None
    assert soknad.vedtak.avkorting_belop == 0
    assert route.calls.last.request.headers["Authorization"] == (
        "Bearer token-for-landbruksdirektoratet:produksjonstilskudd"
    )


def test_siste_soknader_fetches_the_newest_rounds(
    mock: respx.MockRouter, landbruk: LandbrukClient
) -> None:
    rounds = [{"soknadsaar": 2025, "telledato": d, "status": "UTBETALT"}
              for d in ("2025-03-01", "2025-10-01", "2024-10-01")]  # fmt: skip
    mock.get(SOKNADER).mock(
        return_value=httpx.Response(200, json={"organisasjonsnummer": ORGNR, "soknader": rounds})
    )
    october = mock.get(f"{SOKNADER}/2025-10-01").mock(return_value=httpx.Response(200, json=SOKNAD))
    march = mock.get(f"{SOKNADER}/2025-03-01").mock(
        return_value=httpx.Response(200, json={**SOKNAD, "telledato": "2025-03-01"})
    )
    newest = landbruk.siste_soknader(ORGNR, 2)
    assert [s.telledato for s in newest] == [date(2025, 10, 1), date(2025, 3, 1)]
    assert october.call_count == march.call_count == 1


@pytest.mark.parametrize(
    ("status", "kode", "expected"),
    [(404, "PT-007", OrganisationNotFound), (404, "PT-008", NoDataForPeriod),
     (400, "PT-006", RequestRejected), (404, "PT-003", RequestRejected),
     (401, "PT-004", CredentialsRejected), (403, "PT-005", CredentialsRejected),
     (418, "PT-999", MalformedResponse), (500, "PT-002", UpstreamUnavailable)],
)  # fmt: skip
def test_every_subsidy_error_code(
    mock: respx.MockRouter,
    landbruk: LandbrukClient,
    status: int,
    kode: str,
    expected: type[RegistryError],
) -> None:
    mock.get(f"{SOKNADER}/2025-10-01").mock(return_value=_error(status, kode))
    with pytest.raises(expected) as raised:
        landbruk.soknad(ORGNR, date(2025, 10, 1))
    assert raised.value.code == kode
    assert raised.value.correlation_id == "k"


def test_a_date_that_is_not_a_counting_date_is_refused_without_a_call(
    mock: respx.MockRouter, landbruk: LandbrukClient
) -> None:
    route = mock.get(url__regex=r".*").mock(return_value=httpx.Response(200, json=SOKNAD))
    with pytest.raises(RequestRejected):
        landbruk.soknad(ORGNR, date(2025, 10, 2))
    with pytest.raises(RequestRejected):
        landbruk.soknader("974760674")
    assert route.call_count == 0


def test_a_subsidy_answer_missing_fields_is_malformed(
    mock: respx.MockRouter, landbruk: LandbrukClient
) -> None:
    mock.get(f"{SOKNADER}/2025-10-01").mock(
        return_value=httpx.Response(200, json={"organisasjonsnummer": ORGNR})
    )
    with pytest.raises(MalformedResponse, match="telledato"):
        landbruk.soknad(ORGNR, date(2025, 10, 1))


def test_subsidy_timeouts_are_retried_then_reported(
    mock: respx.MockRouter, landbruk: LandbrukClient, fake_time: FakeTime
) -> None:
    route = mock.get(SOKNADER).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(UpstreamTimeout):
        landbruk.soknader(ORGNR)
    assert route.call_count == 3
    assert len(fake_time.sleeps) == 2
