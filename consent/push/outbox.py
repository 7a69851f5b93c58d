"""Every query on push endpoints and the outbox of deliveries.

A delivery row is written for each client with a push endpoint in the same
transaction as the consent event it carries (see `enqueue`), so an event
committed is an event owed. Workers take due rows with a lease
(`claim_due`): a conditional update, so that two workers never hold the same
row, on PostgreSQL (where SKIP LOCKED also keeps them from waiting on each
other) and on SQLite (where writers take turns). A row is due only when no
earlier row of the same consent for the same client is still pending: events
of one consent arrive in the order they happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from consent.clients.models import Client, ClientStatus
from consent.consents import repository as consents
from consent.consents.models import ConsentEvent
from consent.push.models import DeliveryStatus, PushDelivery, PushEndpoint

ERROR_LENGTH = 500


def get_endpoint(session: Session, client_id: str) -> PushEndpoint | None:
    return session.get(PushEndpoint, client_id)


def set_endpoint(session: Session, client: Client, url: str, now: datetime) -> PushEndpoint:
    endpoint = get_endpoint(session, client.client_id)
    if endpoint is None:
        endpoint = PushEndpoint(
            client_id=client.client_id,
            organisation_number=client.organisation_number,
            url=url,
            created_at=now,
            updated_at=now,
        )
        session.add(endpoint)
    else:
        endpoint.url = url
        endpoint.updated_at = now
    session.flush()
    return endpoint


def remove_endpoint(session: Session, client_id: str) -> bool:
    """Remove the endpoint and every delivery still owed to it; False when there was none."""
    endpoint = get_endpoint(session, client_id)
    if endpoint is None:
        return False
    session.execute(delete(PushDelivery).where(PushDelivery.client_id == client_id))
    session.delete(endpoint)
    session.flush()
    return True


def _new_delivery(client_id: str, event: ConsentEvent, now: datetime) -> PushDelivery:
    return PushDelivery(
        client_id=client_id,
        feed_position=event.id,
        event_id=event.event_id,
        consent_id=event.consent_id,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )


def enqueue(session: Session, event: ConsentEvent, now: datetime) -> int:
    """Owe `event` to every active client of its bank that has a push endpoint."""
    query = (
        select(PushEndpoint.client_id)
        .join(Client, Client.client_id == PushEndpoint.client_id)
        .where(
            PushEndpoint.organisation_number == event.bank_organisation_number,
            Client.status == ClientStatus.ACTIVE.value,
        )
    )
    client_ids = session.scalars(query).all()
    for client_id in client_ids:
        session.add(_new_delivery(client_id, event, now))
    if client_ids:
        session.flush()
    return len(client_ids)


def claim_due(
    session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int
) -> Sequence[PushDelivery]:
    """Lease up to `limit` due deliveries to `worker`, oldest first; the caller commits."""
    earlier = aliased(PushDelivery)
    blocked = (
        exists()
        .where(
            earlier.client_id == PushDelivery.client_id,
            earlier.consent_id == PushDelivery.consent_id,
            earlier.status == DeliveryStatus.PENDING.value,
            earlier.feed_position < PushDelivery.feed_position,
        )
        .correlate(PushDelivery)
    )
    free = or_(PushDelivery.claimed_until.is_(None), PushDelivery.claimed_until <= now)
    candidates = session.scalars(
        select(PushDelivery.id)
        .where(
            PushDelivery.status == DeliveryStatus.PENDING.value,
            PushDelivery.next_attempt_at <= now,
            free,
            ~blocked,
        )
        .order_by(PushDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=PushDelivery)
    ).all()
    if not candidates:
        return []
    # The condition is checked again as the row is written: another worker that
    # read the same rows before our update takes none of them.
    session.execute(
        update(PushDelivery)
        .where(
            PushDelivery.id.in_(candidates),
            PushDelivery.status == DeliveryStatus.PENDING.value,
            free,
        )
        .values(claimed_by=worker, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return session.scalars(
        select(PushDelivery)
        .where(PushDelivery.id.in_(candidates), PushDelivery.claimed_by == worker)
        .order_by(PushDelivery.id)
        .execution_options(populate_existing=True)
    ).all()


def oldest_due(session: Session, now: datetime) -> datetime | None:
    """When the longest-waiting delivery that is due fell due (None: nothing is due).

    One step along `ix_push_deliveries_due`. Rows held back behind an earlier
    row of their consent count too: they wait just the same.
    """
    return session.scalar(
        select(func.min(PushDelivery.next_attempt_at)).where(
            PushDelivery.status == DeliveryStatus.PENDING.value,
            PushDelivery.next_attempt_at <= now,
        )
    )


def _held(delivery_id: int, worker: str) -> ColumnElement[bool]:
    """The row, while `worker` still holds its lease: a worker that lost it records nothing."""
    return and_(
        PushDelivery.id == delivery_id,
        PushDelivery.claimed_by == worker,
        PushDelivery.status == DeliveryStatus.PENDING.value,
    )


def delivered(session: Session, delivery_id: int, *, worker: str) -> None:
    session.execute(
        delete(PushDelivery)
        .where(_held(delivery_id, worker))
        .execution_options(synchronize_session=False)
    )


def retry_later(
    session: Session,
    delivery_id: int,
    *,
    worker: str,
    now: datetime,
    at: datetime,
    status: int | None,
    error: str,
) -> None:
    session.execute(
        update(PushDelivery)
        .where(_held(delivery_id, worker))
        .values(
            attempts=PushDelivery.attempts + 1,
            next_attempt_at=at,
            last_attempt_at=now,
            last_status=status,
            last_error=error[:ERROR_LENGTH],
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )


def dead_letter(
    session: Session,
    delivery_id: int,
    *,
    worker: str,
    now: datetime,
    status: int | None,
    error: str,
) -> None:
    session.execute(
        update(PushDelivery)
        .where(_held(delivery_id, worker))
        .values(
            status=DeliveryStatus.FAILED.value,
            attempts=PushDelivery.attempts + 1,
            last_attempt_at=now,
            last_status=status,
            last_error=error[:ERROR_LENGTH],
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )


def failures(session: Session, client_id: str, *, limit: int) -> Sequence[PushDelivery]:
    """The client's dead-lettered deliveries, in feed order."""
    query = (
        select(PushDelivery)
        .where(
            PushDelivery.client_id == client_id,
            PushDelivery.status == DeliveryStatus.FAILED.value,
        )
        .order_by(PushDelivery.feed_position)
        .limit(limit)
    )
    return session.scalars(query).all()


def pending_count(session: Session, client_id: str) -> int:
    query = select(func.count()).where(
        PushDelivery.client_id == client_id, PushDelivery.status == DeliveryStatus.PENDING.value
    )
    return session.scalar(query) or 0


@dataclass(frozen=True)
class Replay:
    queued: int
    position: int  # the feed position of the last event looked at
    complete: bool  # False: more events follow `position`; replay again from there


def replay(
    session: Session, endpoint: PushEndpoint, *, after: int, limit: int, now: datetime
) -> Replay:
    """Owe the client again every event of its bank after feed position `after`.

    Events still pending are not queued twice; failed deliveries of the
    replayed events give way to the new ones.
    """
    events = [
        event
        for event, _party in consents.events_of_bank(
            session, endpoint.organisation_number, after=after, limit=limit
        )
    ]
    if not events:
        return Replay(0, after, True)
    positions = [event.id for event in events]
    mine = PushDelivery.client_id == endpoint.client_id
    pending = set(
        session.scalars(
            select(PushDelivery.feed_position).where(
                mine,
                PushDelivery.status == DeliveryStatus.PENDING.value,
                PushDelivery.feed_position.in_(positions),
            )
        ).all()
    )
    session.execute(
        delete(PushDelivery)
        .where(
            mine,
            PushDelivery.status == DeliveryStatus.FAILED.value,
            PushDelivery.feed_position.in_(positions),
        )
        .execution_options(synchronize_session=False)
    )
    fresh = [event for event in events if event.id not in pending]
    session.add_all(_new_delivery(endpoint.client_id, event, now) for event in fresh)
    session.flush()
    return Replay(len(fresh), positions[-1], len(events) < limit)
