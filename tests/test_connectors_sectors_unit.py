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
from connectors.fiskeri import FiskeriClient
from connectors.landbruk import LandbrukClient
from tests.test_connectors_unit import FakeTime, _http

LDIR = "http://landbruk.test"
AQUA = "http://fiskeri.test"
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


@pytest.fixture
def fiskeri(fake_time: FakeTime) -> Iterator[FiskeriClient]:
    client = FiskeriClient(AQUA, lambda s: s, http=_http("fiskeridirektoratet", AQUA, fake_time))
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


def _licence(number: int) -> dict[str, object]:
    return {"licenseNr": f"H-T-{number:04d}", "openLegalEntityNr": ORGNR,
            "capacity": {"current": 780, "unit": "TN", "type": "MTB"}}  # fmt: skip


def test_licences_are_read_page_by_page_with_the_range_header_and_no_token(
    mock: respx.MockRouter, fiskeri: FiskeriClient
) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        first, last = (int(n) for n in request.headers["range"].split("-"))
        assert last - first + 1 == 100
        return httpx.Response(200, json=[_licence(n) for n in range(first, min(last + 1, 130))])

    route = mock.get(f"{AQUA}/pub-aqua/api/v1/licenses", params={"legal-entity-nr": ORGNR}).mock(
        side_effect=page
    )
    licences = fiskeri.licenses(ORGNR)
    assert len(licences) == 130
    assert licences[129].license_nr == "H-T-0129"
    assert [c.request.headers["range"] for c in route.calls] == ["0-99", "100-199"]
    assert all("Authorization" not in c.request.headers for c in route.calls)


def test_biomass_sends_the_scope_and_months(mock: respx.MockRouter, fiskeri: FiskeriClient) -> None:
    month = {"maaned": "2025-01", "beholdningAntall": 10, "beholdningKg": 40, "utsattAntall": 0,
             "slaktetAntall": 0, "slaktetKg": 0, "dodfiskAntall": 1}  # fmt: skip
    body = {"organisasjonsnummer": ORGNR, "fraOgMed": "2025-01", "tilOgMed": "2025-02",
            "lokaliteter": [{"lokalitetsnummer": 1, "maaneder": [month]}]}  # fmt: skip
    route = mock.get(f"{AQUA}/akvakultur/api/v1/foretak/{ORGNR}/biomasse").mock(
        return_value=httpx.Response(200, json=body)
    )
    biomasse = fiskeri.biomasse(ORGNR, date(2025, 1, 1), date(2025, 2, 28))
    assert biomasse.beholdning_kg("2025-01") == 40
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer token-for-fiskeridirektoratet:biomasse"
    assert request.url.params["fraOgMed"] == "2025-01"
    assert request.url.params["tilOgMed"] == "2025-02"


@pytest.mark.parametrize(
    ("status", "kode", "expected"),
    [(404, "BIO-007", OrganisationNotFound), (404, "BIO-008", NoDataForPeriod),
     (400, "BIO-006", RequestRejected), (401, "BIO-004", CredentialsRejected),
     (403, "BIO-005", CredentialsRejected), (503, "BIO-002", UpstreamUnavailable)],
)  # fmt: skip
def test_every_biomass_error_code(
    mock: respx.MockRouter,
    fiskeri: FiskeriClient,
    status: int,
    kode: str,
    expected: type[RegistryError],
) -> None:
    mock.get(f"{AQUA}/akvakultur/api/v1/foretak/{ORGNR}/biomasse").mock(
        return_value=_error(status, kode)
    )
    with pytest.raises(expected) as raised:
        fiskeri.biomasse(ORGNR, date(2025, 1, 1), date(2025, 2, 1))
    assert raised.value.code == kode


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(httpx.Response(404, json={"status": 404}), RequestRejected),
     (httpx.Response(400, json={"status": 400}), RequestRejected),
     (httpx.Response(200, json={"not": "a list"}), MalformedResponse),
     (httpx.Response(200, json=[{"journalDate": "the day before"}]), MalformedResponse),
     (httpx.Response(200, text="<html>", headers={"Content-Type": "text/html"}),
      MalformedResponse)],
)  # fmt: skip
def test_register_errors_and_malformed_lists(
    mock: respx.MockRouter,
    fiskeri: FiskeriClient,
    answer: httpx.Response,
    expected: type[RegistryError],
) -> None:
    mock.get(f"{AQUA}/pub-aqua/api/v1/licenses/H-T-0001/liens").mock(return_value=answer)
    with pytest.raises(expected):
        fiskeri.liens("H-T-0001")


def test_a_list_that_never_ends_is_malformed(
    mock: respx.MockRouter, fiskeri: FiskeriClient
) -> None:
    route = mock.get(f"{AQUA}/pub-aqua/api/v1/licenses/H-T-0001/transfers").mock(
        return_value=httpx.Response(200, json=[{"identityNr": "1"}] * 100)
    )
    with pytest.raises(MalformedResponse, match="did not end"):
        fiskeri.transfers("H-T-0001")
    assert route.call_count == 50
