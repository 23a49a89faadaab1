"""Real `aikb` processes for the fault and concurrency tests, generated articles, and an audit that a
database holds only whole articles (each with its full extraction) and derived tables that agree."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from app.extraction.pipeline import Pipeline
from app.ingest import claim_id
from app.projection import ClaimRows, facet_deltas
from app.sql import Db
from bench.ingest_bench import make_article

ROOT = Path(__file__).resolve().parents[1]
AIKB = str(Path(sys.executable).parent / "aikb")
START_DEADLINE_S = 60.0

# A company no catalog lists, in every generated article: concurrent writers then race to insert the same
# discovered entity and its aliases.
NEWCOMER = "Zorblax Robotics said it would hire {count} engineers to build {chip} servers in {year}."


def article(seed: int, words: int = 1000) -> str:
    """A realistic generated article; different seeds give different texts (so different content hashes)."""
    rng = random.Random(seed)
    body = make_article(rng, words)
    newcomer = NEWCOMER.format(count=rng.randint(10, 900), chip="Ascend 910C", year=rng.randint(2024, 2030))
    return f"{newcomer}\n\n{body}"


def published(seed: int) -> str:
    return (date(2024, 1, 1) + timedelta(days=seed % 700)).isoformat()


def write_folder(folder: Path, seeds: range, words: int = 300) -> list[str]:
    """A folder `aikb load` reads: one generated article per seed, listed in sources.json."""
    folder.mkdir(parents=True, exist_ok=True)
    entries, texts = [], []
    for seed in seeds:
        name = f"article_{seed:04d}.txt"
        body = article(seed, words)
        (folder / name).write_text(body, encoding="utf-8")
        entries.append({"file": name, "title": f"Article {seed}", "published": published(seed)})
        texts.append(body)
    (folder / "sources.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return texts


def aikb_env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "AIKB_LOG_LEVEL": "WARNING"}


def run_aikb(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIKB, *args], env=aikb_env(url), cwd=cwd, capture_output=True, text=True)


def create_write_key(url: str, cwd: Path) -> str:
    """A write key made the way an operator makes one: `aikb keys create NAME --scope write`."""
    done = run_aikb(url, "keys", "create", "tests", "--scope", "write", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """`aikb serve --no-seeds` on a free port over `url`, in its own process group."""

    def __init__(self, url: str, cwd: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [AIKB, "serve", "--no-seeds", "--host", "127.0.0.1", "--port", str(self.port)],
                env=aikb_env(url),
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:  # waits on the process, not a fixed sleep: a crash is noticed at once
                self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"aikb serve exited with {self.process.returncode}:\n{self.output()}")
        self.kill()
        pytest.fail(f"aikb serve not ready within {START_DEADLINE_S} s:\n{self.output()}")

    def client(self, secret: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no rollback, no flush; what is committed is all that survives."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


ORPHANS = {
    "claim without its source": "SELECT count(*) FROM claim WHERE source_id NOT IN (SELECT id FROM source)",
    "claim_topic without its claim": "SELECT count(*) FROM claim_topic "
    "WHERE claim_id NOT IN (SELECT id FROM claim)",
    "claim_entity without its claim": "SELECT count(*) FROM claim_entity "
    "WHERE claim_id NOT IN (SELECT id FROM claim)",
    "quantity without its claim": "SELECT count(*) FROM quantity "
    "WHERE claim_id NOT IN (SELECT id FROM claim)",
    "mention without its source": "SELECT count(*) FROM mention "
    "WHERE source_id NOT IN (SELECT id FROM source)",
    "relation without its source": "SELECT count(*) FROM relation "
    "WHERE source_id IS NOT NULL AND source_id NOT IN (SELECT id FROM source)",
    "relation without its claim": "SELECT count(*) FROM relation "
    "WHERE claim_id IS NOT NULL AND claim_id NOT IN (SELECT id FROM claim)",
    "learned alias without its source": "SELECT count(*) FROM entity_alias "
    "WHERE source_id IS NOT NULL AND source_id NOT IN (SELECT id FROM source)",
    "discovered entity nothing refers to": "SELECT count(*) FROM entity e WHERE origin = 'discovered' "
    "AND NOT EXISTS (SELECT 1 FROM mention m WHERE m.entity_id = e.id) "
    "AND NOT EXISTS (SELECT 1 FROM claim_entity ce WHERE ce.entity_id = e.id) "
    "AND NOT EXISTS (SELECT 1 FROM relation r WHERE r.subject_id = e.id OR r.object_id = e.id)",
}


def facet_counts(engine: Engine) -> dict[tuple[str, str, str], int]:
    return {(s, f, v): n for s, f, v, n in rows(engine, "SELECT scope, facet, value, count FROM facet_count")}


def recounted_facets(engine: Engine) -> dict[tuple[str, str, str], int]:
    """The facet counts of the claims in the tables, counted from scratch by the projection's rules."""
    counts: Counter[tuple[str, str, str]] = Counter()
    with engine.connect() as conn:
        db = Db.of(conn)
        for (source_id,) in db.rows("SELECT id FROM source"):
            counts.update(facet_deltas(ClaimRows.read(db, source_id=source_id)))
    return dict(+counts)


def audit(engine: Engine, pipeline: Pipeline) -> None:
    """Every source holds exactly what the pipeline extracts from its text (no partial article), nothing
    refers to a missing row, facet_count equals a live recount, and the change feed has one `created` row
    per source (and none for a source that is not there)."""
    for what, sql in ORPHANS.items():
        assert scalar(engine, sql) == 0, what
    sources = rows(engine, "SELECT id, text FROM source ORDER BY id")
    for source_id, body in sources:
        extraction = pipeline.extract(body)
        expected = {
            "claims": sorted(claim_id(source_id, c.start, c.end) for c in extraction.claims),
            "claim topics": sum(len(c.topics) for c in extraction.claims),
            "claim entities": sum(len(c.entities) for c in extraction.claims),
            "quantities": sum(len(c.quantities) for c in extraction.claims),
            "mentions": len(extraction.mentions),
            "relations": len(extraction.relations),
        }
        ids = "SELECT id FROM claim WHERE source_id = :s"
        stored = {
            "claims": [r[0] for r in rows(engine, f"{ids} ORDER BY id", s=source_id)],
            "claim topics": scalar(
                engine, f"SELECT count(*) FROM claim_topic WHERE claim_id IN ({ids})", s=source_id
            ),
            "claim entities": scalar(
                engine, f"SELECT count(*) FROM claim_entity WHERE claim_id IN ({ids})", s=source_id
            ),
            "quantities": scalar(
                engine, f"SELECT count(*) FROM quantity WHERE claim_id IN ({ids})", s=source_id
            ),
            "mentions": scalar(engine, "SELECT count(*) FROM mention WHERE source_id = :s", s=source_id),
            "relations": scalar(engine, "SELECT count(*) FROM relation WHERE source_id = :s", s=source_id),
        }
        assert stored == expected, f"source {source_id} is not whole"
    assert facet_counts(engine) == recounted_facets(engine)
    if engine.dialect.name == "sqlite":
        assert_full_text_agrees(engine)
    feed = Counter(rows(engine, "SELECT source_id, op FROM change"))
    assert feed == Counter({(source_id, "created"): 1 for source_id, _ in sources})


def assert_full_text_agrees(engine: Engine) -> None:
    """SQLite: the full-text index is sound and indexes exactly the claims there are, each under its
    relevance key (migration 0006: length in words inverted in the high bits, claim rowid in the low 40)."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO claim_fts(claim_fts, rank) VALUES ('integrity-check', 1)"))
    claims = rows(engine, "SELECT rowid, text FROM claim")
    indexed = {r[0] for r in rows(engine, "SELECT rowid FROM claim_fts")}
    assert indexed == {((2**22 - 1 - (t.count(" ") + 1)) << 40) | rowid for rowid, t in claims}


def content(engine: Engine) -> dict[str, Any]:
    """What two loads of the same folder must agree on."""
    return {
        "sources": set(rows(engine, "SELECT id, key, content_hash, published FROM source")),
        "claims": set(rows(engine, 'SELECT id, source_id, start, "end", kind, doc FROM claim')),
        "entities": set(rows(engine, "SELECT id, name, type, origin FROM entity")),
        "aliases": set(rows(engine, "SELECT entity_id, normalised FROM entity_alias")),
        "relations": set(rows(engine, "SELECT id, subject_id, predicate, object_id, claim_id FROM relation")),
        "facets": facet_counts(engine),
    }
