"""Every gateway endpoint a bank or an agency calls, as data both clients send the same way."""

from __future__ import annotations

import json
from typing import Any

from samtykke_client._core import Call, ClientAuthenticated
from samtykke_client.types import AuditFilters, ExportFormat

CONSENT_REQUESTS_SCOPE = "samtykke:consentrequests"
DATA_SCOPE = "samtykke:data"
AUDIT_SCOPE = "audit:read"
CONSENT_DETAILS_TYPE = "urn:samtykke:consent"
CONSENT_REQUEST_DETAILS_TYPE = "urn:samtykke:consent-request"
PERSON_URN_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_URN_PREFIX = "urn:altinn:organization:identifier-no:"
CONSENT_REQUESTS = "/consent/v1/consentrequests"


def consent_details(consent_id: str, party: str) -> list[dict[str, Any]]:
    """The authorization_details of a data token bound to one consent of one party: a
    person's national identity number (11 digits) or, for an enterprise's consent, its
    organisation number (9 digits)."""
    prefix = ORGANISATION_URN_PREFIX if len(party) == 9 else PERSON_URN_PREFIX
    return [{"type": CONSENT_DETAILS_TYPE, "id": consent_id, "from": prefix + party}]


# -- consent requests --------------------------------------------------------------
def create_consent_request(request: dict[str, Any]) -> Call:
    return Call("POST", CONSENT_REQUESTS, CONSENT_REQUESTS_SCOPE, json_body=request)


def get_consent_request(consent_id: str) -> Call:
    return Call("GET", f"{CONSENT_REQUESTS}/{consent_id}", CONSENT_REQUESTS_SCOPE)


def withdraw_consent_request(consent_id: str) -> Call:
    return Call("DELETE", f"{CONSENT_REQUESTS}/{consent_id}", CONSENT_REQUESTS_SCOPE, result="none")


def consent_events(continuation_token: str | None) -> Call:
    params = {"continuationToken": continuation_token} if continuation_token else None
    return Call("GET", "/consent/v1/consentrequest-events", CONSENT_REQUESTS_SCOPE, params=params)


def receipt(consent_id: str) -> Call:
    return Call(
        "GET", f"{CONSENT_REQUESTS}/{consent_id}/receipt", CONSENT_REQUESTS_SCOPE, result="text"
    )


def receipt_keys() -> Call:
    return Call("GET", "/.well-known/receipt-keys.json")


# -- consented data ------------------------------------------------------------------
def data(path: str, consent_id: str, person: str, params: dict[str, str | None]) -> Call:
    given = {name: value for name, value in params.items() if value}
    return Call(
        "GET",
        path,
        DATA_SCOPE,
        authorization_details=consent_details(consent_id, person),
        params=given or None,
    )


# -- derived answers -------------------------------------------------------------------
ANSWERS = "/answers/v1"
ANSWER_KEYS_PATH = "/.well-known/answer-keys.json"


def answer(question: str, consent_id: str, party: str, parameters: dict[str, str]) -> Call:
    return Call(
        "GET",
        f"{ANSWERS}/{question}",
        DATA_SCOPE,
        authorization_details=consent_details(consent_id, party),
        params=dict(parameters) or None,
    )


def answer_keys() -> Call:
    return Call("GET", ANSWER_KEYS_PATH)


# -- the agency audit API --------------------------------------------------------------
def search_audit_entries(filters: AuditFilters | None, page_size: int, cursor: str | None) -> Call:
    body: dict[str, Any] = {"filters": dict(filters or {}), "pageSize": page_size}
    if cursor is not None:
        body["cursor"] = cursor
    return Call("POST", "/audit/v1/entries/search", AUDIT_SCOPE, json_body=body)


def export_audit_entries(filters: AuditFilters | None, export_format: ExportFormat) -> Call:
    body = {"filters": dict(filters or {}), "format": export_format}
    return Call("POST", "/audit/v1/exports", AUDIT_SCOPE, json_body=body, result="text")


def latest_checkpoint() -> Call:
    return Call("GET", "/audit/v1/checkpoints/latest", AUDIT_SCOPE)


def checkpoint(tree_size: int) -> Call:
    return Call("GET", f"/audit/v1/checkpoints/{tree_size}", AUDIT_SCOPE)


def inclusion_proof(
    sequence_number: int | None, entry_id: str | None, tree_size: int | None
) -> Call:
    if (sequence_number is None) == (entry_id is None):
        raise ValueError("give exactly one of sequence_number and entry_id")
    params = {
        name: str(value)
        for name, value in (
            ("sequenceNumber", sequence_number),
            ("entryId", entry_id),
            ("treeSize", tree_size),
        )
        if value is not None
    }
    return Call("GET", "/audit/v1/proofs/inclusion", AUDIT_SCOPE, params=params)


def consistency_proof(old_size: int, new_size: int) -> Call:
    params = {"oldSize": str(old_size), "newSize": str(new_size)}
    return Call("GET", "/audit/v1/proofs/consistency", AUDIT_SCOPE, params=params)


def checkpoint_keys() -> Call:
    return Call("GET", "/.well-known/audit-checkpoint-keys.json")


# -- the authorization server (form posts authenticated with private_key_jwt) -------------
def client_credentials(
    scope: str, authorization_details: list[dict[str, Any]] | None
) -> ClientAuthenticated:
    form = {"grant_type": "client_credentials", "scope": scope}
    if authorization_details is not None:
        form["authorization_details"] = json.dumps(authorization_details)
    return ClientAuthenticated("token_endpoint", form)


def pushed_authorization_request(
    authorization_details: list[dict[str, Any]],
    *,
    redirect_uri: str,
    code_challenge: str,
    state: str,
) -> ClientAuthenticated:
    """RFC 9126; the DPoP proof sent with it binds the code's token to the client's DPoP key."""
    form = {
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "state": state,
        "authorization_details": json.dumps(authorization_details),
    }
    return ClientAuthenticated("pushed_authorization_request_endpoint", form)


def authorization_code(code: str, *, redirect_uri: str, code_verifier: str) -> ClientAuthenticated:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    return ClientAuthenticated("token_endpoint", form)


def introspect(token: str) -> ClientAuthenticated:
    return ClientAuthenticated("introspection_endpoint", {"token": token}, dpop=False)


def revoke(token: str) -> ClientAuthenticated:
    return ClientAuthenticated("revocation_endpoint", {"token": token}, dpop=False)
