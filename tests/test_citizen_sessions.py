"""Citizen sessions live on the server: logout, idle time and lifetime end them everywhere.

Two gateway processes share one database; a cookie copied before logout opens
nothing afterwards in either. The cookie is a random id and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.citizen_sessions.models import CitizenSession
from gateway.app import create_app
from gateway.settings import DeploymentMode, Settings
from tests.citizen_env import CitizenWorld, citizen_world, csrf_of, log_in
from tests.servers import running_server

OPAQUE_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
IDLE = timedelta(seconds=900)
LIFETIME = timedelta(seconds=3600)


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path / "keys") as world:
        yield world


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    # A loaded machine can take seconds to answer; httpx's default 5 s is too short for CI.
    with httpx.Client(timeout=30.0) as client:
        yield client


@contextmanager
def second_process(world: CitizenWorld) -> Iterator[str]:
    """Another gateway on the same database and key folder, as behind a load balancer."""
    other: FastAPI = create_app(world.app.state.settings)
    other.state.clock = lambda: world.now[0]
    with running_server(other) as url:
        yield url


def _session_cookie(browser: httpx.Client) -> str:
    [value] = [cookie.value for cookie in browser.cookies.jar if cookie.name == "samtykke_citizen"]
    assert value is not None
    return value


def _my_consents(base_url: str, cookie: str) -> httpx.Response:
    return httpx.get(
        f"{base_url}/citizen/consents",
        headers={"Cookie": f"samtykke_citizen={cookie}"},
        timeout=30.0,
    )


def test_logout_ends_the_session_in_every_process(
    world: CitizenWorld, browser: httpx.Client
) -> None:
    log_in(browser, f"{world.gateway_url}/citizen/consents", world.person)
    copied = _session_cookie(browser)
    with second_process(world) as other_url:
        assert _my_consents(other_url, copied).status_code == 200  # one session, any process
        page = browser.get(f"{world.gateway_url}/citizen/consents")
        logout = browser.post(
            f"{world.gateway_url}/citizen/logout", data={"csrf_token": csrf_of(page)}
        )
        assert logout.status_code == 303
        for url in (other_url, world.gateway_url):
            refused = _my_consents(url, copied)
            assert refused.status_code == 303, url
            assert refused.headers["location"] == "/citizen/login"
            # The refused cookie is not renewed: the browser is told to drop it.
            renewed = [c for c in refused.headers.get_list("set-cookie") if copied in c]
            assert renewed == []


def test_an_idle_session_ends_and_a_busy_one_ends_at_its_lifetime(
    world: CitizenWorld, browser: httpx.Client
) -> None:
    home = f"{world.gateway_url}/citizen/consents"
    log_in(browser, home, world.person)
    cookie = _session_cookie(browser)
    # Busy: a request just inside the idle time each time keeps it, up to its lifetime.
    steps = 0
    while (steps + 1) * (IDLE - timedelta(seconds=1)) < LIFETIME:
        world.now[0] += IDLE - timedelta(seconds=1)
        steps += 1
        assert _my_consents(world.gateway_url, cookie).status_code == 200, steps
    world.now[0] += IDLE - timedelta(seconds=1)  # now past the hour since login
    assert _my_consents(world.gateway_url, cookie).status_code == 303

    browser.cookies.clear()
    log_in(browser, home, world.person)
    cookie = _session_cookie(browser)
    world.now[0] += IDLE
    assert _my_consents(world.gateway_url, cookie).status_code == 303
    world.now[0] -= IDLE  # even when time comes back, the ended session stays ended
    assert _my_consents(world.gateway_url, cookie).status_code == 303


def _decodings(value: str) -> list[str]:
    """The value and every base64 reading of its dot-separated parts."""
    readings = [value]
    for part in value.split("."):
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                readings.append(decode(padded).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                continue
    return readings


def test_no_cookie_carries_the_person_or_the_login_state(
    world: CitizenWorld, browser: httpx.Client, engine: Engine
) -> None:
    login_start = browser.get(f"{world.gateway_url}/citizen/login")
    assert login_start.status_code == 303
    state = parse_qs(urlsplit(login_start.headers["location"]).query)["state"][0]
    before_login = _session_cookie(browser)
    page = log_in(browser, f"{world.gateway_url}/citizen/consents", world.person)
    # Login starts a new session: an id planted or seen before it opens nothing.
    assert _session_cookie(browser) != before_login
    assert _my_consents(world.gateway_url, before_login).status_code == 303
    responses = [login_start, *page.history, page]
    set_cookies = [h for r in responses for h in r.headers.get_list("set-cookie")]
    assert set_cookies, "the flow sets a session cookie"
    for header in set_cookies:
        value = header.split(";", 1)[0].split("=", 1)[1]
        assert value == "" or OPAQUE_ID.match(value), header
        for reading in _decodings(value):
            assert world.person not in reading
            assert state not in reading
    cookie = _session_cookie(browser)
    with Session(engine) as session:
        stored = session.scalars(
            select(CitizenSession).where(CitizenSession.person == world.person)
        ).one()
    assert stored.id_hash == hashlib.sha256(cookie.encode()).hexdigest()  # only the hash
    assert stored.idporten_sid  # kept for ID-porten's logout
    assert world.person not in page.text.split("<main", 1)[0]  # nor in the page's head


def test_production_cookies_are_host_prefixed_and_secure(settings: Settings) -> None:
    production = settings.model_copy(
        update={"mode": DeploymentMode.PRODUCTION, "issuer_url": "https://samtykke.example"}
    )
    with TestClient(create_app(production), base_url="https://samtykke.example") as client:
        answer = client.get("/citizen/consents", follow_redirects=False)
    assert answer.status_code == 303
    [cookie] = answer.headers.get_list("set-cookie")
    name, rest = cookie.split("=", 1)
    assert name == "__Host-samtykke_citizen"
    attributes = {part.strip().lower() for part in rest.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
    assert not any(attribute.startswith("domain") for attribute in attributes)


def test_a_form_sent_after_the_session_ended_explains_and_offers_login(
    world: CitizenWorld, browser: httpx.Client
) -> None:
    request = world.create_request()
    page = log_in(browser, request["viewUri"], world.person)
    csrf = csrf_of(page)
    world.now[0] += IDLE  # the citizen went for coffee
    answer = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf, "decision": "accept"},
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "Du er logget ut" in answer.text
    assert "Ingenting er sendt" in answer.text
    assert world.bank_view(request["id"])["status"] == "created"
    # The answer's address opened as a page leads back to the request, never to a 405.
    opened = browser.get(f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/citizen/consentrequests/{request['id']}"
    again = re.search(r'<a href="([^"]+)">Logg inn igjen</a>', answer.text)
    assert again
    back = log_in(
        browser, f"{world.gateway_url}{again.group(1).replace('&amp;', '&')}", world.person
    )
    assert str(back.url) == request["viewUri"]
    accepted = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(back), "decision": "accept"},
    )
    assert accepted.status_code == 303
    assert world.bank_view(request["id"])["status"] == "accepted"

    english = browser.get(f"{world.gateway_url}/citizen/language/en")
    assert english.status_code == 303
    logout = browser.post(f"{world.gateway_url}/citizen/logout", data={"csrf_token": csrf_of(back)})
    assert logout.status_code == 303
    revoke = browser.post(
        f"{world.gateway_url}/citizen/consents/{request['id']}/revoke",
        data={"csrf_token": csrf_of(back)},
    )
    assert revoke.status_code == 403
    assert "You are logged out" in revoke.text  # the language outlives the logout
    assert world.bank_view(request["id"])["status"] == "accepted"
