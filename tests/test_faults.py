"""Crashes: SIGKILL the loader mid-load and the server mid-write, then check that the database holds only
whole articles (each with its full extraction, facet counts and change rows) and that a retry completes."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from app.migrate import upgrade
from tests.conftest import Database
from tests.live import AIKB, Server, aikb_env, article, audit, content, create_write_key, scalar, write_folder

LOADER_ARTICLES = 40
DEADLINE_S = 60.0


@pytest.fixture
def fresh(database: Database) -> Iterator[tuple[str, Engine]]:
    """An empty database of its own (URL and engine): the processes under test open it themselves."""
    url = database.new()
    engine = engine_for(url)
    yield url, engine
    engine.dispose()


def sources(engine: Engine) -> int:
    count: int = scalar(engine, "SELECT count(*) FROM source")
    return count


def test_loader_killed_mid_load_leaves_whole_articles_and_a_rerun_completes(
    fresh: tuple[str, Engine], database: Database, pipeline: Pipeline, tmp_path: Path
) -> None:
    url, engine = fresh
    folder = tmp_path / "articles"
    write_folder(folder, range(LOADER_ARTICLES), words=200)
    upgrade(url)  # before the loader starts, so that counting sources below never races the migration
    loader = subprocess.Popen(
        [AIKB, "load", str(folder)],
        env=aikb_env(url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Kill once some articles are committed: poll the database (not the clock) for the loader's progress.
    deadline = time.monotonic() + DEADLINE_S
    while sources(engine) < 2:
        assert time.monotonic() < deadline, "the loader committed nothing in time"
        try:  # a short wait on the process itself: its early exit is noticed at once
            loader.wait(timeout=0.005)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the loader ended before it could be killed:\n{loader.communicate()[0]}")
    loader.kill()
    loader.wait()
    committed = sources(engine)
    assert 2 <= committed < LOADER_ARTICLES, "the loader was not killed mid-load; make the folder larger"
    audit(engine, pipeline)

    rerun = subprocess.run(
        [AIKB, "load", str(folder)], env=aikb_env(url), cwd=tmp_path, capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"articles: {LOADER_ARTICLES - committed} new, 0 changed, {committed} unchanged, 0 failed" in (
        rerun.stdout
    )
    audit(engine, pipeline)

    clean_url = database.new()
    upgrade(clean_url)
    clean = engine_for(clean_url)
    try:
        summary = load_folder(folder, engine=clean, pipeline=pipeline)
        assert (summary.new, summary.failed) == (LOADER_ARTICLES, [])
        assert content(engine) == content(clean)
    finally:
        clean.dispose()


WRITERS = 4
POSTED_ARTICLES = 8


def test_server_killed_during_posts_leaves_each_article_whole_or_absent(
    fresh: tuple[str, Engine], pipeline: Pipeline, tmp_path: Path
) -> None:
    url, engine = fresh
    secret = create_write_key(url, tmp_path)
    texts = [article(1000 + n, words=1000) for n in range(POSTED_ARTICLES)]
    outcomes: dict[int, int | str] = {}  # article -> HTTP status, or the transport error's class name
    done = threading.Condition()
    killed = threading.Event()
    server = Server(url, tmp_path)

    def writer(mine: list[int]) -> None:
        with server.client(secret) as client:
            for n in mine:
                if killed.is_set():
                    return
                try:
                    outcome: int | str = client.post("/sources", json={"text": texts[n]}).status_code
                except httpx.TransportError as exc:
                    outcome = type(exc).__name__
                with done:
                    outcomes[n] = outcome
                    done.notify_all()

    threads = [
        threading.Thread(target=writer, args=(list(range(w, POSTED_ARTICLES, WRITERS)),))
        for w in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    try:
        with done:  # kill as soon as one article is committed, while the other writers wait on theirs
            assert done.wait_for(lambda: 201 in outcomes.values(), timeout=DEADLINE_S), server.output()
            killed.set()
            server.kill()
    finally:
        server.kill()
        for thread in threads:
            thread.join()

    answered = {n for n, outcome in outcomes.items() if isinstance(outcome, int)}
    assert {outcomes[n] for n in answered} == {201}, outcomes
    # Requests that were in flight when the server died got no answer (refused ones were never sent).
    in_flight = {n for n, outcome in outcomes.items() if outcome in ("RemoteProtocolError", "ReadError")}
    assert in_flight, f"no request was in flight at the kill: {outcomes}"
    assert len(answered) < POSTED_ARTICLES

    audit(engine, pipeline)  # each article is whole (claims, facets, a change row) or absent
    present = {
        n
        for n in range(POSTED_ARTICLES)
        if scalar(engine, "SELECT count(*) FROM source WHERE text = :t", t=texts[n])
    }
    assert answered <= present
    assert sources(engine) == len(present)

    server = Server(url, tmp_path)
    try:
        with server.client(secret) as client:
            for n, body in enumerate(texts):
                response = client.post("/sources", json={"text": body})
                assert response.status_code == (200 if n in present else 201), response.text
    finally:
        server.stop()
    assert sources(engine) == POSTED_ARTICLES
    audit(engine, pipeline)
