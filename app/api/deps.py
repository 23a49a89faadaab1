"""What routes are given: a database session, the extraction pipeline, and `run_query`, which runs a read
where it costs least. The app's settings are `request.app.state.settings` (create_app)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Path, Request
from sqlalchemy import Engine
from sqlmodel import Session

from app.db import time_limit_of
from app.extraction.pipeline import Pipeline, get_pipeline
from app.sql import Db

__all__ = [
    "ClaimId",
    "EntityId",
    "PipelineDep",
    "SessionDep",
    "SourceId",
    "get_session",
    "run_query",
]

T = TypeVar("T")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request on the app's engine; the route commits."""
    with Session(request.app.state.engine) as session:
        yield session


def _pipeline() -> Pipeline:
    return get_pipeline()


# Path parameters, documented once (the examples are ids of the seeds, which are stable across reloads).
ClaimId = Annotated[str, Path(description="Claim id (`c_…`)", examples=["c_56f8b61997af18c7"])]
SourceId = Annotated[str, Path(description="Source id (`src_…`)", examples=["src_56f8b6198e1b"])]
EntityId = Annotated[
    str,
    Path(description="Entity id; an alias or old id answers 301 to the canonical one", examples=["huawei"]),
]

SessionDep = Annotated[Session, Depends(get_session)]
PipelineDep = Annotated[Pipeline, Depends(_pipeline)]


def _run(engine: Engine, query: Callable[[Db], T]) -> T:
    connection = engine.raw_connection()
    try:
        return query(Db(connection.driver_connection, engine.dialect.name, time_limit_of(engine)))
    finally:
        connection.close()


async def run_query(request: Request, query: Callable[[Db], T], *, inline: bool) -> T:
    """Run a read (a function of app.queries over a Db). On SQLite an `inline` one (one index range read:
    `app.queries.runs_inline`) runs on the event loop over the app's own reader connection, where it costs
    less than the hop to a thread. Everything else, and every PostgreSQL read (network I/O), runs in the
    threadpool on a pooled connection, at most AIKB_READ_CONCURRENCY at once."""
    engine: Engine = request.app.state.engine
    state = request.app.state
    if inline and engine.dialect.name == "sqlite":
        reader = getattr(state, "sqlite_reader", None)
        if reader is None:
            reader = state.sqlite_reader = engine.raw_connection()
        return query(Db(reader.driver_connection, "sqlite", time_limit_of(engine)))
    limiter = getattr(state, "read_limiter", None)
    if limiter is None:  # made on first use: a limiter belongs to the running event loop
        limiter = state.read_limiter = CapacityLimiter(state.settings.aikb_read_concurrency)
    # Queued here, not on the CPU: a query's time limit counts its own running time, not that of forty
    # others sharing the core with it.
    return await to_thread.run_sync(_run, engine, query, limiter=limiter)
