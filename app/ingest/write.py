"""Writing one source, in the caller's transaction (the caller commits): an article and what the pipeline
extracts from it, new metadata alone, or its removal. Each keeps the read projection (app.projection) in
step: claim documents are written with their rows; facet-count changes and change-feed entries gather in
a `Pending` and are applied once, just before the commit. Hand-written SQL (app.sql)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal

import orjson
from sqlmodel import Session

from app.changes import record_change
from app.extraction import catalog
from app.extraction.pipeline import EXTRACTOR_VERSION, Pipeline
from app.extraction.records import EntityRecord, Extraction
from app.ingest.articles import Article, ArticleIn, ArticleMetadata, text_hash
from app.ingest.ids import claim_id, relation_id, source_id_for
from app.models import ChangeOp
from app.projection import (
    ClaimRow,
    ClaimRows,
    FacetKey,
    QuantityRow,
    apply_facet_deltas,
    claim_date,
    documents,
    entity_refs,
    facet_deltas,
    sort_day,
    store_documents,
)
from app.sql import Db, Sql, stored_day, stored_json

__all__ = [
    "IngestResult",
    "Pending",
    "delete_source",
    "source_with_text",
    "stored_article",
    "update_metadata",
    "write_article",
]

Status = Literal["new", "changed", "unchanged"]
# Articles name the same entities in the same words again and again: normalised once per process.
normalise_alias = lru_cache(maxsize=65536)(catalog.normalise_alias)
_METADATA = tuple(ArticleMetadata.model_fields)


@dataclass(frozen=True, slots=True)
class IngestResult:
    source_id: str
    status: Status
    claims: int = 0
    mentions: int = 0
    relations: int = 0


@dataclass(slots=True)
class Pending:
    """What the writes of one transaction leave to do once, just before it commits: the facet counts their
    claims change (one upsert per key for a whole batch of articles) and their change-feed entries (last:
    on PostgreSQL they take the feed's lock, held until the commit; see app.changes)."""

    facets: Counter[FacetKey] = field(default_factory=Counter)
    changes: list[tuple[str, ChangeOp]] = field(default_factory=list)

    def flush(self, session: Session) -> None:
        apply_facet_deltas(Db.of(session), self.facets)
        for source_id, op in self.changes:
            record_change(session, source_id, op)
        self.facets.clear()
        self.changes.clear()


# --- what is stored -------------------------------------------------------------------------------------


def stored_article(session: Session, source_id: str) -> Article | None:
    """A stored source as the article it was loaded from (key, text, metadata), or None."""
    db = Db.of(session)
    sql = db.sql()
    columns = ", ".join(f'"{c}"' for c in ("key", "text", *_METADATA))
    rows = db.rows(f"SELECT {columns} FROM source WHERE id = {sql(source_id)}", sql.params)
    if not rows:
        return None
    key, text, *values = rows[0]
    fields: dict[str, Any] = dict(zip(_METADATA, values, strict=True))
    if isinstance(fields["authors"], str):  # SQLite hands a JSON column back as its text
        fields["authors"] = orjson.loads(fields["authors"])
    return Article(key, ArticleIn.model_validate({**fields, "text": text}))


def source_with_text(session: Session, text: str) -> str | None:
    """The id of a source holding exactly this text, if any."""
    db = Db.of(session)
    sql = db.sql()
    found = db.rows(
        f"SELECT id FROM source WHERE content_hash = {sql(text_hash(text))} ORDER BY id LIMIT 1", sql.params
    )
    return str(found[0][0]) if found else None


def _fingerprint(db: Db, source_id: str) -> tuple[str, str] | None:
    """(content hash, extractor version) of a stored source, None when there is none."""
    sql = db.sql()
    found = db.rows(
        f"SELECT content_hash, extractor_version FROM source WHERE id = {sql(source_id)}", sql.params
    )
    return (found[0][0], found[0][1]) if found else None


# --- an article -----------------------------------------------------------------------------------------


def write_article(
    session: Session,
    *,
    article: Article,
    pipeline: Pipeline,
    force: bool = False,
    pending: Pending | None = None,
) -> IngestResult:
    """Write one article and what the pipeline extracts from it (with `force`, even when text and extractor
    are unchanged; an unchanged text with new metadata only updates the metadata). Without `pending`, its
    facet counts and change entry are applied at once. The caller commits."""
    own = pending is None
    pending = Pending() if pending is None else pending
    db = Db.of(session)
    key, content = article
    source_id = source_id_for(key)
    content_hash = text_hash(content.text)
    stored = _fingerprint(db, source_id)
    if stored == (content_hash, EXTRACTOR_VERSION) and not force:
        current = stored_article(session, source_id)
        if current is not None and current.content.metadata() == content.metadata():
            return IngestResult(source_id, "unchanged")
        update_metadata(session, source_id, content, pending=pending)
        result = IngestResult(source_id, "changed")
    else:
        extraction = pipeline.extract(content.text)
        mentioned = _clear_extraction(db, source_id, pending) if stored is not None else set()
        _write_source(db, source_id, key, content, content_hash, new=stored is None)
        _write_extraction(db, source_id, content, extraction, pending, content.text)
        _collect_orphans(db, mentioned)
        pending.changes.append((source_id, "created" if stored is None else "updated"))
        counts = len(extraction.claims), len(extraction.mentions), len(extraction.relations)
        result = IngestResult(source_id, "new" if stored is None else "changed", *counts)
    if own:
        pending.flush(session)
    return result


def _now() -> datetime:
    return datetime.now(UTC)


def _metadata_values(sql: Sql, metadata: ArticleMetadata) -> dict[str, str]:
    """Placeholders for the metadata columns of a source row, each value as its column holds it."""
    values: dict[str, str] = {}
    for name, value in metadata.metadata().items():
        if name == "authors":
            values[name] = sql.json(value or [])
        elif name in ("published", "published_not_before"):
            values[name] = sql.day(value)
        else:
            values[name] = sql(value)
    return values


def _write_source(
    db: Db, source_id: str, key: str, content: ArticleIn, content_hash: str, *, new: bool
) -> None:
    sql = db.sql()
    now = sql.moment(_now())
    values = {
        **_metadata_values(sql, content),
        "text": sql(content.text),
        "content_hash": sql(content_hash),
        "extractor_version": sql(EXTRACTOR_VERSION),
        "updated_at": now,
    }
    if new:
        values |= {"id": sql(source_id), "key": sql(key), "ingested_at": now}
        names = ", ".join(f'"{c}"' for c in values)
        db.execute(f"INSERT INTO source ({names}) VALUES ({', '.join(values.values())})", sql.params)
    else:
        assignments = ", ".join(f'"{c}" = {v}' for c, v in values.items())
        db.execute(f"UPDATE source SET {assignments} WHERE id = {sql(source_id)}", sql.params)


def _write_extraction(
    db: Db, source_id: str, metadata: ArticleMetadata, extraction: Extraction, pending: Pending, text: str
) -> None:
    """The rows of what was extracted, the claims with their documents; their facet counts go to
    `pending`."""
    published, basis = claim_date(metadata.published, metadata.published_not_before)
    _ensure_entities(db, extraction.entities.values())
    _learn_aliases(db, source_id, extraction)
    db.insert_many(
        "mention",
        ("source_id", "entity_id", "start", "end"),
        [(source_id, m.entity_id, m.start, m.end) for m in extraction.mentions],
    )
    rows = ClaimRows()
    span_to_claim: dict[tuple[int, int], str] = {}
    for c in extraction.claims:
        cid = claim_id(source_id, c.start, c.end)
        span_to_claim[(c.start, c.end)] = cid
        rows.claims.append(
            ClaimRow(
                cid,
                source_id,
                c.start,
                c.end,
                c.text,
                c.kind,
                c.speaker_id,
                c.cited_id,
                c.time_scope,
                published,
                basis,
            )
        )
        rows.topics += [(cid, t) for t in c.topics]
        rows.links += [(cid, e, role) for e, role in c.entities]
        rows.quantities += [
            QuantityRow(cid, q.value, q.unit, q.text, q.start, q.end)
            for q in sorted(c.quantities, key=lambda q: q.start)
        ]
    _write_claims(db, rows, published)
    pending.facets.update(facet_deltas(rows))
    # An article relation's span is the wording that states it (its text is the evidence); its claim is
    # the sentence it was read from, when that sentence is a claim.
    db.insert_many(
        "relation",
        (
            "id",
            "subject_id",
            "predicate",
            "object_id",
            "origin",
            "source_id",
            "claim_id",
            "start",
            "end",
            "evidence",
            "confidence",
        ),
        [
            (
                relation_id(r.subject_id, r.predicate, r.object_id, source_id, r.start),
                r.subject_id,
                r.predicate,
                r.object_id,
                "article",
                source_id,
                span_to_claim.get((r.sentence_start, r.sentence_end)),
                r.start,
                r.end,
                text[r.start : r.end],
                r.confidence,
            )
            for r in extraction.relations
        ],
    )


def _write_claims(db: Db, rows: ClaimRows, published: date | None) -> None:
    """Claims with their documents and sort day (app.projection), their topics, entities and quantities."""
    docs = documents(rows, entity_refs(db, rows.entity_ids()))
    day = stored_day(sort_day(published), sqlite=db.sqlite)
    stored_published = stored_day(published, sqlite=db.sqlite)
    db.insert_many(
        "claim",
        (*ClaimRow._fields[:9], "published", "day", "doc"),
        [(*c[:9], stored_published, day, docs[c.id]) for c in rows.claims],
    )
    db.insert_many("claim_topic", ("claim_id", "topic_id", "day"), [(*t, day) for t in rows.topics])
    db.insert_many("claim_entity", ("claim_id", "entity_id", "role", "day"), [(*e, day) for e in rows.links])
    db.insert_many("quantity", ("claim_id", "value", "unit", "text", "start", "end"), rows.quantities)


def _ensure_entities(db: Db, records: Iterable[EntityRecord]) -> None:
    """Insert the discovered entities the database lacks (catalog ones are there since sync_catalog), with
    their names and aliases as aliases."""
    wanted = {r.id: r for r in records if r.origin != "catalog"}
    if not wanted:
        return
    sql = db.sql()
    have = {r[0] for r in db.rows(f"SELECT id FROM entity WHERE id IN {sql.each(wanted)}", sql.params)}
    new = [r for r in wanted.values() if r.id not in have]
    if not new:
        return
    # Shared rows another transaction may insert at the same time: in key order (two PostgreSQL writers
    # then wait for each other in the same order, no deadlock), skipped when already there.
    db.insert_many(
        "entity",
        ("id", "name", "type", "description", "attributes", "origin"),
        sorted((r.id, r.name, r.type, r.description, stored_json(r.attributes), r.origin) for r in new),
        skip_existing=True,
    )
    forms = {normalise_alias(a): (r.id, a) for r in new for a in (r.name, *r.aliases)}
    _insert_aliases(db, {k: (entity_id, alias, None) for k, (entity_id, alias) in forms.items()})


def _insert_aliases(db: Db, forms: dict[str, tuple[str, str, str | None]]) -> None:
    """Aliases by normalised form -> (entity, alias, source that taught it), but no form already taken."""
    if not forms:
        return
    sql = db.sql()
    taken = {
        r[0]
        for r in db.rows(
            f"SELECT normalised FROM entity_alias WHERE normalised IN {sql.each(forms)}", sql.params
        )
    }
    db.insert_many(
        "entity_alias",
        ("normalised", "entity_id", "alias", "source_id"),
        sorted((k, *v) for k, v in forms.items() if k and k not in taken),
        skip_existing=True,
    )


def _learn_aliases(db: Db, source_id: str, extraction: Extraction) -> None:
    """Multi-word forms an article uses for a known entity become its aliases, tied to that article."""
    forms: dict[str, tuple[str, str, str | None]] = {}
    known: dict[str, set[str]] = {}
    for m in extraction.mentions:
        if " " not in m.text.strip():
            continue
        own = known.get(m.entity_id)
        if own is None:
            record = extraction.entities[m.entity_id]
            own = known[m.entity_id] = {normalise_alias(a) for a in (record.name, *record.aliases)}
        key = normalise_alias(m.text)
        if key not in own:  # a form the catalog already lists needs no lookup
            forms.setdefault(key, (m.entity_id, m.text, source_id))
    _insert_aliases(db, forms)


# --- metadata -------------------------------------------------------------------------------------------


def update_metadata(
    session: Session, source_id: str, metadata: ArticleMetadata, *, pending: Pending | None = None
) -> None:
    """Replace a source's metadata (not its text); a new date moves its claims (sort day, documents, counts
    by month) with it. The caller commits."""
    own = pending is None
    pending = Pending() if pending is None else pending
    db = Db.of(session)
    sql = db.sql()
    dated = db.rows(f"SELECT published IS NOT NULL FROM source WHERE id = {sql(source_id)}", sql.params)
    sql = db.sql()
    values = _metadata_values(sql, metadata) | {"updated_at": sql.moment(_now())}
    assignments = ", ".join(f'"{c}" = {v}' for c, v in values.items())
    db.execute(f"UPDATE source SET {assignments} WHERE id = {sql(source_id)}", sql.params)
    pending.changes.append((source_id, "updated"))
    published, basis = claim_date(metadata.published, metadata.published_not_before)
    sql = db.sql()
    current = db.rows(f"SELECT published FROM claim WHERE source_id = {sql(source_id)} LIMIT 1", sql.params)
    if current and stored_day(published, sqlite=db.sqlite) != current[0][0]:
        # The claims move to the new date: sort day, documents, and their counts by month.
        before = ClaimRows.read(db, source_id=source_id)
        moved = [c._replace(published=published, published_basis=basis) for c in before.claims]
        after = replace(before, claims=moved)
        pending.facets.update(facet_deltas(before, sign=-1))
        pending.facets.update(facet_deltas(after))
        sql = db.sql()
        claims = f"source_id = {sql(source_id)}"
        day = sql.day(sort_day(published))
        stated = sql.day(published)
        db.execute(f"UPDATE claim SET published = {stated}, day = {day} WHERE {claims}", sql.params)
        for table in ("claim_topic", "claim_entity"):
            linked = f"claim_id IN (SELECT id FROM claim WHERE {claims})"
            db.execute(f"UPDATE {table} SET day = {day} WHERE {linked}", sql.params)
        store_documents(db, after)
    elif current and published is not None and bool(dated[0][0]) != (basis == "published"):
        # The same day, now the day itself rather than a lower bound (or the reverse): documents say which.
        store_documents(db, ClaimRows.read(db, source_id=source_id))
    if own:
        pending.flush(session)


# --- removal --------------------------------------------------------------------------------------------


def delete_source(session: Session, source_id: str, *, pending: Pending | None = None) -> bool:
    """Remove a source with its claims, mentions, learned aliases and relations; discovered entities nothing
    else refers to go too. False when there is no such source; the caller commits."""
    own = pending is None
    pending = Pending() if pending is None else pending
    db = Db.of(session)
    if _fingerprint(db, source_id) is None:
        return False
    mentioned = _clear_extraction(db, source_id, pending)
    sql = db.sql()
    db.execute(f"DELETE FROM source WHERE id = {sql(source_id)}", sql.params)
    _collect_orphans(db, mentioned)
    pending.changes.append((source_id, "deleted"))
    if own:
        pending.flush(session)
    return True


def _clear_extraction(db: Db, source_id: str, pending: Pending) -> set[str]:
    """Delete what was extracted from a source (its facet counts go to `pending`); returns the discovered
    entities it mentioned."""
    sql = db.sql()
    source = sql(source_id)
    mentioned = {
        r[0]
        for r in db.rows(
            "SELECT DISTINCT m.entity_id FROM mention m JOIN entity e ON e.id = m.entity_id "
            f"WHERE m.source_id = {source} AND e.origin = 'discovered'",
            sql.params,
        )
    }
    pending.facets.update(facet_deltas(ClaimRows.read(db, source_id=source_id), sign=-1))
    claims = f"SELECT id FROM claim WHERE source_id = {source}"
    for statement in (
        f"DELETE FROM entity_alias WHERE source_id = {source}",
        f"DELETE FROM relation WHERE source_id = {source}",
        f"DELETE FROM mention WHERE source_id = {source}",
        f"DELETE FROM quantity WHERE claim_id IN ({claims})",
        f"DELETE FROM claim_topic WHERE claim_id IN ({claims})",
        f"DELETE FROM claim_entity WHERE claim_id IN ({claims})",
        f"DELETE FROM claim WHERE source_id = {source}",
    ):
        db.execute(statement, sql.params)
    return mentioned


# What refers to an entity: while any of these does, a discovered entity stays.
_REFERENCES = (
    ("mention", "entity_id"),
    ("claim_entity", "entity_id"),
    ("relation", "subject_id"),
    ("relation", "object_id"),
    ("claim", "speaker_id"),
    ("claim", "cited_id"),
)


def _collect_orphans(db: Db, candidates: set[str]) -> None:
    """Of the candidates, discovered entities nothing refers to any more are removed (catalog ones stay).
    Only the entities an article used can become orphans when it changes, so only those are checked."""
    if not candidates:
        return
    sql = db.sql()
    unreferenced = " AND ".join(
        f"NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{column} = e.id)" for table, column in _REFERENCES
    )
    ids = sql.each(sorted(candidates))
    statement = f"SELECT id FROM entity e WHERE e.origin = 'discovered' AND e.id IN {ids} AND {unreferenced}"
    orphans = [r[0] for r in db.rows(statement, sql.params)]
    if orphans:
        sql = db.sql()
        ids = sql.each(orphans)
        db.execute(f"DELETE FROM entity_alias WHERE entity_id IN {ids}", sql.params)
        db.execute(f"DELETE FROM entity WHERE id IN {ids}", sql.params)
