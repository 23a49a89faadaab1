"""Everything but claims: sources, entities, relations, topics, KB sizes and search, each list taking its
filter model (the query string's shape) and paged by keyset cursors.

SQLAlchemy Core over a Session: these rows carry dates, timestamps and JSON columns, which Core types on
both backends. Claim counts come from the counts kept at ingest (app.projection), never from counting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import (
    CLAIM,
    ENTITY,
    ENTITY_ALIAS,
    FACET_COUNT,
    MENTION,
    PREDICATE_ABOUT,
    QUANTITY,
    RELATION,
    SOURCE,
    TOPIC,
    EntityType,
    Predicate,
    RelationOrigin,
    TopicId,
)
from app.queries.claims import ClaimFilter, fts_terms, list_claims
from app.queries.names import entity_named, resolved
from app.queries.paging import PageParams, decode_cursor, page
from app.sql import Db

__all__ = [
    "EntityFilter",
    "RelationFilter",
    "SearchParams",
    "SourceFilter",
    "canonical_entity",
    "entity_exists",
    "entity_relations",
    "get_entity",
    "get_source",
    "list_entities",
    "list_relations",
    "list_sources",
    "list_topics",
    "search",
    "source_exists",
    "stats",
    "written_source",
]

Items = tuple[list[dict[str, Any]], str | None]


class SourceFilter(PageParams):
    publisher: str | None = Field(default=None, description="Publisher name (any case)")
    published_from: date | None = Field(default=None, description="Published (or not before) on or after")
    published_to: date | None = Field(default=None, description="Published (or not before) on or before")


class EntityFilter(PageParams):
    type: EntityType | None = Field(default=None, description="Only entities of this type")
    topic: TopicId | None = Field(default=None, description="Only entities with claims on this topic")
    sort: Literal["id", "name", "-claims"] = Field(
        default="id", description="id, name, or -claims (most first)"
    )
    q: str | None = Field(default=None, min_length=1, max_length=200, description="Prefix of a name or alias")


class RelationFilter(PageParams):
    subject: str | None = Field(default=None, description="The subject: entity id, name or alias")
    predicate: Predicate | None = Field(
        default=None, description=f"Only relations of this predicate. {PREDICATE_ABOUT}"
    )
    object: str | None = Field(default=None, description="The object: entity id, name or alias")
    source: str | None = Field(
        default=None, description="Source id or url: the relations that article states"
    )
    origin: RelationOrigin | None = Field(
        default=None,
        description="`article`: only relations articles state; `catalog`: only the curated background",
    )
    min_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Only relations at least this confident (0-1; catalog relations are 1.0, relations an "
        "older extractor wrote have none and are left out)",
    )


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = Field(
        min_length=1, max_length=200, description="Words to find in claims; a prefix of entity names"
    )
    limit: int = Field(default=20, ge=1, le=100, description="Claims to return (1-100); entities: at most 20")


def _kept_counts(
    session: Session, scope: str, facet: str, values: Sequence[str] | None = None
) -> dict[str, int]:
    """Claim counts kept at ingest (app.projection): by `facet` value among the claims of `scope` (only
    `values`, when given; a value with no claims is absent)."""
    query = select(FACET_COUNT.c.value, FACET_COUNT.c.count).where(
        FACET_COUNT.c.scope == scope, FACET_COUNT.c.facet == facet
    )
    if values is not None:
        query = query.where(FACET_COUNT.c.value.in_(values))
    return {r[0]: r[1] for r in session.execute(query)}


def _after(columns: Sequence[ColumnElement[Any]], values: Sequence[Any], descending: bool = False) -> Any:
    """Rows after a keyset position: (a, b) > (x, y) spelled out (the first column descending if asked)."""
    first, *rest = columns
    head, *tail = values
    beyond = first < head if descending else first > head
    if not rest:
        return beyond
    return or_(beyond, and_(first == head, _after(rest, tail)))


# --- sources --------------------------------------------------------------------------------------------

_SOURCE_LISTED = [c for c in SOURCE.c if c.name != "text"]


def _source_item(row: Any, claim_count: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "title": row.title,
        "publisher": row.publisher,
        "authors": row.authors,
        "published": row.published,
        "published_not_before": row.published_not_before,
        "language": row.language,
        "content_hash": row.content_hash,
        "extractor_version": row.extractor_version,
        "ingested_at": row.ingested_at,
        "claim_count": claim_count,
    }


def _claim_counts(session: Session, source_ids: list[str]) -> dict[str, int]:
    return _kept_counts(session, "", "source", source_ids) if source_ids else {}


def list_sources(session: Session, f: SourceFilter) -> Items:
    """Sources in id order (stable under inserts), without their text."""
    f = resolved(Db.of(session), f)
    query = select(*_SOURCE_LISTED).order_by(SOURCE.c.id).limit(f.limit + 1)
    if f.publisher:
        query = query.where(SOURCE.c.publisher == f.publisher)
    day = func.coalesce(SOURCE.c.published, SOURCE.c.published_not_before)
    if f.published_from:
        query = query.where(day >= f.published_from)
    if f.published_to:
        query = query.where(day <= f.published_to)
    if f.cursor:
        query = query.where(_after([SOURCE.c.id], decode_cursor(f.cursor, (str,))))
    rows, next_cursor = page(list(session.execute(query)), f.limit, lambda r: [r.id])
    counts = _claim_counts(session, [r.id for r in rows])
    return [_source_item(r, counts.get(r.id, 0)) for r in rows], next_cursor


def source_exists(session: Session, source_id: str) -> bool:
    return session.execute(select(SOURCE.c.id).where(SOURCE.c.id == source_id)).first() is not None


def get_source(session: Session, source_id: str) -> dict[str, Any]:
    """One source with its exact text and the entities it mentions (with mention counts)."""
    row = session.execute(select(SOURCE).where(SOURCE.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"no source with id {source_id!r}")
    item = _source_item(row, _claim_counts(session, [source_id]).get(source_id, 0))
    mentioned = session.execute(
        select(ENTITY.c.id, ENTITY.c.name, ENTITY.c.type, func.count().label("mentions"))
        .join(MENTION, MENTION.c.entity_id == ENTITY.c.id)
        .where(MENTION.c.source_id == source_id)
        .group_by(ENTITY.c.id, ENTITY.c.name, ENTITY.c.type)
        .order_by(func.min(MENTION.c.start))
    )
    item["text"] = row.text
    item["note"] = row.note
    item["entities"] = [
        {"id": r.id, "name": r.name, "type": r.type, "mentions": r.mentions} for r in mentioned
    ]
    return item


def written_source(session: Session, source_id: str) -> dict[str, Any]:
    """A source as a write answers it: metadata without the text, and how many claims, mentions and
    relations it holds."""
    row = session.execute(select(*_SOURCE_LISTED).where(SOURCE.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"no source with id {source_id!r}")
    counts = {
        name: session.execute(
            select(func.count()).select_from(rows).where(rows.c.source_id == source_id)
        ).scalar_one()
        for name, rows in (("claims", CLAIM), ("mentions", MENTION), ("relations", RELATION))
    }
    return {**_source_item(row, counts["claims"]), "note": row.note, "extracted": counts}


# --- entities -------------------------------------------------------------------------------------------


def list_entities(session: Session, f: EntityFilter) -> Items:
    """Entities by id, name or claim count (most first); `q` is a case-insensitive prefix of the name or any
    alias; `topic` keeps entities with claims on it (and counts only those claims)."""
    # Claim counts (within the topic, with `topic`) come from the counts kept at ingest: constant work per
    # entity however many claims there are.
    kept = FACET_COUNT.alias("kept")
    on = and_(kept.c.scope == (f"topic:{f.topic}" if f.topic else ""), kept.c.facet == "entity")
    claim_count = func.coalesce(kept.c.count, 0).label("claim_count")
    query = select(ENTITY, claim_count).select_from(
        ENTITY.join(kept, and_(on, kept.c.value == ENTITY.c.id), isouter=not f.topic)
    )
    if f.type:
        query = query.where(ENTITY.c.type == f.type)
    if f.q:
        prefix = f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        aliases = select(ENTITY_ALIAS.c.entity_id).where(
            func.lower(ENTITY_ALIAS.c.alias).like(prefix, escape="\\")
        )
        query = query.where(
            or_(func.lower(ENTITY.c.name).like(prefix, escape="\\"), ENTITY.c.id.in_(aliases))
        )
    types: tuple[type, ...]
    if f.sort == "-claims":
        order: list[Any] = [claim_count.desc(), ENTITY.c.id]
        columns, types, descending = [claim_count, ENTITY.c.id], (int, str), True
    elif f.sort == "name":
        order = [ENTITY.c.name, ENTITY.c.id]
        columns, types, descending = [ENTITY.c.name, ENTITY.c.id], (str, str), False
    else:
        order = [ENTITY.c.id]
        columns, types, descending = [ENTITY.c.id], (str,), False
    if f.cursor:
        query = query.where(_after(columns, decode_cursor(f.cursor, types), descending))
    rows = list(session.execute(query.order_by(*order).limit(f.limit + 1)))
    rows, next_cursor = page(rows, f.limit, lambda r: [getattr(r, c.name) for c in columns])
    return _entity_items(session, rows), next_cursor


def _entity_items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Entity rows (with their claim_count) as list items, with their aliases."""
    aliases_of: dict[str, list[str]] = defaultdict(list)
    if rows:
        for entity_id, alias in session.execute(
            select(ENTITY_ALIAS.c.entity_id, ENTITY_ALIAS.c.alias)
            .where(ENTITY_ALIAS.c.entity_id.in_([r.id for r in rows]))
            .order_by(ENTITY_ALIAS.c.id)
        ):
            aliases_of[entity_id].append(alias)
    return [
        {
            "id": r.id,
            "name": r.name,
            "type": r.type,
            "description": r.description,
            "aliases": aliases_of.get(r.id, []),
            "attributes": r.attributes,
            "origin": r.origin,
            "claim_count": r.claim_count,
        }
        for r in rows
    ]


def entity_exists(session: Session, entity_id: str) -> bool:
    return session.execute(select(ENTITY.c.id).where(ENTITY.c.id == entity_id)).first() is not None


def canonical_entity(session: Session, entity_id: str) -> str | None:
    """The id an old id or an alias stands for (None when nothing matches): app.queries.names."""
    return entity_named(Db.of(session), entity_id)


def get_entity(session: Session, entity_id: str) -> dict[str, Any]:
    """An entity with its aliases, attributes, relations in and out, claim counts by topic and sources."""
    row = session.execute(select(ENTITY).where(ENTITY.c.id == entity_id)).first()
    if row is None:
        raise NotFound(f"no entity with id {entity_id!r}")
    aliases = list(
        session.execute(
            select(ENTITY_ALIAS.c.alias)
            .where(ENTITY_ALIAS.c.entity_id == entity_id)
            .order_by(ENTITY_ALIAS.c.id)
        ).scalars()
    )
    outgoing, _ = list_relations(session, RelationFilter(limit=100, subject=entity_id))
    incoming, _ = list_relations(session, RelationFilter(limit=100, object=entity_id))
    by_topic = _kept_counts(session, f"entity:{entity_id}", "topic").items()
    # Counted over the (entity_id, source_id) index alone; only the 50 sources kept are then looked up.
    top = (
        select(MENTION.c.source_id, func.count().label("mentions"))
        .where(MENTION.c.entity_id == entity_id)
        .group_by(MENTION.c.source_id)
        .order_by(func.count().desc(), MENTION.c.source_id)
        .limit(50)
        .subquery()
    )
    sources = session.execute(
        select(SOURCE.c.id, SOURCE.c.title, SOURCE.c.publisher, SOURCE.c.published, top.c.mentions)
        .join(top, top.c.source_id == SOURCE.c.id)
        .order_by(top.c.mentions.desc(), SOURCE.c.id)
    )
    claim_count = _kept_counts(session, "", "entity", [entity_id]).get(entity_id, 0)
    return {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "description": row.description,
        "aliases": aliases,
        "attributes": row.attributes,
        "origin": row.origin,
        "claim_count": claim_count,
        "claims_by_topic": dict(sorted(by_topic, key=lambda t: (-t[1], t[0]))),
        "relations_out": outgoing,
        "relations_in": incoming,
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "published": s.published,
                "mentions": s.mentions,
            }
            for s in sources
        ],
    }


# --- relations ------------------------------------------------------------------------------------------


def _relation_items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    ids = {r.subject_id for r in rows} | {r.object_id for r in rows}
    refs = {
        r.id: {"id": r.id, "name": r.name, "type": r.type}
        for r in session.execute(
            select(ENTITY.c.id, ENTITY.c.name, ENTITY.c.type).where(ENTITY.c.id.in_(ids))
        )
    }
    return [
        {
            "id": r.id,
            "subject": refs[r.subject_id],
            "predicate": r.predicate,
            "object": refs[r.object_id],
            "origin": r.origin,
            "source": r.source_id,
            "claim": r.claim_id,
            "span": {"start": r.start, "end": r.end} if r.start is not None else None,
            "evidence": r.evidence,
            "confidence": r.confidence,
        }
        for r in rows
    ]


def _relations_page(session: Session, condition: Any, params: PageParams) -> Items:
    query = select(RELATION).where(condition).order_by(RELATION.c.id).limit(params.limit + 1)
    if params.cursor:
        query = query.where(_after([RELATION.c.id], decode_cursor(params.cursor, (str,))))
    rows, next_cursor = page(list(session.execute(query)), params.limit, lambda r: [r.id])
    return _relation_items(session, rows), next_cursor


def list_relations(session: Session, f: RelationFilter) -> Items:
    """Relations in id order with both ends as entity references and their provenance."""
    f = resolved(Db.of(session), f)
    conditions = [
        column == value
        for column, value in (
            (RELATION.c.subject_id, f.subject),
            (RELATION.c.predicate, f.predicate),
            (RELATION.c.object_id, f.object),
            (RELATION.c.source_id, f.source),
            (RELATION.c.origin, f.origin),
        )
        if value
    ]
    if f.min_confidence is not None:
        conditions.append(RELATION.c.confidence >= f.min_confidence)
    return _relations_page(session, and_(True, *conditions), f)


def entity_relations(session: Session, entity_id: str, params: PageParams) -> Items:
    """Relations in which the entity is subject or object, in id order."""
    either = or_(RELATION.c.subject_id == entity_id, RELATION.c.object_id == entity_id)
    return _relations_page(session, either, params)


# --- topics, stats, search ------------------------------------------------------------------------------


def list_topics(session: Session) -> list[dict[str, Any]]:
    """The eleven topics with their definitions and how many claims carry each."""
    counts = _kept_counts(session, "", "topic")
    rows = session.execute(select(TOPIC.c.id, TOPIC.c.label, TOPIC.c.definition).order_by(TOPIC.c.id))
    return [
        {"id": r.id, "label": r.label, "definition": r.definition, "claim_count": counts.get(r.id, 0)}
        for r in rows
    ]


def stats(session: Session) -> dict[str, Any]:
    """Sizes of the knowledge base."""

    def count(table: Any) -> int:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())

    by_type = {
        r[0]: r[1] for r in session.execute(select(ENTITY.c.type, func.count()).group_by(ENTITY.c.type))
    }
    by_entity_origin = {
        r[0]: r[1] for r in session.execute(select(ENTITY.c.origin, func.count()).group_by(ENTITY.c.origin))
    }
    # One kept count per entity a claim names: an index range of facet_count, not a scan of claim_entity.
    with_claims = session.execute(
        select(func.count())
        .select_from(FACET_COUNT)
        .where(FACET_COUNT.c.scope == "", FACET_COUNT.c.facet == "entity")
    ).scalar_one()
    by_origin = {
        r[0]: r[1]
        for r in session.execute(select(RELATION.c.origin, func.count()).group_by(RELATION.c.origin))
    }
    by_kind = dict(sorted(_kept_counts(session, "", "kind").items()))
    latest = session.execute(select(func.max(SOURCE.c.ingested_at))).scalar_one()
    return {
        "sources": count(SOURCE),
        "claims": sum(by_kind.values()),
        "claims_by_kind": by_kind,
        "quantities": count(QUANTITY),
        "entities": count(ENTITY),
        "entities_by_type": dict(sorted(by_type.items())),
        "entities_by_origin": dict(sorted(by_entity_origin.items())),
        "entities_with_claims": with_claims,
        "relations": count(RELATION),
        "relations_by_origin": dict(sorted(by_origin.items())),
        "topics": count(TOPIC),
        "last_ingested_at": latest,
    }


SEARCH_ENTITIES = 20


def _ranked_entities(session: Session, q: str, limit: int) -> list[dict[str, Any]]:
    """Entities whose name or an alias starts with q (case-insensitive), best first: an exact name or alias
    match, then a name that starts with q, then an alias that does; within each, more claims first, then
    the shorter name."""
    wanted = q.lower()
    prefix = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    name, alias = func.lower(ENTITY.c.name), func.lower(ENTITY_ALIAS.c.alias)
    matches = union_all(
        select(ENTITY.c.id.label("entity_id"), case((name == wanted, 0), else_=1).label("tier")).where(
            name.like(prefix, escape="\\")
        ),
        select(ENTITY_ALIAS.c.entity_id, case((alias == wanted, 0), else_=2).label("tier")).where(
            alias.like(prefix, escape="\\")
        ),
    ).subquery()
    best = (
        select(matches.c.entity_id, func.min(matches.c.tier).label("tier"))
        .group_by(matches.c.entity_id)
        .subquery()
    )
    kept = FACET_COUNT.alias("kept")
    on = and_(kept.c.scope == "", kept.c.facet == "entity", kept.c.value == ENTITY.c.id)
    claim_count = func.coalesce(kept.c.count, 0).label("claim_count")
    query = (
        select(ENTITY, claim_count)
        .select_from(ENTITY.join(best, best.c.entity_id == ENTITY.c.id).join(kept, on, isouter=True))
        .order_by(best.c.tier, claim_count.desc(), func.length(ENTITY.c.name), ENTITY.c.id)
        .limit(limit)
    )
    return _entity_items(session, list(session.execute(query)))


def search(session: Session, params: SearchParams) -> dict[str, Any]:
    """Entities whose name or alias starts with q (best matches first), and the claims that best match its
    words."""
    entities = _ranked_entities(session, params.q, min(params.limit, SEARCH_ENTITIES))
    claims: list[dict[str, Any]] = []
    if fts_terms(params.q):
        docs, _ = list_claims(Db.of(session), ClaimFilter(q=params.q, limit=params.limit))
        claims = [orjson.loads(d) for d in docs]
    return {"entities": entities, "claims": claims}
