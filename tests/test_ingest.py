"""The loader: idempotent reloads, atomic articles, clear messages for bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

import app.ingest as ingest
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from app.models import Claim, Entity, Mention, Relation, Source

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(FIXTURES, target)
    return target


def snapshot(engine: Engine) -> dict[str, set[tuple[object, ...]]]:
    """Every id and content-bearing column that a reload must leave alone."""
    queries = {
        "sources": "SELECT id, content_hash, updated_at FROM source",
        "claims": 'SELECT id, source_id, start, "end", kind FROM claim',
        "entities": "SELECT id, name, type, origin FROM entity",
        "relations": "SELECT id, subject_id, predicate, object_id FROM relation",
        "mentions": 'SELECT source_id, entity_id, start, "end" FROM mention',
    }
    with engine.connect() as conn:
        return {name: {tuple(row) for row in conn.execute(text(sql))} for name, sql in queries.items()}


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_first_load_reports_every_article_new(engine: Engine, pipeline: Pipeline, folder: Path) -> None:
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert (summary.new, summary.changed, summary.unchanged, summary.failed) == (3, 0, 0, [])
    assert summary.claims == count(engine, Claim) > 0
    assert count(engine, Source) == 3


def test_reload_changes_nothing_and_keeps_ids(engine: Engine, pipeline: Pipeline, folder: Path) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    before = snapshot(engine)
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 3)
    assert snapshot(engine) == before


def test_changed_text_is_reextracted_and_other_articles_untouched(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    before = snapshot(engine)
    path = folder / "kimi_release.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + "Baidu released ERNIE 5 with 2.4 trillion parameters.\n",
        encoding="utf-8",
    )
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 2)
    after = snapshot(engine)
    changed_source = {row[0] for row in after["sources"] - before["sources"]}
    assert len(changed_source) == 1
    kept = {row for row in before["claims"] if row[1] not in changed_source}
    assert kept <= after["claims"]
    with Session(engine) as session:
        texts = session.execute(select(Claim.text).where(Claim.source_id.in_(changed_source))).scalars().all()  # type: ignore[attr-defined]
    assert any("ERNIE 5" in t for t in texts)


def test_metadata_change_updates_without_reextracting(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    claims_before = snapshot(engine)["claims"]
    entries = json.loads((folder / "sources.json").read_text())
    entries[0]["title"] = "A better title"
    (folder / "sources.json").write_text(json.dumps(entries))
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert (summary.changed, summary.unchanged) == (1, 2)
    assert snapshot(engine)["claims"] == claims_before
    with Session(engine) as session:
        titles = session.execute(select(Source.title)).scalars().all()
    assert "A better title" in titles


def test_article_failing_midway_leaves_nothing_behind(
    engine: Engine, pipeline: Pipeline, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.write._write_extraction

    def write_then_fail(session: Session, source_id: str, *args: object) -> None:
        real(session, source_id, *args)  # type: ignore[arg-type]
        if source_id == ingest.source_id_for("https://example.test/kimi"):
            raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.write, "_write_extraction", write_then_fail)
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert summary.new == 2
    assert len(summary.failed) == 1 and "disk full" in summary.failed[0]
    failed_id = ingest.source_id_for("https://example.test/kimi")
    with Session(engine) as session:
        assert session.get(Source, failed_id) is None
        for model in (Claim, Mention, Relation):
            rows = session.execute(
                select(func.count()).select_from(model).where(model.source_id == failed_id)
            )  # type: ignore[attr-defined]
            assert rows.scalar_one() == 0
        discovered = session.execute(select(Entity.id).where(Entity.origin == "discovered")).scalars().all()
    assert "kimi-k9-preview" not in discovered
    monkeypatch.setattr(ingest.write, "_write_extraction", real)
    assert load_folder(folder, engine=engine, pipeline=pipeline).new == 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: (f / "kimi_release.txt").write_text(""), "kimi_release.txt: empty file"),
        (
            lambda f: (f / "kimi_release.txt").write_bytes(b"caf\xe9 \xff AI"),
            "kimi_release.txt: not valid UTF-8",
        ),
        (lambda f: (f / "stray.txt").write_text("Nvidia said so."), "stray.txt: not listed in sources.json"),
        (
            lambda f: (f / "kimi_release.txt").unlink(),
            "kimi_release.txt: listed in sources.json but not found",
        ),
        (
            lambda f: (f / "sources.json").write_text(
                (f / "sources.json")
                .read_text()
                .replace('"title": "Moonshot', '"headline": "x", "title": "Moonshot')
            ),
            "unknown fields ['headline']",
        ),
        (
            lambda f: (f / "sources.json").write_text(
                (f / "sources.json").read_text().replace('"2026-05-14"', '"14 May 2026"')
            ),
            "published '14 May 2026' is not a YYYY-MM-DD date",
        ),
    ],
    ids=["empty", "not-utf8", "unlisted", "missing", "unknown-field", "bad-date"],
)
def test_bad_file_gets_a_clear_message_and_the_rest_load(
    engine: Engine, pipeline: Pipeline, folder: Path, mutate: object, message: str
) -> None:
    mutate(folder)  # type: ignore[operator]
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    unlisted = message.startswith("stray")
    reported = summary.unlisted if unlisted else summary.failed
    assert len(summary.failed) == (0 if unlisted else 1), summary.failed  # once, as what it is
    assert len(reported) == 1 and message in reported[0], reported
    assert summary.unlisted == [] or unlisted  # a listed file that fails is not also "not listed"
    loaded = 3 if unlisted else 2
    assert summary.new == loaded
    assert count(engine, Source) == loaded


def test_discovered_entity_goes_when_its_only_article_stops_mentioning_it(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    load_folder(folder, engine=engine, pipeline=pipeline)
    with Session(engine) as session:
        assert session.get(Entity, "kimi-k9-preview") is not None
    path = folder / "kimi_release.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Kimi K9-Preview", "a new model"), encoding="utf-8"
    )
    assert load_folder(folder, engine=engine, pipeline=pipeline).changed == 1
    with Session(engine) as session:
        assert session.get(Entity, "kimi-k9-preview") is None
        assert session.get(Entity, "moonshot-ai") is not None  # catalog entities always stay


def test_paging_while_articles_are_added_returns_each_claim_once(
    engine: Engine, pipeline: Pipeline, folder: Path, client: object, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    load_folder(seeds, engine=engine, pipeline=pipeline)
    before = {row[0] for row in snapshot(engine)["claims"]}
    seen: list[str] = []
    params: dict[str, object] = {"limit": 20, "sort": "-published"}
    loaded_more = False
    while True:
        body = client.get("/claims", params=params).json()
        seen += [c["id"] for c in body["items"]]
        if not loaded_more:  # a writer adds articles between the first and second page
            load_folder(folder, engine=engine, pipeline=pipeline)
            loaded_more = True
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_each_bad_entry_is_counted_once_with_its_reason(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    """Five bad entries and one unlisted file: five failures and one unlisted file, nothing twice."""
    (folder / "empty.txt").write_text("")
    (folder / "latin1.txt").write_bytes(b"caf\xe9")
    (folder / "dated.txt").write_text("Huawei ships chips.")
    (folder / "extra.txt").write_text("Huawei ships chips.")
    (folder / "stray.txt").write_text("Nobody lists this file.")
    entries = json.loads((folder / "sources.json").read_text())
    entries += [
        {"file": "empty.txt"},
        {"file": "latin1.txt"},
        {"file": "missing.txt"},
        {"file": "dated.txt", "published": "2025-13-45"},
        {"file": "extra.txt", "headline": "x"},
    ]
    (folder / "sources.json").write_text(json.dumps(entries))
    summary = load_folder(folder, engine=engine, pipeline=pipeline)
    assert summary.new == 3
    reasons = [
        "empty file",
        "not valid UTF-8",
        "listed in sources.json but not found",
        "2025-13-45",
        "headline",
    ]
    assert len(summary.failed) == len(reasons)
    assert all(reason in message for reason, message in zip(reasons, summary.failed, strict=True))
    assert summary.unlisted == ["stray.txt: not listed in sources.json"]
    assert "5 failed, 1 unlisted file skipped" in summary.line()


def test_a_path_that_is_no_folder_says_what_it_is(
    engine: Engine, pipeline: Pipeline, folder: Path, tmp_path: Path
) -> None:
    for path, message in (
        (tmp_path / "nowhere", "no such folder"),
        (folder / "kimi_release.txt", "is a file, not a folder"),
        (tmp_path, "no sources.json in this folder"),
    ):
        with pytest.raises(ingest.ArticleError, match=message):
            load_folder(path, engine=engine, pipeline=pipeline)
    # The list itself names its folder.
    assert load_folder(folder / "sources.json", engine=engine, pipeline=pipeline).new == 3


def test_a_relation_the_catalog_drops_leaves_the_knowledge_base(
    engine: Engine, pipeline: Pipeline, folder: Path
) -> None:
    """Catalog corrections (a relation removed or turned around) reach a loaded database on the next sync."""
    import dataclasses

    load_folder(folder, engine=engine, pipeline=pipeline)
    catalog = pipeline.catalog
    dropped = next(r for r in catalog.relations if r.predicate == "leads")
    smaller = dataclasses.replace(catalog, relations=tuple(r for r in catalog.relations if r is not dropped))

    def catalog_triples() -> set[tuple[str, str, str]]:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Relation.subject_id, Relation.predicate, Relation.object_id).where(
                    Relation.origin == "catalog"
                )
            )
            return {tuple(r) for r in rows}  # type: ignore[misc]

    key = (dropped.subject, dropped.predicate, dropped.object)
    assert key in catalog_triples()
    with Session(engine) as session, session.begin():
        ingest.sync_catalog(session, catalog=smaller)
    assert key not in catalog_triples() and len(catalog_triples()) == len(catalog.relations) - 1
    with Session(engine) as session, session.begin():
        ingest.sync_catalog(session, catalog=catalog)
    assert key in catalog_triples()
