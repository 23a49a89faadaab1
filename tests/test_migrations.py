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


def test_0008_turns_leads_around_and_adds_confidence(database: Database) -> None:
    """Stored `leads` rows read person -> organisation after the upgrade, with the ids their new direction
    hashes to (app.ingest.relation_id); catalog rows get confidence 1.0; the downgrade turns them back."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from app.ingest import relation_id as _relation_id
    from app.migrate import alembic_config

    url = database.new()
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision("0008").down_revision
    assert isinstance(before, str)
    upgrade(url, before)
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            for entity_id, kind in (("acme", "company"), ("jane-doe", "person"), ("beta", "company")):
                conn.execute(
                    text(
                        "INSERT INTO entity (id, name, type, description, attributes, origin) "
                        "VALUES (:id, :id, :type, '', '{}', 'catalog')"
                    ),
                    {"id": entity_id, "type": kind},
                )
            conn.execute(
                text(
                    "INSERT INTO source (id, key, authors, language, text, content_hash, extractor_version, "
                    "ingested_at, updated_at) VALUES ('src_0123456789ab', 'k', '[]', 'en', "
                    "'Acme CEO Jane Doe', 'h', '1.0.0', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            rows = [
                (
                    _relation_id("acme", "leads", "jane-doe", None, None),
                    "acme",
                    "leads",
                    "jane-doe",
                    "catalog",
                    None,
                    None,
                ),
                (
                    _relation_id("acme", "leads", "jane-doe", "src_0123456789ab", 0),
                    "acme",
                    "leads",
                    "jane-doe",
                    "article",
                    "src_0123456789ab",
                    0,
                ),
                (
                    _relation_id("acme", "owns", "beta", None, None),
                    "acme",
                    "owns",
                    "beta",
                    "catalog",
                    None,
                    None,
                ),
            ]
            for row in rows:
                conn.execute(
                    text(
                        "INSERT INTO relation (id, subject_id, predicate, object_id, origin, source_id, "
                        "start) VALUES (:id, :s, :p, :o, :origin, :source, :start)"
                    ),
                    dict(zip(("id", "s", "p", "o", "origin", "source", "start"), row, strict=True)),
                )
        upgrade(url)
        with engine.connect() as conn:
            after = set(
                conn.execute(
                    text("SELECT id, subject_id, predicate, object_id, origin, confidence FROM relation")
                )
            )
        assert after == {
            (
                _relation_id("jane-doe", "leads", "acme", None, None),
                "jane-doe",
                "leads",
                "acme",
                "catalog",
                1.0,
            ),
            (
                _relation_id("jane-doe", "leads", "acme", "src_0123456789ab", 0),
                "jane-doe",
                "leads",
                "acme",
                "article",
                None,
            ),
            (rows[2][0], "acme", "owns", "beta", "catalog", 1.0),
        }
        downgrade(url, before)
        with engine.connect() as conn:
            back = set(conn.execute(text("SELECT id, subject_id, predicate, object_id FROM relation")))
        assert back == {row[:4] for row in rows}
    finally:
        engine.dispose()
