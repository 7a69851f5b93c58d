"""The answers a consent gives for a derived question, counted durably.

A count is taken in the caller's transaction, the one that appends the answer's
audit entry: both are committed, or neither. Taking one is a single conditional
UPDATE (``used < budget``), so two processes answering at once never give more
answers than the budget between them.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consent.answers.models import AnswerCount


def used(session: Session, consent_id: str, product_id: str) -> int:
    count = session.scalar(
        select(AnswerCount.used).where(
            AnswerCount.consent_id == consent_id, AnswerCount.product_id == product_id
        )
    )
    return count or 0


def _take_counted(session: Session, consent_id: str, product_id: str, budget: int) -> bool:
    result = session.execute(
        update(AnswerCount)
        .where(
            AnswerCount.consent_id == consent_id,
            AnswerCount.product_id == product_id,
            AnswerCount.used < budget,
        )
        .values(used=AnswerCount.used + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def take(session: Session, consent_id: str, product_id: str, budget: int) -> int | None:
    """Count one answer; the answers left after it, or None when none was left."""
    if not _take_counted(session, consent_id, product_id, budget):
        if budget < 1 or used(session, consent_id, product_id) > 0:
            return None
        try:
            with session.begin_nested():
                session.add(AnswerCount(consent_id=consent_id, product_id=product_id, used=1))
        except IntegrityError:
            # Another request counted the first answer at the same moment: count after it.
            if not _take_counted(session, consent_id, product_id, budget):
                return None
    return budget - used(session, consent_id, product_id)
