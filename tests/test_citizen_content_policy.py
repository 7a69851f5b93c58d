"""Every HTML answer, and every answer under /citizen, carries the content security policy.

Forms may post to the gateway only ('self'); a page whose answer redirects to
the bank names the bank's registered origin too. Error answers (a page's 404,
an unknown path, a 500) carry the same policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from gateway.app import create_app
from gateway.citizen.web_security import CONTENT_SECURITY_POLICY
from gateway.settings import Settings
from tests.citizen_env import CitizenWorld, citizen_world, log_in
from tests.servers import running_server

POLICY_PARTS = (
    "default-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
)


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path / "keys") as world:
        yield world


def _assert_locked_down(answer: httpx.Response, form_action: str = "'self'") -> None:
    policy = answer.headers.get("content-security-policy", "")
    for part in POLICY_PARTS:
        assert part in policy, (answer.url, policy)
    assert f"form-action {form_action};" in policy, (answer.url, policy)
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_pages_and_their_errors_allow_forms_only_to_the_gateway_and_the_bank(
    world: CitizenWorld,
) -> None:
    request = world.create_request()
    with httpx.Client() as browser:
        consent_page = log_in(browser, request["viewUri"], world.person)
        assert consent_page.status_code == 200
        _assert_locked_down(consent_page, form_action=f"'self' {world.bank_site_url}")
        pages = {
            "my consents": browser.get(f"{world.gateway_url}/citizen/consents"),
            "unknown consent": browser.get(f"{world.gateway_url}/citizen/consentrequests/nope"),
            "unknown page": browser.get(f"{world.gateway_url}/citizen/no-such-page"),
            "wrong method": browser.put(
                f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer"
            ),
            "forged form": browser.post(
                f"{world.gateway_url}/citizen/consents/{request['id']}/revoke",
                data={"csrf_token": "forged"},
            ),
        }
    assert pages["my consents"].status_code == 200
    assert pages["unknown consent"].status_code == 404
    assert pages["unknown consent"].headers["content-type"].startswith("text/html")
    assert pages["unknown page"].status_code == 404
    assert pages["wrong method"].status_code == 405
    assert pages["forged form"].status_code == 403
    for answer in pages.values():
        _assert_locked_down(answer)


def test_a_fault_answers_with_the_policy_too(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/citizen/fault")
    def fault() -> None:
        raise RuntimeError("a bug")

    with running_server(app) as url:
        answer = httpx.get(f"{url}/citizen/fault")
        docs = httpx.get(f"{url}/docs")
    assert answer.status_code == 500
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    _assert_locked_down(answer)
    assert docs.status_code == 200
    assert "form-action 'self'" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
