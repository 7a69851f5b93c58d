"""One database session per request: committed when the route succeeds, rolled back otherwise.

The commit happens before the response is sent (dependency scope "function"),
so a client never receives an answer whose change, or whose audit record,
was not durably written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
