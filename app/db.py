"""Engines: SQLite gets WAL, foreign keys and a busy timeout; either backend a per-statement time limit."""

from __future__ import annotations

import sqlite3
import time
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from app.config import get_settings

__all__ = [
    "TimedConnection",
    "engine_for",
    "get_engine",
    "is_sqlite",
    "is_timeout",
    "start_statement_clock",
    "time_limit_of",
]

_TIME_LIMITS: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


def time_limit_of(engine: Engine) -> int:
    """The statement time limit (ms) the engine was built with; 0 for none."""
    return _TIME_LIMITS.get(engine, 0)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class TimedConnection(sqlite3.Connection):
    """A SQLite connection whose statements stop at `deadline` (time.monotonic(); 0 = none): the progress
    handler runs every few thousand virtual-machine steps and interrupts the statement past it."""

    deadline: float = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_progress_handler(self._past_deadline, 4000)

    def _past_deadline(self) -> int:
        return 1 if self.deadline and time.monotonic() > self.deadline else 0


def is_timeout(exc: BaseException) -> bool:
    """True for the error a statement stopped by the time limit raises, on either backend (raw or wrapped)."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.OperationalError):
        return str(orig) == "interrupted"
    return type(orig).__name__ == "QueryCanceled"


def start_statement_clock(dbapi_connection: Any, limit_ms: int) -> None:
    """Arm the SQLite deadline of a raw connection for the next statement (PostgreSQL: statement_timeout)."""
    if isinstance(dbapi_connection, TimedConnection):
        dbapi_connection.deadline = time.monotonic() + limit_ms / 1000 if limit_ms else 0.0


def engine_for(url: str, *, time_limit_ms: int = 0) -> Engine:
    """A new engine for the URL with this project's connection settings. With `time_limit_ms`, every
    statement stops after that long (the API's engine; loading and migrations run without a limit)."""
    settings = get_settings()
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A SQLite connection is a file handle: no reason to make requests queue for one (a capped pool
        # timed out under 32 concurrent clients in bench/load_test.py). Writers still serialise in SQLite.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "factory": TimedConnection},
            pool_size=settings.db_pool_size,
            max_overflow=-1,
        )
        _TIME_LIMITS[engine] = time_limit_ms
        if time_limit_ms:

            @event.listens_for(engine, "before_cursor_execute")
            def _arm(
                conn: Any, _cursor: Any, _statement: Any, _params: Any, _context: Any, _many: Any
            ) -> None:
                start_statement_clock(conn.connection.driver_connection, time_limit_ms)

            @event.listens_for(engine, "checkin")
            def _disarm(dbapi_connection: Any, _record: Any) -> None:
                start_statement_clock(dbapi_connection, 0)

        busy = settings.sqlite_busy_timeout_ms

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint the WAL every ~32 MB rather than 4 MB: loading writes in bursts, and each
            # checkpoint is an fsync (docs/PERFORMANCE.md, Ingest).
            cursor.execute("PRAGMA wal_autocheckpoint=8000")
            cursor.close()

        return engine
    connect_args = {"options": f"-c statement_timeout={int(time_limit_ms)}"} if time_limit_ms else {}
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        connect_args=connect_args,
    )
    _TIME_LIMITS[engine] = time_limit_ms
    return engine


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for DATABASE_URL, with the API's query time limit."""
    settings = get_settings()
    return engine_for(settings.database_url, time_limit_ms=settings.query_time_limit_ms)
