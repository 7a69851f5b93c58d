"""The client registry stores banks and agencies; the consumer claim names their organisation."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.clients import repository
from consent.clients.models import Client, ClientKind
from gateway.security.scopes import consumer_claim, organisation_number_of


def test_clients_are_stored_and_found_by_organisation(engine: Engine) -> None:
    client_id = f"bank-{uuid.uuid4().hex[:8]}"
    with Session(engine) as session:
        repository.add(
            session,
            Client(
                client_id=client_id,
                kind=ClientKind.BANK.value,
                organisation_number="910000003",
                name="Fjordbanken ASA",
                jwks={"keys": []},
                redirect_uris=["https://bank.example/return"],
                data_products=["ske-samtykke-sbl-inntekt"],
                scopes=["samtykke:consentrequests"],
            ),
        )
        session.commit()
    with Session(engine) as session:
        stored = repository.get(session, client_id)
        assert stored is not None
        assert stored.is_active
        assert stored.redirect_uris == ["https://bank.example/return"]
        assert client_id in {c.client_id for c in repository.by_organisation(session, "910000003")}


def test_consumer_claim_round_trip() -> None:
    claims: dict[str, object] = {"consumer": consumer_claim("910000003")}
    assert organisation_number_of(claims) == "910000003"
    assert organisation_number_of({"consumer": {"ID": "9908:910000003"}}) is None
    assert organisation_number_of({}) is None
