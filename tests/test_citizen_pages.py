"""The citizen's pages over real HTTP: ID-porten login, answering, my consents, security."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import KeySet
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, event_type
from gateway.app import create_app
from gateway.citizen.web_security import cookies_need_https
from gateway.settings import Settings
from tests.citizen_env import (
    PURPOSE_WITH_MARKUP,
    CitizenWorld,
    citizen_world,
    csrf_of,
    log_in,
)
from tests.servers import bound_socket


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path / "keys") as world:
        yield world


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def test_accept_then_revoke_and_download_the_receipt(
    world: CitizenWorld, browser: httpx.Client, engine: Engine
) -> None:
    request = world.create_request()
    page = log_in(browser, request["viewUri"], world.person)
    assert page.status_code == 200
    assert str(page.url) == request["viewUri"]
    assert "Fjordbanken &lt;ASA&gt; &amp; Co ber om samtykke" in page.text
    assert world.bank.organisation_number in page.text
    assert "Inntektsår 2025" in page.text
    assert "januar 2025 til og med desember 2025" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert PURPOSE_WITH_MARKUP not in page.text

    answered = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "accept"},
    )
    assert answered.status_code == 303
    back = urlsplit(answered.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == world.redirect_url
    assert parse_qs(back.query) == {"consentRequestId": [request["id"]], "status": ["accepted"]}
    assert world.bank_view(request["id"])["status"] == "accepted"

    with Session(engine) as session:
        # A fetch under the consent, as the data API records it.
        log.append(
            session,
            AuditEvent(
                event_type=event_type("data", "skattegrunnlag", "read"),
                actor_type=ActorType.BANK,
                actor_id=world.bank.organisation_number,
                subject=world.person,
                consent_id=request["id"],
                data_product="ske-samtykke-sbl-summert-skattegrunnlag",
            ),
        )
        session.commit()
    mine = browser.get(f"{world.gateway_url}/citizen/consents")
    assert mine.status_code == 200
    assert "Aktive samtykker" in mine.text
    # The person may have other consents on the page; look at this one's card only.
    card = mine.text.split(f'id="consent-{request["id"]}"')[1].split("</article>")[0]
    history = card.split("Historikk")[-1]
    assert (
        "<td>oppslag: hentet</td><td>Fjordbanken &lt;ASA&gt; &amp; Co</td>"
        "<td>Skattegrunnlag fra skatteoppgjøret</td>"
    ) in history
    assert "<td>samtykke gitt</td><td>deg</td>" in history
    assert f"/citizen/consents/{request['id']}/receipt" in mine.text
    receipt = browser.get(f"{world.gateway_url}/citizen/consents/{request['id']}/receipt")
    assert receipt.status_code == 200
    assert "attachment" in receipt.headers["content-disposition"]
    keys = KeySet.import_key_set(
        httpx.get(f"{world.gateway_url}/.well-known/receipt-keys.json").json()
    )
    assert jws.deserialize_compact(receipt.text, keys, ["ES256"]).payload

    revoked = browser.post(
        f"{world.gateway_url}/citizen/consents/{request['id']}/revoke",
        data={"csrf_token": csrf_of(mine)},
    )
    assert revoked.status_code == 303
    assert world.bank_view(request["id"])["status"] == "revoked"
    after = browser.get(f"{world.gateway_url}/citizen/consents")
    assert "er trukket tilbake" in after.text
    assert "Trekk tilbake samtykket" not in after.text


def test_refusal_goes_back_to_the_bank(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_request()
    page = log_in(browser, request["viewUri"], world.person)
    refused = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "refuse"},
    )
    assert parse_qs(urlsplit(refused.headers["location"]).query)["status"] == ["rejected"]
    assert world.bank_view(request["id"])["status"] == "rejected"
    again = browser.get(request["viewUri"])
    assert "allerede besvart" in again.text


def test_another_person_cannot_answer(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_request()
    page = log_in(browser, request["viewUri"], world.other_person)
    assert page.status_code == 403
    assert "gjelder ikke deg" in page.text
    assert world.person not in page.text
    forced = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "accept"},
    )
    assert forced.status_code == 403
    assert world.bank_view(request["id"])["status"] == "created"


def test_forms_need_the_session_csrf_token(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_request()
    log_in(browser, request["viewUri"], world.person)
    for token in ("", "forged"):
        answer = browser.post(
            f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
            data={"csrf_token": token, "decision": "accept"},
        )
        assert answer.status_code in {403, 422}
    assert world.bank_view(request["id"])["status"] == "created"


def test_an_expired_request_cannot_be_answered(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_request()
    log_in(browser, request["viewUri"], world.person)
    world.now[0] += timedelta(days=2)  # past the one-day answer time (and the session's)
    page = log_in(browser, request["viewUri"], world.person)
    assert "utløpt" in page.text
    answered = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "accept"},
    )
    assert answered.status_code == 409
    assert "utløpt" in answered.text
    assert world.bank_view(request["id"])["status"] == "expired"


def test_pages_are_locked_down(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_request()
    unauthenticated = browser.get(request["viewUri"])
    assert unauthenticated.status_code == 303
    assert unauthenticated.headers["location"] == "/citizen/login"
    page = log_in(browser, request["viewUri"], world.person)
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    # The answer's redirect ends at the bank: Chromium checks form-action on it too.
    assert f"form-action 'self' {world.bank_site_url};" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    cookie = next(
        header
        for header in page.history[-1].headers.get_list("set-cookie")
        if header.startswith("samtykke_citizen=")
    ).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/citizen" in cookie
    assert "max-age=3600" in cookie  # the absolute lifetime; the server ends it sooner when idle
    assert "secure" not in cookie  # plain-http localhost only
    assert world.person not in str(page.url)
    english = browser.get(
        f"{world.gateway_url}/citizen/language/en",
        params={"back": f"/citizen/consentrequests/{request['id']}"},
        follow_redirects=True,
    )
    assert "asks for your consent" in english.text
    assert '<html lang="en">' in english.text
    escape = browser.get(
        f"{world.gateway_url}/citizen/language/nb", params={"back": "https://evil.example/"}
    )
    assert escape.headers["location"] == "/citizen/consents"
    forged_logout = browser.post(f"{world.gateway_url}/citizen/logout", data={"csrf_token": "x"})
    assert forged_logout.status_code == 403
    logout = browser.post(
        f"{world.gateway_url}/citizen/logout", data={"csrf_token": csrf_of(english)}
    )
    assert logout.status_code == 303
    assert browser.get(request["viewUri"]).headers["location"] == "/citizen/login"


def test_a_failed_login_is_no_login(world: CitizenWorld, browser: httpx.Client) -> None:
    answer = browser.get(
        f"{world.gateway_url}/citizen/login/callback",
        params={"error": "access_denied", "state": "x"},
    )
    assert answer.status_code == 400
    assert "Innloggingen mislyktes" in answer.text
    assert browser.get(f"{world.gateway_url}/citizen/consents").status_code == 303


def test_secure_cookies_everywhere_but_plain_http_localhost() -> None:
    assert not cookies_need_https("http://127.0.0.1:8000")
    assert not cookies_need_https("http://localhost:8000")
    assert cookies_need_https("https://samtykke.example")
    assert cookies_need_https("http://samtykke.example")


def test_login_without_a_reachable_provider_is_a_page_not_a_crash(
    settings: Settings, tmp_path: Path
) -> None:
    unreachable = bound_socket()  # a free port, closed again: nothing listens there
    host, port = unreachable.getsockname()[:2]
    unreachable.close()
    app = create_app(settings.model_copy(update={"idporten_issuer_url": f"http://{host}:{port}"}))
    with TestClient(app, base_url="http://localhost") as client:
        answer = client.get("/citizen/login")
    assert answer.status_code == 503
    assert "Innloggingen mislyktes" in answer.text


def test_no_receipt_before_an_answer_and_no_second_revocation(
    world: CitizenWorld, browser: httpx.Client
) -> None:
    """Each refusal is a page in words, never a code or a server error."""
    request = world.create_request()
    page = log_in(browser, request["viewUri"], world.person)
    consents = f"{world.gateway_url}/citizen/consents/{request['id']}"
    no_receipt = browser.get(f"{consents}/receipt.html")
    assert no_receipt.status_code == 409
    assert "Ingen kvittering ennå" in no_receipt.text
    not_yet = browser.get(f"{consents}/revoke")
    assert not_yet.status_code == 409
    assert "Samtykket kan ikke trekkes tilbake" in not_yet.text
    assert "Status nå: venter på svar." in not_yet.text

    browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "accept"},
    )
    confirm = browser.get(f"{consents}/revoke")
    assert confirm.status_code == 200
    assert "Vil du trekke tilbake samtykket til Fjordbanken &lt;ASA&gt; &amp; Co?" in confirm.text
    browser.post(f"{consents}/revoke", data={"csrf_token": csrf_of(confirm)})
    browser.get(f"{world.gateway_url}/citizen/language/en")
    again = browser.get(f"{consents}/revoke")
    assert again.status_code == 409
    assert "The consent cannot be revoked" in again.text
    assert "Status now: revoked." in again.text
