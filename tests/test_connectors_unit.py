"""Connector behaviour against scripted registry answers (respx): every failure mode."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import respx

from connectors.brreg import BrregClient
from connectors.errors import (
    CircuitOpen,
    CredentialsRejected,
    MalformedResponse,
    NoDataForPeriod,
    OrganisationNotFound,
    OrganisationRemoved,
    PersonNotFound,
    RegistryError,
    RequestRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from connectors.http import RegistryHttp
from connectors.resilience import CircuitState, ResilienceSettings
from connectors.skatteetaten import SkatteetatenClient

BASE = "http://skatteetaten.test"
BREG = "http://brreg.test"
FNR = "21818297804"
ORGNR = "974760673"
SSG_PATH = f"/api/formueinntekt/summertskattegrunnlag/oppgjoer/sbl/2024/{FNR}"
LATEST_PATH = f"/api/formueinntekt/summertskattegrunnlag/sbl/sistetilgjengeligeperiode/{FNR}"
INNTEKT_PATH = f"/api/innrapportert/inntektsmottaker/sbl/{FNR}/oppgave/inntekt"

GRUNNLAG = {
    "personidentifikator": FNR,
    "inntektsaar": 2024,
    "stadie": "oppgjoer",
    "skjermet": False,
    "skatteoppgjoersdato": "2025-06-20",
    "ajourholdstidspunkt": "2025-06-20T10:00:00+02:00",
    "grunnlag": [
        {"tekniskNavn": "samletGjeld", "beloep": 2_100_000, "kategori": "formuesfradrag"},
        {"tekniskNavn": "bruttoformue", "beloep": 4_000_000, "kategori": "formue"},
    ],
}


class FakeTime:
    """A clock that only moves when the code under test sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


SETTINGS = ResilienceSettings(
    max_attempts=3, backoff_base=0.1, backoff_max=1.0, deadline=10.0,
    failure_threshold=3, reset_after=30.0,
)  # fmt: skip


def _http(registry: str, base: str, fake_time: FakeTime, settings: ResilienceSettings = SETTINGS
          ) -> RegistryHttp:  # fmt: skip
    return RegistryHttp(
        registry,
        base,
        token_provider=lambda scope: f"token-for-{scope}",
        settings=settings,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rand=lambda: 0.5,
    )


@pytest.fixture
def skatteetaten(fake_time: FakeTime) -> Iterator[SkatteetatenClient]:
    client = SkatteetatenClient(BASE, lambda s: s, http=_http("skatteetaten", BASE, fake_time))
    yield client
    client.close()


@pytest.fixture
def brreg(fake_time: FakeTime) -> Iterator[BrregClient]:
    client = BrregClient(BREG, lambda s: s, http=_http("brreg", BREG, fake_time))
    yield client
    client.close()


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def _error(status: int, kode: str) -> httpx.Response:
    return httpx.Response(status, json={"kode": kode, "melding": "...", "korrelasjonsid": "c0ffee"})


def test_summert_skattegrunnlag_is_a_validated_model_and_sends_the_scoped_token(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(return_value=httpx.Response(200, json=GRUNNLAG))
    result = skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert result.inntektsaar == 2024
    assert result.beloep("samletGjeld") == 2_100_000
    assert result.beloep("innskudd") is None
    assert result.skatteoppgjoersdato == date(2025, 6, 20)
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer token-for-skatteetaten:summertskattegrunnlag"
    assert FNR not in repr(result)


@pytest.mark.parametrize(
    ("status", "kode", "expected"),
    [
        (401, "SSG-004", CredentialsRejected),
        (403, "SSG-005", CredentialsRejected),
        (403, "SSG-010", CredentialsRejected),
        (400, "SSG-006", RequestRejected),
        (404, "SSG-003", RequestRejected),
        (406, "SSG-009", RequestRejected),
        (404, "SSG-007", PersonNotFound),
        (404, "SSG-008", NoDataForPeriod),
        (410, "SSG-011", NoDataForPeriod),
        (500, "SSG-001", UpstreamUnavailable),
        (500, "SSG-002", UpstreamUnavailable),
        (404, "SSG-999", MalformedResponse),
    ],
)
def test_every_summert_skattegrunnlag_error_code(
    mock: respx.MockRouter,
    skatteetaten: SkatteetatenClient,
    status: int,
    kode: str,
    expected: type[RegistryError],
) -> None:
    mock.get(BASE + SSG_PATH).mock(return_value=_error(status, kode))
    mock.get(BASE + LATEST_PATH).mock(return_value=_error(404, "SSG-007"))
    with pytest.raises(expected) as raised:
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert raised.value.code == kode
    assert raised.value.correlation_id == "c0ffee"
    assert FNR not in str(raised.value)


@pytest.mark.parametrize(
    ("status", "kode", "expected"),
    [
        (401, "IM-004", CredentialsRejected),
        (403, "IM-005", CredentialsRejected),
        (403, "IM-010", CredentialsRejected),
        (400, "IM-006", RequestRejected),
        (404, "IM-003", RequestRejected),
        (406, "IM-009", RequestRejected),
        (404, "IM-007", PersonNotFound),
        (404, "IM-008", NoDataForPeriod),
        (500, "IM-001", UpstreamUnavailable),
        (500, "IM-002", UpstreamUnavailable),
    ],
)
def test_every_inntekt_error_code(
    mock: respx.MockRouter,
    skatteetaten: SkatteetatenClient,
    status: int,
    kode: str,
    expected: type[RegistryError],
) -> None:
    route = mock.get(BASE + INNTEKT_PATH).mock(return_value=_error(status, kode))
    with pytest.raises(expected) as raised:
        skatteetaten.inntekt(FNR, date(2025, 1, 1), date(2025, 3, 1))
    assert raised.value.code == kode
    assert route.calls.last.request.url.params["fraOgMed"] == "2025-01"
    assert route.calls.last.request.url.params["tilOgMed"] == "2025-03"


def test_no_data_carries_the_latest_available_year(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    mock.get(BASE + SSG_PATH).mock(return_value=_error(404, "SSG-008"))
    mock.get(BASE + LATEST_PATH).mock(
        return_value=httpx.Response(
            200,
            json={
                "personidentifikator": FNR,
                "ressursId": "ske-samtykke-sbl-summert-skattegrunnlag",
                "sisteTilgjengeligePeriode": "2023",
            },
        )
    )
    with pytest.raises(NoDataForPeriod) as raised:
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert raised.value.latest_available == 2023


def test_inntekt_parses_months_and_amounts(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    body = {
        "oppgaveInntektsmottaker": [
            {
                "opplysningspliktigId": ORGNR,
                "virksomhetId": ORGNR,
                "kalendermaaned": "2025-01",
                "inntektsmottaker": {"personidentifikator": FNR},
                "inntekt": [
                    {
                        "fordel": "kontantytelse",
                        "beloep": 51234.50,
                        "utloeserArbeidsgiveravgift": True,
                        "inngaarIGrunnlagForTrekk": True,
                        "loennsinntekt": {"beskrivelse": "fastloenn"},
                    }
                ],
            }
        ]
    }
    mock.get(BASE + INNTEKT_PATH).mock(return_value=httpx.Response(200, json=body))
    result = skatteetaten.inntekt(FNR, date(2025, 1, 1), date(2025, 1, 1))
    oppgave = result.oppgave_inntektsmottaker[0]
    assert oppgave.kalendermaaned == "2025-01"
    assert str(oppgave.inntekt[0].beloep) == "51234.5"


def test_malformed_json_is_a_malformed_response(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    mock.get(BASE + SSG_PATH).mock(
        return_value=httpx.Response(
            200, content=b'{"inntektsaar": 20', headers={"Content-Type": "application/json"}
        )
    )
    with pytest.raises(MalformedResponse, match="not valid JSON"):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)


def test_wrong_content_type_is_a_malformed_response(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    mock.get(BASE + SSG_PATH).mock(
        return_value=httpx.Response(200, html="<html>maintenance</html>")
    )
    with pytest.raises(MalformedResponse, match="text/html"):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)


def test_missing_fields_are_a_malformed_response_naming_the_field(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    broken = {key: value for key, value in GRUNNLAG.items() if key != "grunnlag"}
    mock.get(BASE + SSG_PATH).mock(return_value=httpx.Response(200, json=broken))
    with pytest.raises(MalformedResponse, match="grunnlag") as raised:
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert FNR not in str(raised.value)


def test_an_undecodable_body_is_a_malformed_response(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(
        return_value=httpx.Response(
            200,
            stream=httpx.ByteStream(b"not gzip at all"),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    )
    with pytest.raises(MalformedResponse, match="decoded"):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == 1


def test_timeouts_are_retried_then_reported(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient, fake_time: FakeTime
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(UpstreamTimeout):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == 3
    # Full jitter with rand()=0.5: half of 0.1 then half of 0.2.
    assert fake_time.sleeps == [pytest.approx(0.05), pytest.approx(0.1)]


def test_a_5xx_then_success_is_retried_transparently(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(
        side_effect=[_error(500, "SSG-001"), httpx.Response(200, json=GRUNNLAG)]
    )
    assert skatteetaten.summert_skattegrunnlag(FNR, 2024).inntektsaar == 2024
    assert route.call_count == 2


def test_retries_exhausted_on_5xx_report_unavailable_with_retry_after(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient, fake_time: FakeTime
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(
        return_value=httpx.Response(503, headers={"Retry-After": "2"}, json={"kode": "SSG-002"})
    )
    with pytest.raises(UpstreamUnavailable) as raised:
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == 3
    assert raised.value.retry_after == 2.0
    assert raised.value.status == 503
    assert fake_time.sleeps == [2.0, 2.0]  # Retry-After outweighs the back-off


def test_a_retry_after_beyond_the_deadline_stops_retrying(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient, fake_time: FakeTime
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(
        return_value=httpx.Response(503, headers={"Retry-After": "60"})
    )
    with pytest.raises(UpstreamUnavailable):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_client_errors_are_not_retried(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(return_value=_error(401, "SSG-004"))
    with pytest.raises(CredentialsRejected):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == 1


def test_a_dropped_connection_is_unavailable(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(
        side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response.")
    )
    with pytest.raises(UpstreamUnavailable) as raised:
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == 3
    # The message reaches the bank's problem body: the API's words, no library's names.
    assert raised.value.message == (
        "the registry closed the connection before its answer was complete"
    )


def test_the_total_deadline_bounds_every_attempt(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    settings = ResilienceSettings(max_attempts=10, deadline=1.0, backoff_base=0.4, backoff_max=0.4)
    client = SkatteetatenClient(BASE, str, http=_http("skatteetaten", BASE, fake_time, settings))
    timeouts: list[float | None] = []

    def slow(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        fake_time.now += 0.3  # each attempt takes a while before timing out
        raise httpx.ReadTimeout("slow", request=request)

    mock.get(BASE + SSG_PATH).mock(side_effect=slow)
    with pytest.raises(UpstreamTimeout):
        client.summert_skattegrunnlag(FNR, 2024)
    # 0.3 + 0.2 wait, 0.3 + 0.2 wait: the third attempt would start past the deadline.
    assert len(timeouts) == 2
    assert timeouts[0] == pytest.approx(1.0)
    assert timeouts[1] == pytest.approx(0.5)
    client.close()


def test_circuit_opens_after_repeated_failures_and_half_opens_after_the_pause(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient, fake_time: FakeTime
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(return_value=httpx.Response(500))
    for _ in range(3):
        with pytest.raises(UpstreamUnavailable):
            skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert skatteetaten.http.breaker.state is CircuitState.OPEN
    calls = route.call_count
    with pytest.raises(CircuitOpen) as raised:
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == calls  # not attempted
    assert 0 < raised.value.retry_after <= 30

    fake_time.now += 31
    assert skatteetaten.http.breaker.state is CircuitState.HALF_OPEN
    # The trial call fails: open again at once, without the three-failure count.
    with pytest.raises(UpstreamUnavailable):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert skatteetaten.http.breaker.state is CircuitState.OPEN

    fake_time.now += 31
    route.mock(return_value=httpx.Response(200, json=GRUNNLAG))
    assert skatteetaten.summert_skattegrunnlag(FNR, 2024).inntektsaar == 2024
    assert skatteetaten.http.breaker.state is CircuitState.CLOSED


def test_half_open_lets_exactly_one_trial_call_through(fake_time: FakeTime) -> None:
    http = _http("skatteetaten", BASE, fake_time)
    for _ in range(3):
        http.breaker.record_failure()
    fake_time.now += 31
    http.breaker.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        http.breaker.before_call()  # a second caller while the trial is in flight
    http.breaker.record_success()
    http.breaker.before_call()
    http.close()


def test_a_trial_call_that_fails_on_our_side_does_not_wedge_the_circuit(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    calls = {"n": 0}

    def flaky_tokens(scope: str) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("key store unreadable")
        return "token"

    http = RegistryHttp("skatteetaten", BASE, token_provider=flaky_tokens, settings=SETTINGS,
                        clock=fake_time.clock, sleep=fake_time.sleep)  # fmt: skip
    client = SkatteetatenClient(BASE, flaky_tokens, http=http)
    for _ in range(3):
        http.breaker.record_failure()
    fake_time.now += 31
    mock.get(BASE + SSG_PATH).mock(return_value=httpx.Response(200, json=GRUNNLAG))
    with pytest.raises(RuntimeError):
        client.summert_skattegrunnlag(FNR, 2024)  # the trial, lost to our own error
    assert client.summert_skattegrunnlag(FNR, 2024).inntektsaar == 2024
    assert http.breaker.state is CircuitState.CLOSED
    client.close()


def test_half_open_admits_one_trial_among_concurrent_callers(fake_time: FakeTime) -> None:
    http = _http("skatteetaten", BASE, fake_time)
    for _ in range(3):
        http.breaker.record_failure()
    fake_time.now += 31
    callers = 16
    barrier = threading.Barrier(callers)
    admitted: list[bool] = []

    def call() -> None:
        barrier.wait()  # all callers reach the breaker together
        try:
            http.breaker.before_call()
        except CircuitOpen:
            admitted.append(False)
        else:
            admitted.append(True)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 1
    assert len(admitted) == callers
    http.close()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b'{"inntektsaar": 20'),  # truncated JSON
        httpx.Response(200, json={"inntektsaar": "not a year"}),  # not the documented shape
        httpx.Response(200, text="<html>maintenance</html>"),  # not JSON at all
        httpx.Response(418, json={"kode": "XYZ-999"}),  # an answer the API does not document
    ],
)
def test_malformed_answers_open_the_circuit(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient, answer: httpx.Response
) -> None:
    route = mock.get(BASE + SSG_PATH).mock(return_value=answer)
    for _ in range(SETTINGS.failure_threshold):
        with pytest.raises(MalformedResponse):
            skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert skatteetaten.http.breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen):
        skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert route.call_count == SETTINGS.failure_threshold


def test_registry_answers_that_are_not_failures_keep_the_circuit_closed(
    mock: respx.MockRouter, skatteetaten: SkatteetatenClient
) -> None:
    mock.get(BASE + SSG_PATH).mock(return_value=_error(404, "SSG-007"))
    for _ in range(5):
        with pytest.raises(PersonNotFound):
            skatteetaten.summert_skattegrunnlag(FNR, 2024)
    assert skatteetaten.http.breaker.state is CircuitState.CLOSED


ENHET = {
    "organisasjonsnummer": ORGNR,
    "navn": "FJORDKYST SPAREBANK",
    "organisasjonsform": {"kode": "ASA", "beskrivelse": "Allmennaksjeselskap"},
    "naeringskode1": {"kode": "64.190", "beskrivelse": "Bankvirksomhet ellers"},
    "institusjonellSektorkode": {"kode": "3200", "beskrivelse": "Banker"},
    "konkurs": False,
    "underAvvikling": False,
    "underTvangsavviklingEllerTvangsopplosning": False,
}


def test_enhet_is_open_data_and_needs_no_token(mock: respx.MockRouter, brreg: BrregClient) -> None:
    route = mock.get(f"{BREG}/enhetsregisteret/api/enheter/{ORGNR}").mock(
        return_value=httpx.Response(200, json=ENHET)
    )
    enhet = brreg.enhet(ORGNR)
    assert enhet.is_bank
    assert enhet.in_good_standing
    assert "Authorization" not in route.calls.last.request.headers


def test_bankrupt_enhet_is_not_in_good_standing(mock: respx.MockRouter, brreg: BrregClient) -> None:
    mock.get(f"{BREG}/enhetsregisteret/api/enheter/{ORGNR}").mock(
        return_value=httpx.Response(200, json={**ENHET, "konkurs": True})
    )
    assert not brreg.enhet(ORGNR).in_good_standing


def test_enhet_404_and_410(mock: respx.MockRouter, brreg: BrregClient) -> None:
    route = mock.get(f"{BREG}/enhetsregisteret/api/enheter/{ORGNR}")
    route.mock(return_value=httpx.Response(404))
    with pytest.raises(OrganisationNotFound):
        brreg.enhet(ORGNR)
    route.mock(
        return_value=httpx.Response(
            410, json={"organisasjonsnummer": ORGNR, "slettedato": "2021-03-01"}
        )
    )
    with pytest.raises(OrganisationRemoved) as raised:
        brreg.enhet(ORGNR)
    assert raised.value.removed_on == date(2021, 3, 1)


def test_an_invalid_organisation_number_is_refused_without_a_call(
    mock: respx.MockRouter, brreg: BrregClient
) -> None:
    route = mock.get(url__regex=r".*").mock(return_value=httpx.Response(200, json=ENHET))
    with pytest.raises(RequestRejected):
        brreg.enhet("974760674")
    assert route.call_count == 0


def test_rettsstiftelser_parse_and_send_the_losore_scope(
    mock: respx.MockRouter, brreg: BrregClient
) -> None:
    body = {
        "sokeparameter": FNR,
        "oppslagstidspunkt": "2025-11-01T12:00:00+01:00",
        "antallRettsstiftelser": 1,
        "korrelasjonsid": "abc",
        "rettsstiftelser": [
            {
                "dokumentnummer": "2023123456",
                "type": "GJELDSORDNING",
                "status": "AKTIV",
                "roller": [
                    {"rolleinnehaverType": "BRPERSON", "navn": "Kari", "identifikator": FNR}
                ],
                "krav": {"belop": [{"belop": 350000, "valuta": "NOK"}]},
                "gjeldsordning": {"type": "TVUNGEN", "gjeldsordningsperiodeFraDato": "2023-01-01"},
            }
        ],
    }
    route = mock.get(f"{BREG}/registerinfo/api/v1/rettsstiftelse/fnr/{FNR}").mock(
        return_value=httpx.Response(200, json=body)
    )
    result = brreg.rettsstiftelser(FNR)
    assert result.has_debt_settlement
    assert result.rettsstiftelser[0].krav is not None
    assert route.calls.last.request.headers["Authorization"] == "Bearer token-for-brreg:losore"


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, CredentialsRejected), (403, CredentialsRejected), (400, RequestRejected),
     (404, MalformedResponse), (503, UpstreamUnavailable)],
)  # fmt: skip
def test_rettsstiftelser_errors(
    mock: respx.MockRouter, brreg: BrregClient, status: int, expected: type[RegistryError]
) -> None:
    mock.get(f"{BREG}/registerinfo/api/v1/rettsstiftelse/fnr/{FNR}").mock(
        return_value=httpx.Response(
            status, json={"status": status, "error": "E", "korrelasjonsid": "k"}
        )
    )
    with pytest.raises(expected):
        brreg.rettsstiftelser(FNR)


def _rolle(kode: str, fnr: str, *, fratraadt: bool = False) -> dict[str, object]:
    return {
        "type": {"kode": kode, "beskrivelse": kode},
        "person": {"fodselsnummer": fnr, "fodselsdato": "1985-03-14",
                   "navn": {"fornavn": "Kari", "etternavn": "Fjellheim"}, "erDoed": False},
        "fratraadt": fratraadt,
        "avregistrert": False,
    }  # fmt: skip


def test_roller_come_from_the_authorised_api_with_the_roles_scope(
    mock: respx.MockRouter, brreg: BrregClient
) -> None:
    other = "02917900038"
    body = {"rollegrupper": [
        {"type": {"kode": "STYR", "beskrivelse": "Styre"}, "sistEndret": "2024-01-01",
         "roller": [_rolle("MEDL", FNR), _rolle("LEDE", other), _rolle("NEST", FNR)]},
        {"type": {"kode": "DAGL", "beskrivelse": "Daglig leder"},
         "roller": [_rolle("DAGL", FNR, fratraadt=True), _rolle("DAGL", other)]},
    ]}  # fmt: skip
    route = mock.get(f"{BREG}/enhetsregisteret/autorisert-api/enheter/{ORGNR}/roller").mock(
        return_value=httpx.Response(200, json=body)
    )
    roller = brreg.roller(ORGNR)
    assert route.calls.last.request.headers["Authorization"] == (
        "Bearer token-for-brreg:enhetsregisteret.roller"
    )
    assert [r.kode for r in roller.roles_of(FNR)] == ["MEDL", "NEST", "DAGL"]
    assert roller.authority_of(FNR) is None  # board member, deputy chair, a role that ended
    chosen = roller.authority_of(other)
    assert chosen is not None
    assert chosen.kode == "DAGL"  # the manager before the chair
    assert FNR not in repr(roller)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, OrganisationNotFound), (401, CredentialsRejected), (403, CredentialsRejected),
     (400, RequestRejected), (503, UpstreamUnavailable)],
)  # fmt: skip
def test_roller_errors(
    mock: respx.MockRouter, brreg: BrregClient, status: int, expected: type[RegistryError]
) -> None:
    mock.get(f"{BREG}/enhetsregisteret/autorisert-api/enheter/{ORGNR}/roller").mock(
        return_value=httpx.Response(
            status, json={"status": status, "error": "E", "korrelasjonsid": "k"}
        )
    )
    with pytest.raises(expected):
        brreg.roller(ORGNR)


def test_roller_of_a_removed_organisation_and_an_invalid_number(
    mock: respx.MockRouter, brreg: BrregClient
) -> None:
    route = mock.get(f"{BREG}/enhetsregisteret/autorisert-api/enheter/{ORGNR}/roller").mock(
        return_value=httpx.Response(
            410, json={"organisasjonsnummer": ORGNR, "slettedato": "2021-03-01"}
        )
    )
    with pytest.raises(OrganisationRemoved):
        brreg.roller(ORGNR)
    with pytest.raises(RequestRejected):
        brreg.roller("974760674")
    assert route.call_count == 1


def test_rettsstiftelser_of_an_organisation_send_the_losore_scope(
    mock: respx.MockRouter, brreg: BrregClient
) -> None:
    body = {"sokeparameter": ORGNR, "oppslagstidspunkt": "2025-11-01T12:00:00+01:00",
            "antallRettsstiftelser": 0, "rettsstiftelser": []}  # fmt: skip
    route = mock.get(f"{BREG}/registerinfo/api/v1/rettsstiftelse/orgnr/{ORGNR}").mock(
        return_value=httpx.Response(200, json=body)
    )
    assert brreg.rettsstiftelser_orgnr(ORGNR).antall_rettsstiftelser == 0
    assert route.calls.last.request.headers["Authorization"] == "Bearer token-for-brreg:losore"
    route.mock(return_value=httpx.Response(403, json={"status": 403, "error": "Forbidden"}))
    with pytest.raises(CredentialsRejected):
        brreg.rettsstiftelser_orgnr(ORGNR)
