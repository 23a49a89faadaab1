"""The read projection stays equal to what the normalised tables say, through every kind of write."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder, sync_catalog
from app.migrate import downgrade, upgrade
from app.models import NO_DAY
from app.projection import ClaimRows, documents, entity_refs, facet_deltas, rebuild_facet_counts, refresh
from app.sql import Db
from tests.conftest import Database

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(FIXTURES, target)
    return target


def facet_counts(engine: Engine) -> Counter[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT scope, facet, value, count FROM facet_count"))
        return Counter({(r[0], r[1], r[2]): r[3] for r in rows})


def recounted(engine: Engine) -> Counter[tuple[str, str, str]]:
    """The facet counts the claims in the tables add up to, counted from scratch."""
    with engine.connect() as conn:
        db = Db.of(conn)
        counts: Counter[tuple[str, str, str]] = Counter()
        for (source_id,) in db.rows("SELECT id FROM source"):
            counts.update(facet_deltas(ClaimRows.read(db, source_id=source_id)))
        return counts


def assert_projection_matches_tables(engine: Engine) -> int:
    """Every claim's stored document equals one rendered from the tables now; the kept facet counts equal
    a recount; the sort days of claims and their links agree. Returns how many claims were checked."""
    with engine.connect() as conn:
        db = Db.of(conn)
        ids = [r[0] for r in db.rows("SELECT id FROM claim ORDER BY id")]
        rows = ClaimRows.read(db, claim_ids=ids)
        rendered = {k: json.loads(v) for k, v in documents(rows, entity_refs(db, rows.entity_ids())).items()}
        stored = {r[0]: json.loads(r[1]) for r in conn.execute(text("SELECT id, doc FROM claim"))}
        assert stored == rendered
        days = {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT id, published, day FROM claim"))}
        for claim_id, (published, day) in days.items():
            assert str(day) == str(published or NO_DAY), claim_id
        for table in ("claim_topic", "claim_entity"):
            mismatched = conn.execute(
                text(f"SELECT count(*) FROM {table} x JOIN claim c ON c.id = x.claim_id WHERE x.day <> c.day")
            ).scalar_one()
            assert mismatched == 0, table
    kept = facet_counts(engine)
    assert kept == +recounted(engine)
    return len(ids)


def test_projection_is_written_at_ingest(engine: Engine, pipeline: Pipeline, folder: Path) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    assert assert_projection_matches_tables(engine) > 0
    assert facet_counts(engine)[("", "kind", "event")] > 0


def test_projection_follows_changed_text_dates_and_deletions(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    path = folder / "kimi_release.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + "Baidu released ERNIE 5 with 2.4 trillion parameters.\n",
        encoding="utf-8",
    )
    entries = json.loads((folder / "sources.json").read_text())
    dated = next(e for e in entries if e["file"] != "kimi_release.txt")
    dated["published"] = "2021-03-04"
    dated.pop("published_not_before", None)
    (folder / "sources.json").write_text(json.dumps(entries))
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert summary.changed == 2
    assert assert_projection_matches_tables(engine) > 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM claim WHERE day = '2021-03-04'")).scalar_one() > 0


def test_projection_follows_a_catalog_rename(engine: Engine, pipeline: Pipeline, folder: Path) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    with engine.connect() as conn:
        entity = conn.execute(
            text("SELECT entity_id FROM claim_entity GROUP BY entity_id ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
    catalog = pipeline.catalog
    renamed = dataclasses.replace(catalog.entities[entity], name="Renamed For The Test")
    changed = dataclasses.replace(catalog, entities={**catalog.entities, entity: renamed})
    with Session(engine) as session, session.begin():
        sync_catalog(session, catalog=changed)
    assert assert_projection_matches_tables(engine) > 0
    with engine.connect() as conn:
        docs = [r[0] for r in conn.execute(text("SELECT doc FROM claim"))]
    assert sum("Renamed For The Test" in d for d in docs) > 0


def test_rebuilt_counts_equal_the_tables(engine: Engine, pipeline: Pipeline, folder: Path) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    kept = facet_counts(engine)
    with engine.begin() as conn:
        rebuild_facet_counts(Db.of(conn))
    assert facet_counts(engine) == kept
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT kind, count(*) FROM claim GROUP BY kind")).all())
        chips = conn.execute(text("SELECT count(*) FROM claim_topic WHERE topic_id = 'chips'")).scalar_one()
    kept = facet_counts(engine)
    assert {k[2]: n for k, n in kept.items() if k[:2] == ("", "kind")} == kinds
    assert kept[("", "topic", "chips")] == chips == kept[("topic:chips", "topic", "chips")]


def test_documents_follow_a_date_that_becomes_exact(engine: Engine, pipeline: Pipeline, folder: Path) -> None:
    """The same day, now the day the article appeared rather than a lower bound: `published_basis` says
    so although no date moved."""
    load_folder(folder, engine=engine, pipeline=pipeline)
    entries = json.loads((folder / "sources.json").read_text())
    bounded = next(e for e in entries if e.get("published_not_before"))
    bounded["published"], bounded["published_not_before"] = bounded["published_not_before"], None
    (folder / "sources.json").write_text(json.dumps(entries))
    assert load_folder(folder, engine=engine, pipeline=pipeline).changed == 1
    assert assert_projection_matches_tables(engine) > 0
    with engine.connect() as conn:
        docs = [json.loads(r[0]) for r in conn.execute(text("SELECT doc FROM claim"))]
    assert {d["published_basis"] for d in docs if d["published"] == bounded["published"]} == {"published"}


def test_an_upgrade_renders_older_documents_again(
    database: Database, pipeline: Pipeline, folder: Path
) -> None:
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    try:
        load_folder(folder, engine=engine, pipeline=pipeline)
        with engine.connect() as conn:
            docs = {r[0]: json.loads(r[1]) for r in conn.execute(text("SELECT id, doc FROM claim"))}
        downgrade(url, "0006")
        with engine.begin() as conn:  # the documents the code before 0010 wrote: no published_basis
            for claim_id, doc in docs.items():
                old = json.dumps({k: v for k, v in doc.items() if k != "published_basis"})
                conn.execute(text("UPDATE claim SET doc = :doc WHERE id = :id"), {"doc": old, "id": claim_id})
        upgrade(url)
        assert assert_projection_matches_tables(engine) > 0
    finally:
        engine.dispose()


def test_claims_are_counted_by_month_and_a_database_counted_before_gets_those_counts(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    kept = facet_counts(engine)
    with engine.connect() as conn:
        by_month = dict(
            conn.execute(
                text(
                    "SELECT substr(CAST(day AS TEXT), 1, 7), count(*) FROM claim "
                    f"WHERE day > '{NO_DAY}' GROUP BY 1"
                )
            ).all()
        )
    assert by_month and {k[2]: n for k, n in kept.items() if k[:2] == ("", "month")} == by_month
    # A database whose counts were kept before months were: `aikb migrate` (refresh) counts them.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM facet_count WHERE facet = 'month'"))
    refresh(engine)
    assert facet_counts(engine) == kept
