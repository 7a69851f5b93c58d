"""/docs and /redoc in Chromium with the internet cut off: the API documentation still shows.

Every request to anything but this machine is aborted, as on a machine without
internet; the pages must render the operations from the gateway's own assets,
with no content-policy violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser import PHONE, SCREENSHOTS, launched_chromium
from tests.servers import running_server

pytestmark = pytest.mark.browser
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# ReDoc's "API docs by Redocly" footer shows a logo from its CDN and drops it when the image
# fails; the page's policy refusing it is the point (nothing leaves the machine).
REDOC_BRANDING = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def gateway_url(app: FastAPI) -> Iterator[str]:
    with running_server(app) as url:
        yield url


class OfflinePage:
    """A page whose requests off this machine fail, and which remembers them and CSP errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.policy_violations: list[str] = []
        page.route("**/*", self._only_loopback)
        page.on("console", self._console)

    def _only_loopback(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def _console(self, message: object) -> None:
        text = str(getattr(message, "text", ""))
        if "Content Security Policy" in text:
            self.policy_violations.append(text)


@pytest.fixture
def offline(chromium: Browser) -> Iterator[OfflinePage]:
    context = chromium.new_context(viewport=PHONE)
    yield OfflinePage(context.new_page())
    context.close()


def test_swagger_ui_lists_the_operations_offline(offline: OfflinePage, gateway_url: str) -> None:
    page = offline.page
    page.goto(f"{gateway_url}/docs")
    operation = page.locator(".opblock-summary-path", has_text="/consent/v1/consentrequests")
    expect(operation.first).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Samtykke gateway")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "api-docs-swagger-offline.png")
    assert offline.blocked == []
    assert offline.policy_violations == []


def test_redoc_lists_the_operations_offline(offline: OfflinePage, gateway_url: str) -> None:
    page = offline.page
    page.goto(f"{gateway_url}/redoc")
    # ReDoc renders the whole document at once: generous on a busy machine.
    expect(page.get_by_role("heading", name="Samtykke gateway", level=1)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("/consent/v1/consentrequests").first).to_be_attached()
    page.screenshot(path=SCREENSHOTS / "api-docs-redoc-offline.png")
    assert offline.blocked == []
    assert [text for text in offline.policy_violations if REDOC_BRANDING not in text] == []
