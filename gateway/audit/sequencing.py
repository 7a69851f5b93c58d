"""The audit sequencer as the gateway runs it: signed with the gateway's checkpoint key.

Also the sequencing lag as a metric: how long the oldest entry not yet in
the tree has waited, read from the database at each scrape, so every
gateway process reports it whichever process sequences.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from consent.audit import repository
from consent.audit.canonical import as_utc
from consent.audit.checkpoints import CheckpointSigner
from consent.audit.sequencer import Sequencer
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import Settings

log = structlog.get_logger(__name__)


def checkpoint_signer(keys: KeyStore, settings: Settings) -> CheckpointSigner:
    return CheckpointSigner(
        key=keys.signing_key(KeyPurpose.AUDIT_CHECKPOINT),
        algorithm=keys.algorithm(KeyPurpose.AUDIT_CHECKPOINT),
        origin=f"{settings.issuer_url}/audit/v1",
    )


def create_sequencer(
    engine: Engine, keys: KeyStore, settings: Settings, *, interval_seconds: float | None = None
) -> Sequencer:
    return Sequencer(
        engine,
        checkpoint_signer(keys, settings),
        interval_seconds=interval_seconds or settings.audit_sequencer_interval_seconds,
    )


class SequencingLag(Collector):
    """`samtykke_audit_sequencing_lag_seconds`: the age of the oldest unsequenced entry.

    0 while the queue is empty; absent from a scrape when the database does not answer
    (the scrape itself still succeeds: /readyz reports the database).
    """

    NAME = "samtykke_audit_sequencing_lag_seconds"
    DOCUMENTATION = "Age of the oldest audit entry not yet in the signed tree (0: none)."

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering reads this, not collect(): no query when the app starts.
        yield GaugeMetricFamily(self.NAME, self.DOCUMENTATION)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with Session(self.engine) as session:
                oldest = repository.oldest_pending_occurred_at(session)
        except SQLAlchemyError:
            log.warning("sequencing_lag_unreadable")
            return
        lag = 0.0
        if oldest is not None:
            lag = max(0.0, (datetime.now(UTC) - as_utc(oldest)).total_seconds())
        yield GaugeMetricFamily(self.NAME, self.DOCUMENTATION, value=lag)
