"""The gateway answers as its OpenAPI document says, checked by generated requests.

Schemathesis makes requests from the served document, over real HTTP, to a
gateway in test mode on a real database: the answer's status must be one the
document declares for the operation, its body must match the declared schema
(problem+json included), and nothing is a server error. The run is bounded
and derandomized (the same requests every time). Callers present the
credentials each API takes: the admin token, a bank's token, an agency's;
a bank's DPoP-bound data token is not made here, so the data API is checked
on its refusals. Some requests go without credentials, so that the refusals
of authenticated operations are checked too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from consent.audit.log import append
from consent.storage.database import create_database_engine
from gateway.app import create_app
from gateway.audit.sequencing import create_sequencer
from gateway.cli.openapi import GATEWAY_DOCUMENT
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import consumer_claim
from gateway.settings import DeploymentMode, Settings
from tests.audit_support import event
from tests.banks import register_bank
from tests.oauth_helpers import ORGANISATIONS, Bank, register
from tests.servers import running_server

ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "conformance-admin-token"
BANK = "984851006"
AGENCY = "974761076"
EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    negative_data_rejection,
]


# The committed document, which test_openapi keeps equal to the one the gateway serves.
SCHEMA = schemathesis.openapi.from_path(str(ROOT / GATEWAY_DOCUMENT))
OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in json.loads((ROOT / GATEWAY_DOCUMENT).read_text())["paths"].items()
    for method in operations
)


# What the gateway answers when a request's shape is wrong (as opposed to its meaning).
SHAPE_REFUSALS = frozenset({"invalid-request", "malformed-json"})


class Gateway:
    def __init__(
        self, url: str, credentials: dict[str, dict[str, str]], oauth_client: Bank
    ) -> None:
        self.url = url
        self.credentials = credentials
        self.oauth_client = oauth_client

    def headers_for(self, path: str) -> dict[str, str]:
        for prefix, headers in self.credentials.items():
            if path.startswith(prefix):
                return headers
        return {}


@pytest.fixture(scope="module")
def gateway(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    settings_ = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=DeploymentMode.TEST,
        database_url=database_url,
        issuer_url="http://testserver",
        key_dir=tmp_path_factory.mktemp("keys"),
        admin_token=ADMIN_TOKEN,
        audit_sequencer_thread=False,  # checkpoints are signed when this fixture says
    )
    app = create_app(settings_)
    app.state.organisation_lookup = ORGANISATIONS  # the register, as Brønnøysund would answer
    engine = create_database_engine(database_url, pool_size=2)
    registered = register(engine)  # a bank with keys, for the authorization server's answers
    with Session(engine) as session:
        bank = register_bank(session, BANK)
        append(session, event(1))
        session.commit()
    create_sequencer(engine, app.state.keys, settings_).drain()  # a signed checkpoint to read
    engine.dispose()

    def bearer(client_id: str, scope: str, organisation: str) -> dict[str, str]:
        token, _ = issue_access_token(
            app.state.keys,
            issuer="http://testserver",
            client_id=client_id,
            scopes=[scope],
            extra_claims={"consumer": consumer_claim(organisation)},
        )
        return {"Authorization": f"Bearer {token}"}

    credentials = {
        "/admin/": {"Authorization": f"Bearer {ADMIN_TOKEN}"},
        "/consent/": bearer(bank.client_id, "samtykke:consentrequests", BANK),
        "/audit/": bearer("agency-conformance", "audit:read", AGENCY),
    }
    with running_server(app) as url:
        yield Gateway(url, credentials, registered)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_gateway_answers_as_its_document_says(gateway: Gateway, method: str, path: str) -> None:
    operation = SCHEMA[path][method]
    # Requests the document calls valid, and requests it calls invalid: each must be answered as
    # the document says; a valid one is never refused for its shape, an invalid one always is.
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE).map(lambda case: (True, case)),
        operation.as_strategy(GenerationMode.NEGATIVE).map(lambda case: (False, case)),
    )

    # Mostly with the caller's credentials, sometimes without: the refusal must conform too.
    @given(labelled=cases, with_credentials=st.sampled_from([True, True, False]))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(labelled: tuple[bool, Case], with_credentials: bool) -> None:
        valid, case = labelled
        headers = gateway.headers_for(case.path) if with_credentials else {}
        response = case.call_and_validate(base_url=gateway.url, headers=headers, checks=CHECKS)
        if valid:
            assert _shape_refused(response) is None, (
                f"{case.as_curl_command()} is valid by the document, and was refused for its "
                f"shape: {response.text}"
            )

    answers_as_documented()


def _shape_refused(response: Any) -> str | None:
    """The problem code when the gateway refused a request's shape, else None."""
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    if media_type not in {"application/json", "application/problem+json"}:
        return None
    body = response.json()
    code = body.get("code") if isinstance(body, dict) else None
    return code if code in SHAPE_REFUSALS else None


def test_the_authorization_servers_answers_are_as_documented(gateway: Gateway) -> None:
    """The generated requests cannot sign a client assertion; a registered client can."""
    oauth_client = gateway.oauth_client

    def answered(path: str, form: dict[str, str]) -> Any:
        case = SCHEMA[path]["POST"].Case(body=form, media_type="application/x-www-form-urlencoded")
        response = case.call(base_url=gateway.url)
        case.validate_response(response, checks=CHECKS)
        return response

    issued = answered("/oauth/token", oauth_client.token_form(scope="samtykke:consentrequests"))
    assert issued.status_code == 200
    token = issued.json()["access_token"]
    introspected = answered("/oauth/introspect", oauth_client.token_form(token=token))
    assert introspected.json()["active"] is True
    revoked = answered("/oauth/revoke", oauth_client.token_form(token=token))
    assert revoked.status_code == 200
    refused = answered("/oauth/token", oauth_client.token_form(scope="audit:read"))
    assert refused.json()["error"] == "invalid_scope"
