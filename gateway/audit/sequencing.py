"""The audit sequencer as the gateway runs it: signed with the gateway's checkpoint key."""

from __future__ import annotations

from sqlalchemy import Engine

from consent.audit.checkpoints import CheckpointSigner
from consent.audit.sequencer import Sequencer
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import Settings


def checkpoint_signer(keys: KeyStore, settings: Settings) -> CheckpointSigner:
    return CheckpointSigner(
        key=keys.signing_key(KeyPurpose.AUDIT_CHECKPOINT),
        algorithm=keys.algorithm(KeyPurpose.AUDIT_CHECKPOINT),
        origin=f"{settings.issuer_url}/audit/v1",
    )


def create_sequencer(engine: Engine, keys: KeyStore, settings: Settings) -> Sequencer:
    return Sequencer(
        engine,
        checkpoint_signer(keys, settings),
        interval_seconds=settings.audit_sequencer_interval_seconds,
    )
