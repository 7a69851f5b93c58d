"""The demo bank in `samtykke demo`: a child process, registered through the admin API.

The gateway never imports the example; it asks the bank for its registration
body (``python -m examples.demo_bank registration``, which makes the bank's
key on first run) and registers it like any administrator would, so the
organisation check goes to the Brønnøysund register (the mock).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx

BANK_MODULE = "examples.demo_bank"
BANK_URL = "http://127.0.0.1:8200"
# Where the demo bank receives its pushed consent events (examples/demo_bank/events.py).
BANK_EVENTS_URL = f"{BANK_URL}/samtykke/events"
ADMIN_CLIENTS_PATH = "/admin/v1/clients"


def bank_argv(*command: str) -> list[str]:
    return [sys.executable, "-m", BANK_MODULE, *command]


def registration_body(env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603  (fixed argv)
        bank_argv("registration"), env=env, check=True, capture_output=True, text=True
    )
    body: dict[str, Any] = json.loads(completed.stdout)
    return body


def _same_client(client: dict[str, Any], body: dict[str, Any]) -> bool:
    return (
        client["status"] == "active"
        and client["organisation_number"] == body["organisation_number"]
        and client["jwks"] == body["jwks"]
        and set(body["redirect_uris"]) <= set(client["redirect_uris"])
        and set(body["data_products"]) <= set(client["data_products"])
    )


def ensure_registered(gateway_url: str, admin_token: str, body: dict[str, Any]) -> str:
    """The client id of an active client with the bank's keys, registering it when there is none."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    url = gateway_url.rstrip("/") + ADMIN_CLIENTS_PATH
    listed = httpx.get(url, headers=headers, timeout=10.0)
    listed.raise_for_status()
    for client in listed.json():
        if _same_client(client, body):
            return str(client["client_id"])
    registered = httpx.post(url, headers=headers, json=body, timeout=30.0)
    if registered.status_code != 201:
        raise RuntimeError(f"the gateway refused to register the demo bank: {registered.text}")
    return str(registered.json()["client_id"])


def ensure_push_endpoint(gateway_url: str, admin_token: str, client_id: str, url: str) -> None:
    """Have the gateway push the bank's consent events to `url`."""
    endpoint = f"{gateway_url.rstrip('/')}{ADMIN_CLIENTS_PATH}/{client_id}/push-endpoint"
    answer = httpx.put(
        endpoint,
        headers={"Authorization": f"Bearer {admin_token}"},
        json={"url": url},
        timeout=10.0,
    )
    if answer.status_code != 200:
        raise RuntimeError(f"the gateway refused the demo bank's push endpoint: {answer.text}")
