"""Migrations: upgrade from empty, downgrade to empty, and the head matches models.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import engine_for
from app.migrate import at_head, downgrade, include_object, upgrade
from tests.conftest import Database


def test_upgrade_from_empty_then_downgrade_to_empty(database: Database) -> None:
    url = database.new()
    engine = engine_for(url)
    try:
        upgrade(url)
        assert at_head(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        downgrade(url, "base")
        remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade(url)
        assert at_head(engine)
    finally:
        engine.dispose()


def test_models_match_head_revision(database: Database) -> None:
    url = database.new()
    engine = engine_for(url)
    try:
        upgrade(url)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": include_object}
                ),
                SQLModel.metadata,
            )
        assert diff == []
    finally:
        engine.dispose()


def test_concurrent_upgrades_of_an_empty_database_take_turns(database: Database) -> None:
    """Replicas (or `aikb load` next to `aikb serve`) starting together on an empty database: every
    upgrade succeeds and the schema is at head once."""
    url = database.new()
    with ThreadPoolExecutor(max_workers=3) as pool:
        errors = [f.exception() for f in [pool.submit(upgrade, url) for _ in range(3)]]
    assert errors == [None, None, None]
    engine = engine_for(url)
    try:
        assert at_head(engine)
    finally:
        engine.dispose()
