"""A citizen answering a consent request over HTTP: log in at ID-porten, then accept."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def consent_request(person: str, bank: str, redirect_url: str) -> dict[str, Any]:
    def right(resource: str, metadata: dict[str, str]) -> dict[str, Any]:
        return {
            "action": ["consent"],
            "resource": [{"type": "urn:altinn:resource", "value": resource}],
            "metadata": metadata,
        }

    valid_to = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": str(uuid.uuid4()),
        "from": f"urn:altinn:person:identifier-no:{person}",
        "to": f"urn:altinn:organization:identifier-no:{bank}",
        "validTo": valid_to,
        "consentRights": [
            right("ske-samtykke-sbl-summert-skattegrunnlag", {"inntektsaar": "2025"}),
            right("ske-samtykke-sbl-inntekt", {"fraogmed": "2025-01", "tilogmed": "2025-12"}),
            right("brreg-samtykke-losore-rettsstiftelser", {}),
        ],
        "requestMessage": {"nb": "Lånesøknad", "en": "Loan application"},
        "redirectUrl": redirect_url,
        "oneTime": False,
    }


def _log_in_and_answer(start_url: str, person: str) -> httpx.Response:
    """Open `start_url` as a browser, log in at ID-porten as `person`, accept on the page
    the gateway shows; the gateway's answer (a 303 back to the bank), not followed."""
    with httpx.Client(timeout=30) as browser:
        login = browser.get(start_url, follow_redirects=True)
        assert login.status_code == 200, login.text
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(login.text)}
        fields["pid"] = person
        page = browser.post(
            f"{login.url.scheme}://{login.url.netloc.decode()}/authorize/login",
            data=fields,
            follow_redirects=True,
        )
        assert page.status_code == 200, page.text
        csrf = _CSRF.search(page.text)
        assert csrf is not None, "the consent page has no form"
        answered = browser.post(
            f"{page.url.scheme}://{page.url.netloc.decode()}{page.url.path}/answer",
            data={"csrf_token": csrf.group(1), "decision": "accept"},
        )
        assert answered.status_code == 303, answered.text
        return answered


def accept(start_url: str, person: str) -> dict[str, list[str]]:
    """Accept the consent request at `start_url` (a viewUri or an authorization URL);
    the query the browser is sent back to the bank with."""
    answered = _log_in_and_answer(start_url, person)
    return parse_qs(urlsplit(answered.headers["location"]).query)
