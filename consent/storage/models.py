"""Every table of the gateway, gathered so that Alembic sees the whole schema.

Each domain module defines its models on :class:`consent.storage.base.Base`;
importing them here registers them.
"""

from __future__ import annotations

from consent.answers.models import AnswerCount
from consent.audit.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditLeaf,
    AuditPending,
    AuditTreeNode,
)
from consent.authorization.models import (
    AuthorizationCode,
    PushedAuthorizationRequest,
    RevokedToken,
    UsedJti,
)
from consent.citizen_sessions.models import CitizenSession
from consent.clients.models import Client
from consent.consents.models import Consent, ConsentEvent
from consent.push.models import PushDelivery, PushEndpoint
from consent.quotas.models import QuotaWindow
from consent.storage.base import Base

__all__ = [
    "AnswerCount",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditLeaf",
    "AuditPending",
    "AuditTreeNode",
    "AuthorizationCode",
    "Base",
    "CitizenSession",
    "Client",
    "Consent",
    "ConsentEvent",
    "PushDelivery",
    "PushEndpoint",
    "PushedAuthorizationRequest",
    "QuotaWindow",
    "RevokedToken",
    "UsedJti",
]
