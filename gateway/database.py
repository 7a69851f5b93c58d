"""One database session per request: committed when the route succeeds, rolled back otherwise.

The commit happens before the response is sent (dependency scope "function"),
so a client never receives an answer whose change, or whose audit record,
was not durably written. An :class:`~gateway.problems.AuditedRefusal` commits
too: what it keeps is the audit record of the refused attempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from gateway.problems import AuditedRefusal


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        try:
            yield session
        except AuditedRefusal:
            # The refusal itself is the change: keep its audit record.
            session.commit()
            raise
        except BaseException:
            session.rollback()
            raise
        session.commit()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
