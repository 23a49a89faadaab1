"""Relevance rankings are cached per filter: pages from the cache equal pages ranked by SQL, the cache
hands over to SQL past its depth, and writes to sources are reflected by the next request."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.extraction.pipeline import Pipeline
from app.ingest import delete_source, load_folder, update_source_metadata

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def folder_with(tmp_path: Path, *files: str) -> Path:
    """A folder holding only the named fixture articles."""
    target = tmp_path / "_".join(f.split(".")[0] for f in files)
    target.mkdir()
    entries = [e for e in json.loads((ARTICLES / "sources.json").read_text()) if e["file"] in files]
    for name in files:
        shutil.copy(ARTICLES / name, target / name)
    (target / "sources.json").write_text(json.dumps(entries))
    return target


def walk(client: TestClient, **params: Any) -> list[str]:
    """Every claim id of a ranked query, page by page."""
    ids: list[str] = []
    params = {"limit": 2, **params}
    for _ in range(500):
        response = client.get("/claims", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [c["id"] for c in body["items"]]
        if not body["next_cursor"]:
            return ids
        params["cursor"] = body["next_cursor"]
    raise AssertionError("no end to the pages")


@pytest.mark.parametrize("depth", [1000, 3])  # all pages cached; the cache hands over to SQL after 3 hits
def test_pages_from_the_cache_equal_pages_ranked_by_sql(
    client: TestClient,
    engine: Engine,
    pipeline: Pipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    depth: int,
) -> None:
    load_folder(ARTICLES, engine=engine, pipeline=pipeline)
    monkeypatch.setattr(client.app.state.rankings, "DEPTH", depth)  # type: ignore[attr-defined]
    cached = walk(client, q="said")
    assert len(cached) > 3 and len(set(cached)) == len(cached)
    one_page = client.get("/claims", params={"q": "said", "limit": 200}).json()["items"]
    assert [c["id"] for c in one_page] == cached
    client.app.state.rankings = None  # type: ignore[attr-defined]
    assert walk(client, q="said") == cached


def test_a_write_makes_the_next_ranked_request_rank_again(
    client: TestClient, engine: Engine, pipeline: Pipeline, tmp_path: Path
) -> None:
    load_folder(folder_with(tmp_path, "chips_export.txt"), engine=engine, pipeline=pipeline)
    before = walk(client, q="said")
    load_folder(
        folder_with(tmp_path, "chips_export.txt", "kimi_release.txt"), engine=engine, pipeline=pipeline
    )
    after = walk(client, q="said")
    assert set(before) < set(after)
    kimi = {c["source"] for c in client.get("/claims", params={"q": "said", "limit": 200}).json()["items"]}
    added = kimi - {
        c["source"] for c in client.get("/claims", params={"limit": 200}).json()["items"] if c["id"] in before
    }
    assert len(added) == 1
    with Session(engine) as session, session.begin():
        assert delete_source(session, added.pop())
    assert walk(client, q="said") == before


def test_filters_are_cached_apart(client: TestClient, engine: Engine, pipeline: Pipeline) -> None:
    load_folder(ARTICLES, engine=engine, pipeline=pipeline)
    everything = client.get("/claims", params={"q": "said", "limit": 200}).json()["items"]
    kinds = {c["kind"] for c in everything}
    assert len(kinds) > 1
    kind = sorted(kinds)[0]
    assert walk(client, q="said") == [c["id"] for c in everything]
    assert walk(client, q="said", kind=kind) == [c["id"] for c in everything if c["kind"] == kind]


@pytest.mark.parametrize("max_changes", [200, 0])  # brought up to date; ranked afresh
def test_a_cached_ranking_brought_up_to_date_holds_what_a_fresh_one_holds(
    client: TestClient,
    engine: Engine,
    pipeline: Pipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    max_changes: int,
) -> None:
    """After additions, an update and a deletion, each followed by a ranked request, the cached ranking
    lists exactly the claims a ranking made from nothing lists, each once, in the order its pages give."""
    from app.queries import RankingCache

    rankings = client.app.state.rankings  # type: ignore[attr-defined]
    monkeypatch.setattr(rankings, "MAX_CHANGES", max_changes)
    names = sorted(p.name for p in ARTICLES.glob("*.txt"))
    assert len(names) >= 3
    load_folder(folder_with(tmp_path, names[0]), engine=engine, pipeline=pipeline)

    def fresh(**params: Any) -> list[str]:
        client.app.state.rankings = RankingCache()  # type: ignore[attr-defined]
        try:
            return walk(client, **params)
        finally:
            client.app.state.rankings = rankings  # type: ignore[attr-defined]

    for query in ({"q": "said"}, {"q": "chips"}, {"q": "said", "kind": "quote"}):
        walk(client, **query)  # cached before the writes
    load_folder(folder_with(tmp_path, *names[:2]), engine=engine, pipeline=pipeline)
    for step in range(3):
        if step == 1:  # an update: new metadata for one source
            with Session(engine) as session, session.begin():
                source = client.get("/sources", params={"limit": 1}).json()["items"][0]["id"]
                update_source_metadata(session, source, {"title": "Retitled"})
        elif step == 2:  # a deletion, then one more addition
            source = client.get("/sources", params={"limit": 1}).json()["items"][0]["id"]
            with Session(engine) as session, session.begin():
                assert delete_source(session, source)
            load_folder(folder_with(tmp_path, *names[:3]), engine=engine, pipeline=pipeline)
        for query in ({"q": "said"}, {"q": "chips"}, {"q": "said", "kind": "quote"}):
            cached, expected = walk(client, **query), fresh(**query)
            assert len(set(cached)) == len(cached), query
            assert set(cached) == set(expected), (step, query)
            first = client.get("/claims", params={**query, "limit": 200}).json()["items"]
            assert [c["id"] for c in first] == cached, query


def test_requests_for_the_same_ranking_meanwhile_wait_for_it(
    client: TestClient, engine: Engine, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests asking for one uncached ranking at once: it is computed once, and both get it."""
    import threading

    from app.queries import RankingCache

    load_folder(ARTICLES, engine=engine, pipeline=pipeline)
    rankings = RankingCache()
    client.app.state.rankings = rankings  # type: ignore[attr-defined]
    second_waits = threading.Event()
    computed: list[int] = []
    real_refresh = RankingCache._refresh

    def refresh(self: RankingCache, *args: Any) -> Any:
        computed.append(1)
        assert second_waits.wait(30), "the second request never reached the ranking's lock"
        return real_refresh(self, *args)

    class Announcing:
        """The flight lock, saying when a second request is about to wait on it."""

        def __init__(self, lock: Any) -> None:
            self.lock = lock

        def __enter__(self) -> None:
            if self.lock.locked():
                second_waits.set()
            self.lock.acquire()

        def __exit__(self, *exc: object) -> None:
            self.lock.release()

    monkeypatch.setattr(RankingCache, "_refresh", refresh)
    rankings._flights = [Announcing(lock) for lock in rankings._flights]  # type: ignore[misc]
    pages: list[list[str]] = []

    def ask() -> None:
        body = client.get("/claims", params={"q": "said", "limit": 5}).json()
        pages.append([c["id"] for c in body["items"]])

    first = threading.Thread(target=ask)
    first.start()
    while not computed:  # the first request is ranking (bounded by its own 30 s wait)
        first.join(0.01)
        assert first.is_alive() or computed, "the first request finished without ranking"
    ask()
    first.join(60)
    assert len(computed) == 1 and len(pages) == 2 and pages[0] == pages[1] and pages[0]
