"""sort=relevance: claims holding q's words as a phrase first, then shorter claims first; pages walk an
index in that order (migration 0006), so they hold each claim once, reflect writes at once, and on SQLite
never sort the hits."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.extraction.pipeline import Pipeline
from app.ingest import delete_source, load_folder
from app.sql import Db
from tests.live import assert_full_text_agrees

from .conftest import every_item

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
# No stop words: PostgreSQL drops them from a phrase, SQLite keeps them.
QUERIES = ["export controls", "chips china", "china ai", "ai models", "united states", "chips"]


def words(claim: dict[str, Any]) -> int:
    """A claim's length in words, as the relevance order counts it: spaces + 1."""
    return int(claim["text"].count(" ")) + 1


def holds_phrase(claim: dict[str, Any], q: str) -> bool:
    """q's words in a row, any endings (a crude stem: the first six letters, no plural s), any punctuation
    between: what both engines' phrase match finds in these texts."""
    pattern = r"\W+".join(rf"{re.escape(w.rstrip('s')[:6])}\w*" for w in q.split())
    return re.search(rf"\b{pattern}", claim["text"], re.IGNORECASE) is not None


def walk(client: TestClient, **params: Any) -> list[str]:
    """Every claim id of a ranked query, page by page."""
    ids: list[str] = []
    params = {"limit": 2, **params}
    for _ in range(1000):
        response = client.get("/claims", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [c["id"] for c in body["items"]]
        if not body["next_cursor"]:
            return ids
        params["cursor"] = body["next_cursor"]
    raise AssertionError("no end to the pages")


def test_phrase_matches_come_first_then_shorter_claims(api: TestClient) -> None:
    both_tiers = 0
    for q in QUERIES:
        ranked = every_item(api, "/claims", q=q, sort="relevance")
        assert ranked, q
        phrase = 0
        while phrase < len(ranked) and holds_phrase(ranked[phrase], q):
            phrase += 1
        first, rest = ranked[:phrase], ranked[phrase:]
        if len(q.split()) > 1:
            # the words apart, never as the phrase, rank after every claim holding the phrase
            assert not any(holds_phrase(c, q) for c in rest), [c["text"] for c in rest]
            both_tiers += bool(first) and bool(rest)
        for tier in (first, rest):
            lengths = [words(c) for c in tier]
            assert lengths == sorted(lengths), (q, lengths)
    assert both_tiers >= 2, "the seeds must exercise phrase and non-phrase matches"


@pytest.mark.parametrize("params", [{"q": "said"}, {"q": "export controls"}, {"q": "said", "kind": "quote"}])
def test_pages_hold_each_claim_once_and_equal_one_long_page(api: TestClient, params: dict[str, str]) -> None:
    paged = walk(api, **params)
    assert len(paged) > 3 and len(set(paged)) == len(paged)
    long_page = api.get("/claims", params={**params, "limit": 200}).json()["items"]
    assert [c["id"] for c in long_page] == paged
    unordered = every_item(api, "/claims", **params, sort="-published")
    assert {c["id"] for c in unordered} == set(paged)  # ranking changes the order, never the set


def test_the_default_sort_with_q_is_relevance(api: TestClient) -> None:
    assert walk(api, q="export controls") == walk(api, q="export controls", sort="relevance")


@pytest.mark.parametrize("values", [[7, 1], [-1, 1], [True, 1], [0, "x"], [1.5, 1]])
def test_a_relevance_cursor_out_of_range_is_400(api: TestClient, values: list[Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    response = api.get("/claims", params={"q": "export controls", "cursor": cursor})
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "cursor"


def folder_with(tmp_path: Path, *files: str) -> Path:
    """A folder holding only the named fixture articles."""
    target = tmp_path / "_".join(f.split(".")[0] for f in files)
    target.mkdir()
    entries = [e for e in json.loads((ARTICLES / "sources.json").read_text()) if e["file"] in files]
    for name in files:
        shutil.copy(ARTICLES / name, target / name)
    (target / "sources.json").write_text(json.dumps(entries))
    return target


def test_writes_show_in_the_next_ranked_request(
    client: TestClient, engine: Engine, pipeline: Pipeline, tmp_path: Path
) -> None:
    load_folder(folder_with(tmp_path, "chips_export.txt"), engine=engine, pipeline=pipeline)
    before = walk(client, q="said")
    load_folder(
        folder_with(tmp_path, "chips_export.txt", "kimi_release.txt"), engine=engine, pipeline=pipeline
    )
    after = walk(client, q="said")
    assert set(before) < set(after)
    added = {c["source"] for c in every_item(client, "/claims", q="said") if c["id"] not in before}
    assert len(added) == 1
    with Session(engine) as session, session.begin():
        assert delete_source(session, added.pop())
    assert walk(client, q="said") == before


def seeds_folder(tmp_path: Path, count: int) -> Path:
    """A folder holding the first `count` seed articles."""
    seeds = ROOT / "seeds"
    entries = json.loads((seeds / "sources.json").read_text())[:count]
    target = tmp_path / f"seeds_{count}"
    (target / "articles").mkdir(parents=True)
    for entry in entries:
        shutil.copy(seeds / entry["file"], target / entry["file"])
    (target / "sources.json").write_text(json.dumps(entries))
    return target


def test_paging_while_articles_are_added_serves_each_claim_once(
    client: TestClient, engine: Engine, pipeline: Pipeline, tmp_path: Path
) -> None:
    load_folder(seeds_folder(tmp_path, 1), engine=engine, pipeline=pipeline)
    existing = set(walk(client, q="china ai"))
    assert len(existing) > 4
    seen: list[str] = []
    params: dict[str, Any] = {"q": "china ai", "limit": 2}
    for step in range(1000):
        body = client.get("/claims", params=params).json()
        seen += [c["id"] for c in body["items"]]
        if step < 4:  # an article lands between pages
            load_folder(seeds_folder(tmp_path, step + 2), engine=engine, pipeline=pipeline)
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen))
    assert existing <= set(seen)
    assert len(seen) > len(existing)  # claims that landed behind the cursor are served too


def sql_of_ranked_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch, **params: Any) -> list[Any]:
    """The statements a ranked request ran (SQL and parameters)."""
    ran: list[Any] = []
    real = Db.rows

    def rows(self: Db, sql: str, bound: dict[str, Any]) -> list[Any]:
        ran.append((sql, dict(bound)))
        return real(self, sql, bound)

    monkeypatch.setattr(Db, "rows", rows)
    assert client.get("/claims", params=params).status_code == 200
    monkeypatch.setattr(Db, "rows", real)
    return [(sql, bound) for sql, bound in ran if "claim_fts" in sql]


@pytest.mark.parametrize("params", [{"q": "export controls"}, {"q": "said", "kind": "quote"}])
def test_sqlite_walks_the_index_in_relevance_order_without_sorting(
    client: TestClient,
    engine: Engine,
    pipeline: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
    params: dict[str, str],
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 rowid order is SQLite's; PostgreSQL's planner chooses its own plan")
    load_folder(ARTICLES, engine=engine, pipeline=pipeline)
    statements = sql_of_ranked_pages(client, monkeypatch, **params, limit=3)
    assert statements
    with engine.connect() as conn:
        for sql, bound in statements:
            plan = [r[3] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), bound)]
            assert plan[0].startswith("SCAN claim_fts VIRTUAL TABLE"), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan


def test_the_sqlite_index_keys_follow_every_write(
    client: TestClient, engine: Engine, pipeline: Pipeline, tmp_path: Path
) -> None:
    """The FTS rowids are exactly the keys of the claims there are, after inserts, an in-place text
    update and a deletion (the triggers of migration 0006)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's nwords is a generated column")

    load_folder(ARTICLES, engine=engine, pipeline=pipeline)
    assert_full_text_agrees(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE claim SET text = text || ' and more words' WHERE rowid % 3 = 0"))
    assert_full_text_agrees(engine)
    assert walk(client, q="and more words")  # the new words are searchable
    source = client.get("/sources", params={"limit": 1}).json()["items"][0]["id"]
    with Session(engine) as session, session.begin():
        assert delete_source(session, source)
    assert_full_text_agrees(engine)
