"""One database session per request: committed when the route succeeds, rolled back otherwise.

The commit happens before the response is sent (dependency scope "function"),
so a client never receives an answer whose change, or whose audit record,
was not durably written. An :class:`~gateway.problems.AuditedRefusal` commits
too: what it keeps is the audit record of the refused attempt.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from gateway.problems import AuditedRefusal

T = TypeVar("T")


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def _finish(session: Session, end: Callable[[Session], None]) -> None:
    # Shielded, so a client that hangs up does not leave the transaction open;
    # a limiter of its own, so ending never waits behind requests that are
    # themselves waiting for a pooled connection.
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(end, session, limiter=anyio.CapacityLimiter(1))


async def get_session(request: Request) -> AsyncIterator[Session]:
    # A new session does no I/O (it takes a connection at its first query), so
    # it is made on the event loop: one hop to a worker thread fewer per request
    # than a synchronous dependency, which enters in a thread too.
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session = factory()
    try:
        yield session
    except AuditedRefusal:
        # The refusal itself is the change: keep its audit record.
        await _finish(session, _commit_and_close)
        raise
    except BaseException:
        await _finish(session, _rollback_and_close)
        raise
    await _finish(session, _commit_and_close)


DbSession = Annotated[Session, Depends(get_session, scope="function")]


def in_session(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in a new session and end it as `get_session` does, all in this thread.

    For a route that does all its database work in one worker thread anyway:
    the session is opened, used, committed (or rolled back) and closed in one
    hop to the thread pool instead of two (see `run_in_session`). The thread
    always finishes, even when the client hangs up, so the transaction is
    never left open.
    """
    session = factory()
    try:
        result = work(session)
    except AuditedRefusal:
        _commit_and_close(session)
        raise
    except BaseException:
        _rollback_and_close(session)
        raise
    _commit_and_close(session)
    return result


async def run_in_session(
    request: Request, factory: sessionmaker[Session], work: Callable[[Session], T]
) -> T:
    """`in_session(factory, work)` on the app's request threads (`app.state.request_executor`).

    A plain executor rather than AnyIO's worker threads: handing a call to
    it and back costs a lock-free queue put and one wake-up of the event
    loop, where AnyIO's pool (a Condition per hand-off) cost about a seventh
    of a token request's CPU time in profiles.
    """
    loop = asyncio.get_running_loop()
    executor = request.app.state.request_executor
    return await loop.run_in_executor(executor, in_session, factory, work)
