"""Apply Alembic migrations programmatically (the loader, the CLI and the tests use this)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

__all__ = [
    "alembic_config",
    "at_head",
    "current_revisions",
    "downgrade",
    "head_revisions",
    "include_object",
    "upgrade",
]

ROOT = Path(__file__).resolve().parents[1]


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """What autogenerate compares: not the full-text and relevance structures migrations 0002 and 0006
    manage by hand."""
    if type_ == "table" and name is not None and name.startswith("claim_fts"):
        return False
    if (
        type_ == "column"
        and name in ("search", "nwords")
        and getattr(getattr(obj, "table", None), "name", None) == "claim"
    ):
        return False
    return not (type_ == "index" and name in ("ix_claim_search", "ix_claim_nwords"))


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# pg_advisory_lock key for migrating: replicas starting together on one PostgreSQL database take turns, and
# every one after the first finds the schema at head and has nothing to do.
MIGRATION_LOCK = 0x61696B62  # "aikb"


@contextmanager
def _migration_lock(url: str, engine: Engine) -> Iterator[None]:
    """Held while migrating: a session advisory lock on PostgreSQL, an exclusive lock on a file next to
    the database on SQLite (processes of one host; an in-memory database needs none)."""
    from app.db import is_sqlite

    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if not path or path == ":memory:":
            yield
            return
        with open(f"{path}.migrate-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`, then fill what the read projection lacks; concurrent
    callers (replicas or workers starting together) take turns instead of racing to create the tables."""
    from app.db import engine_for

    engine = engine_for(url)
    try:
        with _migration_lock(url, engine):
            command.upgrade(alembic_config(url), revision)
            if revision == "head":
                from app.projection import refresh

                refresh(engine)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@lru_cache
def head_revisions() -> frozenset[str]:
    """The newest migrations' ids (read from migrations/ once: /ready asks on every probe)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (empty when never migrated)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def at_head(engine: Engine) -> bool:
    """True when the database's revision is the newest migration."""
    with engine.connect() as conn:
        return current_revisions(conn) == head_revisions()
