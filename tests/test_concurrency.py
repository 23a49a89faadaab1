"""Concurrency against a real `aikb serve`: readers paging while a writer posts, writers posting at once,
the same article posted twice at once. No 5xx, no "database is locked", no lost or duplicated write."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import ingest, keys
from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.migrate import upgrade
from tests.conftest import Database
from tests.live import Server, article, audit, published, rows, scalar

JOIN_S = 120.0


@dataclass
class Live:
    server: Server
    engine: Engine
    secret: str


@pytest.fixture(scope="module")
def live(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server per backend for the module, over a database that starts empty (catalog not yet written:
    the first writes race to write it too). Each test posts articles of its own."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="concurrency", scope="write")
    server = Server(url, tmp_path_factory.mktemp("concurrency"))
    yield Live(server, engine, secret)
    server.stop()
    engine.dispose()


def run_all(targets: list[Callable[[], None]]) -> None:
    """Run each target in a thread of its own and wait for all; an exception in one fails the test."""
    failures: list[BaseException] = []

    def guard(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=guard, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_S)
        assert not thread.is_alive(), "a thread did not finish"
    if failures:
        raise failures[0]


def post(live: Live, seed: int, **fields: Any) -> tuple[int, dict[str, Any]]:
    body = {"text": article(seed, 600), "published": published(seed), **fields}
    with live.server.client(live.secret) as client:
        response = client.post("/sources", json=body)
    return response.status_code, response.json()


def changes_after(engine: Engine, since: int) -> Counter[tuple[str, str]]:
    return Counter(rows(engine, "SELECT source_id, op FROM change WHERE id > :since", since=since))


def last_change(engine: Engine) -> int:
    last: int = scalar(engine, "SELECT coalesce(max(id), 0) FROM change")
    return last


WRITERS = 4
PER_WRITER = 3


def test_writers_posting_different_articles_at_once_all_land(live: Live, pipeline: Pipeline) -> None:
    since = last_change(live.engine)
    before = {r[0] for r in rows(live.engine, "SELECT id FROM source")}
    start = threading.Barrier(WRITERS)
    answers: list[tuple[int, dict[str, Any]]] = []

    def writer(w: int) -> None:
        start.wait()
        for n in range(PER_WRITER):
            answers.append(post(live, 4000 + w * PER_WRITER + n))

    run_all([lambda w=w: writer(w) for w in range(WRITERS)])
    assert [status for status, _ in answers] == [201] * WRITERS * PER_WRITER, answers
    created = {body["id"] for _, body in answers}
    assert len(created) == WRITERS * PER_WRITER
    assert {r[0] for r in rows(live.engine, "SELECT id FROM source")} == before | created
    assert changes_after(live.engine, since) == Counter({(s, "created"): 1 for s in created})
    audit(live.engine, pipeline)


def test_the_same_article_posted_twice_at_once_is_stored_once(live: Live) -> None:
    for seed in range(5000, 5006):
        since = last_change(live.engine)
        start = threading.Barrier(2)
        answers: list[tuple[int, dict[str, Any]]] = []

        def poster(seed: int = seed, start: threading.Barrier = start, answers: list[Any] = answers) -> None:
            start.wait()
            answers.append(post(live, seed))

        run_all([poster, poster])
        assert sorted(status for status, _ in answers) == [200, 201], answers
        (source_id,) = {body["id"] for _, body in answers}
        assert scalar(live.engine, "SELECT count(*) FROM source WHERE text = :t", t=article(seed, 600)) == 1
        assert changes_after(live.engine, since) == Counter({(source_id, "created"): 1})


def test_two_texts_posted_at_once_under_one_url_make_one_source_and_a_conflict(live: Live) -> None:
    for round_ in range(6):
        url = f"https://example.com/race-{round_}"
        start = threading.Barrier(2)
        answers: dict[int, tuple[int, dict[str, Any]]] = {}

        def poster(
            seed: int, start: threading.Barrier = start, url: str = url, answers: Any = answers
        ) -> None:
            start.wait()
            answers[seed] = post(live, seed, url=url)

        seeds = (7000 + 2 * round_, 7001 + 2 * round_)
        run_all([lambda seed=seed: poster(seed) for seed in seeds])
        statuses = {seed: status for seed, (status, _) in answers.items()}
        assert sorted(statuses.values()) == [201, 409], answers
        (winner,) = [seed for seed, status in statuses.items() if status == 201]
        # The source holds the text of the post that was told 201, and its extraction (not the other's).
        stored = rows(live.engine, "SELECT id, text FROM source WHERE url = :u", u=url)
        assert stored == [(answers[winner][1]["id"], article(winner, 600))]
        claims = {
            r[0] for r in rows(live.engine, "SELECT text FROM claim WHERE source_id = :s", s=stored[0][0])
        }
        assert claims and all(claim in article(winner, 600) for claim in claims)


READERS = (("-published", 25), ("published", 25), ("position", 25), ("-published", 7))


def test_readers_paging_while_a_writer_posts_see_every_claim_once(live: Live) -> None:
    for seed in range(6000, 6004):  # claims that exist before the readers start
        assert post(live, seed)[0] == 201
    existing = {r[0] for r in rows(live.engine, "SELECT id FROM claim")}
    written = threading.Event()
    started = threading.Barrier(len(READERS) + 1)
    failures: list[str] = []
    passes: list[tuple[str, list[str], bool]] = []  # (sort, claim ids in the order served, after the writer)

    def reader(sort: str, limit: int) -> None:
        with live.server.client() as client:
            first = True
            while True:
                after = written.is_set()
                ids: list[str] = []
                params: dict[str, Any] = {"sort": sort, "limit": limit}
                while True:
                    response = client.get("/claims", params=params)
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}: {response.text}")
                        return
                    body = response.json()
                    ids += [item["id"] for item in body["items"]]
                    if first:  # the writer starts once every reader is part-way through its first pass
                        first = False
                        started.wait()
                    if not body["next_cursor"]:
                        break
                    params["cursor"] = body["next_cursor"]
                passes.append((sort, ids, after))
                if after:
                    return

    def writer() -> None:
        started.wait()
        for seed in range(6100, 6106):
            status, body = post(live, seed)
            if status != 201:
                failures.append(f"writer: {status}: {body}")
        written.set()

    run_all([*(lambda s=s, n=n: reader(s, n) for s, n in READERS), writer])
    assert failures == []
    everything = {r[0] for r in rows(live.engine, "SELECT id FROM claim")}
    assert everything - existing, "the writer added no claims"
    for sort, ids, after in passes:
        assert len(ids) == len(set(ids)), f"{sort}: a claim served twice in one pass"
        assert existing <= set(ids), f"{sort}: a claim that existed all along was skipped"
        if after:
            assert set(ids) == everything


# --- the same races, made deterministic: another post commits at a chosen point of this one -------------


@pytest.mark.parametrize("moment", ["after the looks", "during extraction"])
@pytest.mark.parametrize("same_text", [True, False], ids=["same text", "other text"])
def test_a_post_committed_by_another_request_midway_is_answered_not_overwritten(
    client: TestClient,
    engine: Engine,
    pipeline: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
    moment: str,
    same_text: bool,
) -> None:
    """POST /sources looks for the text and the url, then extracts and writes. Another request committing
    the same url in between must not make this one answer 201 over it (nor replace its text, nor fail with a
    unique violation): the same text answers 200 with that source, another text is a 409."""
    url = "https://example.com/midway"
    ours, theirs = article(8000, 300), article(8000 if same_text else 8001, 300)
    ensure_catalog, extract = ingest.ensure_catalog, Pipeline.extract
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="midway", scope="write")
        ensure_catalog(session, catalog=pipeline.catalog)  # so that this request holds no write lock early
    pending = [theirs]

    def the_other_request_commits() -> None:
        if pending:
            competitor = ingest.article_from_json({"text": pending.pop(), "url": url})
            with Session(engine) as session, session.begin():
                ingest.write_article(session, article=competitor, pipeline=pipeline)

    if moment == "after the looks":

        def late_catalog(session: Session, **kwargs: Any) -> None:
            the_other_request_commits()
            ensure_catalog(session, **kwargs)

        monkeypatch.setattr(ingest, "ensure_catalog", late_catalog)
    else:

        def slow_extract(self: Pipeline, text: str) -> Any:
            the_other_request_commits()
            return extract(self, text)

        monkeypatch.setattr(Pipeline, "extract", slow_extract)
    response = client.post(
        "/sources", json={"text": ours, "url": url}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert pending == [], "the other request did not run"
    assert response.status_code == (200 if same_text else 409), response.text
    (source,) = rows(engine, "SELECT id, text FROM source")
    assert source[1] == theirs
    assert rows(engine, "SELECT source_id, op FROM change") == [(source[0], "created")]
    audit(engine, pipeline)


def test_two_articles_naming_the_same_new_company_at_once_both_land(
    engine: Engine, pipeline: Pipeline
) -> None:
    """Two transactions write articles that introduce the same discovered entity. The second to insert it
    waits for the first (for its row on PostgreSQL, for the write lock on SQLite) and, once that commits,
    must find it there and go on: not fail with a unique violation (a 500 from POST /sources)."""
    first, second = (ingest.article_from_json({"text": article(9000 + n, 200)}) for n in range(2))
    with Session(engine) as session, session.begin():
        ingest.sync_catalog(session, catalog=pipeline.catalog)
    results: list[str] = []

    def second_writer() -> None:
        with Session(engine) as session, session.begin():
            results.append(ingest.write_article(session, article=second, pipeline=pipeline).status)

    with Session(engine) as session:
        assert ingest.write_article(session, article=first, pipeline=pipeline).status == "new"
        assert scalar(engine, "SELECT count(*) FROM entity WHERE id = 'zorblax-robotics'") == 0  # not yet
        other = threading.Thread(target=second_writer)
        other.start()
        if engine.dialect.name == "postgresql":  # commit once the other transaction waits on this one's rows
            waiting = (
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            deadline = time.monotonic() + JOIN_S
            while scalar(engine, waiting) == 0:
                assert other.is_alive() and time.monotonic() < deadline, "the second writer never waited"
        session.commit()
        other.join(JOIN_S)
    assert results == ["new"]
    assert scalar(engine, "SELECT count(*) FROM entity WHERE id = 'zorblax-robotics'") == 1
    audit(engine, pipeline)
