"""Reads as thin SQL: filters -> select(), keyset cursors, and batch loading of a page's nested rows."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Date, Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from app.errors import BadRequest, NotFound
from app.models import (
    Claim,
    ClaimEntity,
    ClaimTopic,
    Entity,
    EntityAlias,
    Mention,
    Quantity,
    Relation,
    Source,
)

__all__ = [
    "decode_cursor",
    "encode_cursor",
    "get_source",
    "list_claims",
    "list_entities",
    "list_relations",
    "list_sources",
]

E = Entity.__table__  # type: ignore[attr-defined]
S = Source.__table__  # type: ignore[attr-defined]
C = Claim.__table__  # type: ignore[attr-defined]
CT = ClaimTopic.__table__  # type: ignore[attr-defined]
CE = ClaimEntity.__table__  # type: ignore[attr-defined]
Q = Quantity.__table__  # type: ignore[attr-defined]
R = Relation.__table__  # type: ignore[attr-defined]
M = Mention.__table__  # type: ignore[attr-defined]
A = EntityAlias.__table__  # type: ignore[attr-defined]


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor: the sort key of the last item served."""
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, orjson.JSONDecodeError, ValueError) as exc:
        raise BadRequest("cursor is not one this API issued", parameter="cursor") from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadRequest("cursor is not one this API issued", parameter="cursor")
    return values


def _page(rows: list[Any], limit: int, key: Any) -> tuple[list[Any], str | None]:
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(key(rows[-1]))
    return rows, None


def _refs(session: Session, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = session.execute(select(E.c.id, E.c.name, E.c.type).where(E.c.id.in_(ids)))
    return {r.id: {"id": r.id, "name": r.name, "type": r.type} for r in rows}


# --- sources --------------------------------------------------------------------------------------------


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
    if not source_ids:
        return {}
    rows = session.execute(
        select(C.c.source_id, func.count()).where(C.c.source_id.in_(source_ids)).group_by(C.c.source_id)
    )
    return {r[0]: r[1] for r in rows}


def list_sources(
    session: Session, *, limit: int, cursor: str | None, publisher: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Sources in id order (stable under inserts), without their text."""
    columns = [c for c in S.c if c.name != "text"]
    query = select(*columns).order_by(S.c.id).limit(limit + 1)
    if publisher:
        query = query.where(S.c.publisher == publisher)
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        query = query.where(S.c.id > str(last))
    rows, next_cursor = _page(list(session.execute(query)), limit, lambda r: [r.id])
    counts = _claim_counts(session, [r.id for r in rows])
    return [_source_item(r, counts.get(r.id, 0)) for r in rows], next_cursor


def get_source(session: Session, source_id: str) -> dict[str, Any]:
    """One source with its exact text and the entities it mentions (with mention counts)."""
    row = session.execute(select(S).where(S.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"no source with id {source_id!r}")
    item = _source_item(row, _claim_counts(session, [source_id]).get(source_id, 0))
    mentioned = session.execute(
        select(E.c.id, E.c.name, E.c.type, func.count().label("mentions"))
        .join(M, M.c.entity_id == E.c.id)
        .where(M.c.source_id == source_id)
        .group_by(E.c.id, E.c.name, E.c.type)
        .order_by(func.min(M.c.start))
    )
    item["text"] = row.text
    item["note"] = row.note
    item["entities"] = [
        {"id": r.id, "name": r.name, "type": r.type, "mentions": r.mentions} for r in mentioned
    ]
    return item


# --- claims ---------------------------------------------------------------------------------------------


def list_claims(
    session: Session,
    *,
    limit: int,
    cursor: str | None,
    source: str | None = None,
    topics: Sequence[str] = (),
    entities: Sequence[str] = (),
    kind: str | None = None,
    speaker: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Claims matching every filter; in reading order within a source, else newest source first."""
    query: Select[Any] = select(
        C.c.id,
        C.c.source_id,
        C.c.start,
        C.c.end,
        C.c.text,
        C.c.kind,
        C.c.speaker_id,
        C.c.cited_id,
        C.c.time_scope,
        C.c.published,
    )
    for topic in topics:
        query = query.where(C.c.id.in_(select(CT.c.claim_id).where(CT.c.topic_id == topic)))
    for entity in entities:
        query = query.where(C.c.id.in_(select(CE.c.claim_id).where(CE.c.entity_id == entity)))
    if kind:
        query = query.where(C.c.kind == kind)
    if speaker:
        query = query.where(C.c.speaker_id == speaker)
    if source:
        query = query.where(C.c.source_id == source).order_by(C.c.start, C.c.id)
        if cursor:
            start, last = decode_cursor(cursor, 2)
            query = query.where(or_(C.c.start > start, and_(C.c.start == start, C.c.id > last)))
        key = lambda r: [r.start, r.id]  # noqa: E731
    else:
        day = func.coalesce(C.c.published, literal(date(1, 1, 1), Date))
        query = query.order_by(day.desc(), C.c.id)
        if cursor:
            published, last = decode_cursor(cursor, 2)
            try:
                published_day = date.fromisoformat(published)
            except (TypeError, ValueError) as exc:
                raise BadRequest("cursor is not one this API issued", parameter="cursor") from exc
            query = query.where(or_(day < published_day, and_(day == published_day, C.c.id > last)))
        key = lambda r: [str(r.published or "0001-01-01"), r.id]  # noqa: E731
    rows, next_cursor = _page(list(session.execute(query.limit(limit + 1))), limit, key)
    return hydrate_claims(session, rows), next_cursor


def hydrate_claims(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Attach topics, entities, quantities, speaker and cited source to a page of claims: 4 queries."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    topics: dict[str, list[str]] = defaultdict(list)
    for claim_id, topic in session.execute(
        select(CT.c.claim_id, CT.c.topic_id).where(CT.c.claim_id.in_(ids)).order_by(CT.c.topic_id)
    ):
        topics[claim_id].append(topic)
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for claim_id, entity_id, role in session.execute(
        select(CE.c.claim_id, CE.c.entity_id, CE.c.role).where(CE.c.claim_id.in_(ids))
    ):
        links[claim_id].append((entity_id, role))
    quantities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in session.execute(select(Q).where(Q.c.claim_id.in_(ids)).order_by(Q.c.start)):
        quantities[q.claim_id].append(
            {"value": q.value, "unit": q.unit, "text": q.text, "span": {"start": q.start, "end": q.end}}
        )
    wanted = (
        {e for pairs in links.values() for e, _ in pairs}
        | {r.speaker_id for r in rows if r.speaker_id}
        | {r.cited_id for r in rows if r.cited_id}
    )
    refs = _refs(session, wanted)
    items = []
    for r in rows:
        items.append(
            {
                "id": r.id,
                "source": r.source_id,
                "text": r.text,
                "span": {"start": r.start, "end": r.end},
                "kind": r.kind,
                "topics": topics.get(r.id, []),
                "entities": [{**refs[e], "role": role} for e, role in links.get(r.id, []) if e in refs],
                "quantities": quantities.get(r.id, []),
                "speaker": refs.get(r.speaker_id) if r.speaker_id else None,
                "cited": refs.get(r.cited_id) if r.cited_id else None,
                "time_scope": r.time_scope,
                "published": r.published,
            }
        )
    return items


# --- entities and relations -----------------------------------------------------------------------------


def list_entities(
    session: Session, *, limit: int, cursor: str | None, type: str | None = None, q: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Entities in id order; `q` is a case-insensitive prefix of the name or any alias."""
    query = select(E).order_by(E.c.id).limit(limit + 1)
    if type:
        query = query.where(E.c.type == type)
    if q:
        prefix = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(E.c.name).like(prefix, escape="\\"),
                E.c.id.in_(select(A.c.entity_id).where(func.lower(A.c.alias).like(prefix, escape="\\"))),
            )
        )
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        query = query.where(E.c.id > str(last))
    rows, next_cursor = _page(list(session.execute(query)), limit, lambda r: [r.id])
    aliases: dict[str, list[str]] = defaultdict(list)
    if rows:
        for entity_id, alias in session.execute(
            select(A.c.entity_id, A.c.alias).where(A.c.entity_id.in_([r.id for r in rows])).order_by(A.c.id)
        ):
            aliases[entity_id].append(alias)
    items = [
        {
            "id": r.id,
            "name": r.name,
            "type": r.type,
            "description": r.description,
            "aliases": aliases.get(r.id, []),
            "attributes": r.attributes,
            "origin": r.origin,
        }
        for r in rows
    ]
    return items, next_cursor


def list_relations(
    session: Session,
    *,
    limit: int,
    cursor: str | None,
    subject: str | None = None,
    predicate: str | None = None,
    object: str | None = None,
    source: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Relations in id order with both ends as entity references and their provenance."""
    query = select(R).order_by(R.c.id).limit(limit + 1)
    for column, value in (
        (R.c.subject_id, subject),
        (R.c.predicate, predicate),
        (R.c.object_id, object),
        (R.c.source_id, source),
    ):
        if value:
            query = query.where(column == value)
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        query = query.where(R.c.id > str(last))
    rows, next_cursor = _page(list(session.execute(query)), limit, lambda r: [r.id])
    refs = _refs(session, {r.subject_id for r in rows} | {r.object_id for r in rows})
    items = [
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
        }
        for r in rows
    ]
    return items, next_cursor
