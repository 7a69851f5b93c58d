"""Every query on the client registry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.clients.models import Client


def get(session: Session, client_id: str) -> Client | None:
    return session.get(Client, client_id)


def version_of(session: Session, client_id: str) -> tuple[str, datetime] | None:
    """The client's status and last change, for caches to check their copy against."""
    row = session.execute(
        select(Client.status, Client.updated_at).where(Client.client_id == client_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def by_organisation(session: Session, organisation_number: str) -> Sequence[Client]:
    query = select(Client).where(Client.organisation_number == organisation_number)
    return session.scalars(query.order_by(Client.created_at)).all()


def all_clients(session: Session) -> Sequence[Client]:
    return session.scalars(select(Client).order_by(Client.created_at)).all()


def add(session: Session, client: Client) -> Client:
    session.add(client)
    session.flush()
    return client
