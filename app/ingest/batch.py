"""Loading many articles: a folder, or every source again after an extractor change. Articles are written
several to a transaction (one commit and one facet-count upsert for all of them: ingest speed), and a
write that a concurrent writer got in the way of is run again by `retry_on_conflict`, which the write API
uses too."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import psycopg
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.extraction.pipeline import EXTRACTOR_VERSION, Pipeline
from app.ingest.articles import Article, read_folder
from app.ingest.catalog import sync_catalog
from app.ingest.write import IngestResult, Pending, stored_article, write_article
from app.models import CLAIM, ENTITY, RELATION, SOURCE

__all__ = [
    "BATCH_ARTICLES",
    "WRITE_ATTEMPTS",
    "LoadSummary",
    "ReextractSummary",
    "WriteConflict",
    "is_write_conflict",
    "load_articles",
    "load_folder",
    "reextract",
    "retry_on_conflict",
]

T = TypeVar("T")
WRITE_ATTEMPTS = 3
# Articles per transaction when loading: fewer commits, and facet counts upserted once per key for all of
# them (bench/ingest_bench.py). A batch holds the SQLite write lock for about this many extractions.
BATCH_ARTICLES = 16


class WriteConflict(Exception):
    """A concurrent writer committed what this write was about to write: look again, then write."""


def is_write_conflict(exc: BaseException) -> bool:
    """True when a write failed only because a concurrent transaction got there first (a unique or foreign
    key violation, a PostgreSQL deadlock or serialization failure, or a WriteConflict): after a rollback,
    running it again against what that transaction committed may succeed. Raised by the driver itself
    (app.sql) or wrapped by SQLAlchemy."""
    error = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(error, WriteConflict | sqlite3.IntegrityError | psycopg.IntegrityError):
        return True
    return getattr(error, "sqlstate", None) in ("40001", "40P01")


def retry_on_conflict(session: Session, work: Callable[[Session], T]) -> T:
    """Run `work` in the session's transaction and commit. When it fails only because a concurrent writer
    committed the same rows first, roll back and run it again (it then sees what that writer committed), at
    most WRITE_ATTEMPTS times; any other failure rolls back and is raised."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            result = work(session)
            session.commit()
            return result
        except Exception as exc:
            session.rollback()
            if attempt == WRITE_ATTEMPTS or not is_write_conflict(exc):
                raise
    raise AssertionError("unreachable")


def _write_together(session: Session, articles: Sequence[Article], pipeline: Pipeline) -> list[IngestResult]:
    pending = Pending()
    results = [write_article(session, article=a, pipeline=pipeline, pending=pending) for a in articles]
    pending.flush(session)
    return results


def _write_batch(engine: Engine, articles: Sequence[Article], pipeline: Pipeline) -> list[IngestResult | str]:
    """Each article's result, or the message saying why it failed. Written in one transaction; when that
    fails, each article alone, so that one bad article is reported and the others still load."""
    if len(articles) > 1:
        try:
            with Session(engine) as session:
                return list(retry_on_conflict(session, lambda s: _write_together(s, articles, pipeline)))
        except Exception:
            pass
    outcomes: list[IngestResult | str] = []
    for article in articles:
        try:
            with Session(engine) as session:
                outcomes += retry_on_conflict(
                    session, partial(_write_together, articles=[article], pipeline=pipeline)
                )
        except Exception as exc:  # one bad article must not stop the others
            outcomes.append(f"{article.key}: {type(exc).__name__}: {exc}")
    return outcomes


@dataclass(slots=True)
class LoadSummary:
    """What a load did: articles by outcome, a message per article that failed (once each, with its
    reason), the folder's text files sources.json does not list (skipped, not failed), and the KB's size
    after it."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    entities: int = 0
    claims: int = 0
    relations: int = 0

    def line(self) -> str:
        n = len(self.unlisted)
        unlisted = f", {n} unlisted {'file' if n == 1 else 'files'} skipped" if n else ""
        return (
            f"articles: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{len(self.failed)} failed{unlisted}; KB now holds {self.entities} entities, {self.claims} "
            f"claims, {self.relations} relations"
        )


def _batches(articles: Sequence[Article], size: int) -> Iterator[Sequence[Article]]:
    for n in range(0, len(articles), size):
        yield articles[n : n + size]


def load_folder(
    folder: Path, *, engine: Engine, pipeline: Pipeline, progress: bool = False, batch: int = BATCH_ARTICLES
) -> LoadSummary:
    """Bring the catalog up to date, then load every article a folder's sources.json lists (`folder` may
    be that file); a bad article is reported and skipped, and so is a text file the list leaves out."""
    contents = read_folder(folder)
    with Session(engine) as session:
        retry_on_conflict(session, lambda s: sync_catalog(s, catalog=pipeline.catalog))
    summary = load_articles(
        contents.articles, engine=engine, pipeline=pipeline, progress=progress, batch=batch
    )
    summary.failed[:0] = contents.failed
    summary.unlisted = contents.unlisted
    return summary


def load_articles(
    articles: Sequence[Article],
    *,
    engine: Engine,
    pipeline: Pipeline,
    progress: bool = False,
    batch: int = BATCH_ARTICLES,
) -> LoadSummary:
    """Write articles, `batch` to a transaction, into a database whose catalog is up to date (sync_catalog);
    an article that fails is reported and the others still load."""
    summary = LoadSummary()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(articles), desc="articles", unit="article")
    for chunk in _batches(articles, batch):
        for outcome in _write_batch(engine, chunk, pipeline):
            if isinstance(outcome, str):
                summary.failed.append(outcome)
            elif outcome.status == "new":
                summary.new += 1
            elif outcome.status == "changed":
                summary.changed += 1
            else:
                summary.unchanged += 1
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    with Session(engine) as session:
        for table, name in ((ENTITY, "entities"), (CLAIM, "claims"), (RELATION, "relations")):
            setattr(summary, name, session.scalar(select(func.count()).select_from(table)) or 0)
    return summary


@dataclass(slots=True)
class ReextractSummary:
    selected: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    claims_before: int = 0
    claims_after: int = 0


def reextract(engine: Engine, *, pipeline: Pipeline, everything: bool = False) -> ReextractSummary:
    """Run the pipeline again over every source another extractor version wrote (or over all of them),
    one transaction per source; a source that fails keeps its previous extraction."""
    summary = ReextractSummary()
    query = select(SOURCE.c.id).order_by(SOURCE.c.id)
    if not everything:
        query = query.where(SOURCE.c.extractor_version != EXTRACTOR_VERSION)
    with Session(engine) as session:
        retry_on_conflict(session, lambda s: sync_catalog(s, catalog=pipeline.catalog))
        source_ids = list(session.scalars(query))
    summary.selected = len(source_ids)

    def again(session: Session, source_id: str) -> tuple[int, IngestResult] | None:
        count = select(func.count()).select_from(CLAIM).where(CLAIM.c.source_id == source_id)
        before = session.scalar(count) or 0
        article = stored_article(session, source_id)
        if article is None:  # deleted since the list was read
            return None
        return before, write_article(session, article=article, pipeline=pipeline, force=True)

    for source_id in source_ids:
        try:
            with Session(engine) as session:
                outcome = retry_on_conflict(session, partial(again, source_id=source_id))
        except Exception as exc:  # one bad source must not stop the others
            summary.failed.append(f"{source_id}: {type(exc).__name__}: {exc}")
            summary.statuses["failed"] = summary.statuses.get("failed", 0) + 1
            continue
        if outcome is None:
            continue
        before, result = outcome
        summary.statuses[result.status] = summary.statuses.get(result.status, 0) + 1
        summary.claims_before += before
        summary.claims_after += result.claims
    return summary
