"""Reads as thin SQL: filters -> select(), keyset cursors, and batch loading of a page's nested rows."""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Select,
    and_,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from app.errors import BadRequest, NotFound
from app.models import (
    Claim,
    ClaimEntity,
    ClaimKind,
    ClaimTopic,
    Entity,
    EntityAlias,
    EntityType,
    Mention,
    Quantity,
    Relation,
    Source,
    Topic,
    TopicId,
)

__all__ = [
    "decode_cursor",
    "encode_cursor",
    "get_source",
    "list_claims",
    "list_entities",
    "list_relations",
    "list_sources",
    "written_source",
]

E = Entity.__table__  # type: ignore[attr-defined]
S = Source.__table__  # type: ignore[attr-defined]
C = Claim.__table__  # type: ignore[attr-defined]
CT = ClaimTopic.__table__  # type: ignore[attr-defined]
CE = ClaimEntity.__table__  # type: ignore[attr-defined]
Q = Quantity.__table__  # type: ignore[attr-defined]
R = Relation.__table__  # type: ignore[attr-defined]
T = Topic.__table__  # type: ignore[attr-defined]
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
    session: Session,
    *,
    limit: int,
    cursor: str | None,
    publisher: str | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Sources in id order (stable under inserts), without their text."""
    columns = [c for c in S.c if c.name != "text"]
    query = select(*columns).order_by(S.c.id).limit(limit + 1)
    if publisher:
        query = query.where(S.c.publisher == publisher)
    day = func.coalesce(S.c.published, S.c.published_not_before)
    if published_from:
        query = query.where(day >= published_from)
    if published_to:
        query = query.where(day <= published_to)
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


def written_source(session: Session, source_id: str) -> dict[str, Any]:
    """A source as a write answers it: metadata without the text, and how many claims, mentions and
    relations it holds."""
    row = session.execute(select(*[c for c in S.c if c.name != "text"]).where(S.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"no source with id {source_id!r}")
    counts = {
        name: session.execute(
            select(func.count()).select_from(rows).where(rows.c.source_id == source_id)
        ).scalar_one()
        for name, rows in (("claims", C), ("mentions", M), ("relations", R))
    }
    return {**_source_item(row, counts["claims"]), "note": row.note, "extracted": counts}


# --- claims ---------------------------------------------------------------------------------------------


CLAIM_FIELDS = (
    "id",
    "source",
    "text",
    "span",
    "kind",
    "topics",
    "entities",
    "quantities",
    "speaker",
    "cited",
    "time_scope",
    "published",
)
CLAIM_FACETS = ("topic", "entity", "kind", "source", "speaker")
NO_DATE = date(1, 1, 1)  # sorts undated claims last under -published


class ClaimFilter(BaseModel):
    """Every filter of GET /claims; all of them combine (AND). Unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200, description="Items per page (1-200)")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")
    topic: list[TopicId] = Field(default_factory=list, description="Topic id; repeat for all of several")
    entity: list[str] = Field(default_factory=list, description="Entity id; repeat for all of several")
    entity_type: EntityType | None = Field(default=None, description="Mentions an entity of this type")
    source: str | None = Field(default=None, description="Source id")
    publisher: str | None = Field(default=None, description="Exact publisher of the source")
    speaker: str | None = Field(default=None, description="Entity id of the speaker")
    cited: str | None = Field(default=None, description="Entity id of the cited source")
    kind: list[ClaimKind] = Field(default_factory=list, description="Claim kind; repeat for any of several")
    q: str | None = Field(default=None, min_length=1, max_length=200, description="Full text (all words)")
    published_from: date | None = Field(default=None, description="Published on or after (YYYY-MM-DD)")
    published_to: date | None = Field(default=None, description="Published on or before (YYYY-MM-DD)")
    has_quantity: bool | None = Field(default=None, description="States (true) or lacks (false) a number")
    unit: str | None = Field(
        default=None, max_length=20, description="Has a quantity in this unit (USD, %, …)"
    )
    value_min: float | None = Field(default=None, description="Has a quantity >= this (in `unit` if given)")
    value_max: float | None = Field(default=None, description="Has a quantity <= this (in `unit` if given)")
    sort: Literal["-published", "published", "relevance", "position"] | None = Field(
        default=None,
        description="-published (default), published, relevance (with q), position (reading order; "
        "the default with source)",
    )
    select: str | None = Field(
        default=None, description=f"Comma-separated fields of {', '.join(CLAIM_FIELDS)}"
    )
    facets: str | None = Field(
        default=None, description=f"Comma-separated counts by {', '.join(CLAIM_FACETS)}"
    )
    format: Literal["json", "csv", "ndjson"] | None = Field(
        default=None,
        description="json (default), or csv / ndjson streaming every matching claim (or by Accept)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ClaimFilter:
        if self.value_min is not None and self.value_max is not None and self.value_min > self.value_max:
            raise ValueError("value_min is greater than value_max")
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError("published_from is after published_to")
        if self.sort == "relevance" and not self.q:
            raise ValueError("sort=relevance needs q")
        return self

    def fields(self) -> list[str] | None:
        return _names(self.select, CLAIM_FIELDS, "select")

    def facet_names(self) -> list[str]:
        return _names(self.facets, CLAIM_FACETS, "facets") or []

    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if self.q:
            return "relevance"
        return "position" if self.source else "-published"


def _names(value: str | None, allowed: Sequence[str], parameter: str) -> list[str] | None:
    if not value:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    for name in names:
        if name not in allowed:
            hint = difflib.get_close_matches(name, allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(allowed)}"
            raise BadRequest(f"unknown {parameter} field {name!r}{suggestion}", parameter=parameter)
    return names


def fts_terms(q: str) -> list[str]:
    """The words of a query: punctuation and FTS operators in user text are never interpreted."""
    return re.findall(r"\w+", q.lower())[:20]


def _text_match(session: Session, q: str) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """(condition, relevance score: higher is better) for claims whose text has every word of q."""
    terms = fts_terms(q)
    if not terms:
        raise BadRequest("q has no words to search for", parameter="q")
    if session.get_bind().dialect.name == "postgresql":
        query = func.plainto_tsquery("english", " ".join(terms))
        search: ColumnElement[Any] = literal_column("claim.search")
        # float8: ts_rank is a real, whose rounding through JSON would break the keyset comparison.
        return search.op("@@")(query), cast(func.ts_rank(search, query), Float(53))
    match = " ".join(f'"{t}"' for t in terms)
    fts = table("claim_fts", column("rowid"), column("rank"))
    ranked = select(fts.c.rowid, fts.c.rank).where(literal_column("claim_fts").op("MATCH")(match)).subquery()
    rank = select(-ranked.c.rank).where(ranked.c.rowid == literal_column("claim.rowid")).scalar_subquery()
    return literal_column("claim.rowid").in_(select(ranked.c.rowid)), rank


def claim_conditions(session: Session, f: ClaimFilter) -> list[ColumnElement[bool]]:
    """The WHERE clause of a claim filter, as a list of conditions (pure SQL building, no I/O)."""
    where: list[ColumnElement[bool]] = []
    for topic in f.topic:
        where.append(C.c.id.in_(select(CT.c.claim_id).where(CT.c.topic_id == topic)))
    for entity in f.entity:
        where.append(C.c.id.in_(select(CE.c.claim_id).where(CE.c.entity_id == entity)))
    if f.entity_type:
        typed = select(CE.c.claim_id).join(E, E.c.id == CE.c.entity_id).where(E.c.type == f.entity_type)
        where.append(C.c.id.in_(typed))
    if f.source:
        where.append(C.c.source_id == f.source)
    if f.publisher:
        where.append(C.c.source_id.in_(select(S.c.id).where(S.c.publisher == f.publisher)))
    if f.speaker:
        where.append(C.c.speaker_id == f.speaker)
    if f.cited:
        where.append(C.c.cited_id == f.cited)
    if f.kind:
        where.append(C.c.kind.in_(f.kind))
    if f.published_from:
        where.append(C.c.published >= f.published_from)
    if f.published_to:
        where.append(C.c.published <= f.published_to)
    numeric = [Q.c.claim_id == C.c.id]
    if f.unit:
        numeric.append(Q.c.unit == f.unit)
    if f.value_min is not None:
        numeric.append(Q.c.value >= f.value_min)
    if f.value_max is not None:
        numeric.append(Q.c.value <= f.value_max)
    if len(numeric) > 1 or f.has_quantity:
        where.append(exists().where(*numeric))
    elif f.has_quantity is False:
        where.append(~exists().where(Q.c.claim_id == C.c.id))
    if f.q:
        where.append(_text_match(session, f.q)[0])
    return where


CLAIM_COLUMNS: tuple[Any, ...] = (
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


def list_claims(session: Session, f: ClaimFilter) -> tuple[list[dict[str, Any]], str | None]:
    """One page of claims matching the filter, in the requested order, with a keyset cursor."""
    where = claim_conditions(session, f)
    sort = f.effective_sort()
    day = func.coalesce(C.c.published, literal(NO_DATE, Date))
    query: Select[Any]
    if sort == "relevance":
        assert f.q
        score: Any = _text_match(session, f.q)[1].label("score")
        if f.cursor:
            last_score, last = decode_cursor(f.cursor, 2)
            if not isinstance(last_score, (int, float)):
                raise BadRequest("cursor is not one this API issued", parameter="cursor")
            where.append(or_(score < last_score, and_(score == last_score, C.c.id > str(last))))
        query = select(*CLAIM_COLUMNS, score).where(*where).order_by(score.desc(), C.c.id)
        key = lambda r: [r.score, r.id]  # noqa: E731
    elif sort == "position":
        query = select(*CLAIM_COLUMNS).where(*where).order_by(C.c.source_id, C.c.start, C.c.id)
        if f.cursor:
            source, start, last = decode_cursor(f.cursor, 3)
            after = or_(
                C.c.source_id > str(source),
                and_(C.c.source_id == str(source), C.c.start > _int(start)),
                and_(C.c.source_id == str(source), C.c.start == _int(start), C.c.id > str(last)),
            )
            query = query.where(after)
        key = lambda r: [r.source_id, r.start, r.id]  # noqa: E731
    else:
        newest_first = sort == "-published"
        query = select(*CLAIM_COLUMNS).where(*where)
        query = query.order_by(day.desc() if newest_first else day.asc(), C.c.id)
        if f.cursor:
            published, last = decode_cursor(f.cursor, 2)
            last_day = _date(published)
            beyond = day < last_day if newest_first else day > last_day
            query = query.where(or_(beyond, and_(day == last_day, C.c.id > str(last))))
        key = lambda r: [(r.published or NO_DATE).isoformat(), r.id]  # noqa: E731
    rows, next_cursor = _page(list(session.execute(query.limit(f.limit + 1))), f.limit, key)
    items = hydrate_claims(session, rows)
    fields = f.fields()
    if fields:
        keep = {"id", *fields}
        items = [{k: v for k, v in item.items() if k in keep} for item in items]
    return items, next_cursor


def claim_facets(session: Session, f: ClaimFilter) -> dict[str, list[dict[str, Any]]]:
    """Counts by topic, entity, kind, source or speaker over every claim the filter matches."""
    names = f.facet_names()
    if not names:
        return {}
    matching = select(C.c.id).where(*claim_conditions(session, f)).subquery()
    out: dict[str, list[dict[str, Any]]] = {}
    count = func.count().label("count")
    for name in names:
        if name == "topic":
            query = select(CT.c.topic_id.label("value"), count).where(
                CT.c.claim_id.in_(select(matching.c.id))
            )
            query = query.group_by(CT.c.topic_id)
        elif name == "entity":
            query = select(CE.c.entity_id.label("value"), count).where(
                CE.c.claim_id.in_(select(matching.c.id))
            )
            query = query.group_by(CE.c.entity_id)
        else:
            facet_column = {"kind": C.c.kind, "source": C.c.source_id, "speaker": C.c.speaker_id}[name]
            query = select(facet_column.label("value"), count).where(
                C.c.id.in_(select(matching.c.id)), facet_column.isnot(None)
            )
            query = query.group_by(facet_column)
        rows = session.execute(query.order_by(count.desc(), literal_column("value")).limit(50)).all()
        out[name] = [{"value": r.value, "count": r.count} for r in rows]
    refs = _refs(session, {e["value"] for key in ("entity", "speaker") for e in out.get(key, [])})
    for key in ("entity", "speaker"):
        for e in out.get(key, []):
            e.update({k: v for k, v in refs.get(e["value"], {}).items() if k != "id"})
    return out


def _int(value: Any) -> int:
    if not isinstance(value, int):
        raise BadRequest("cursor is not one this API issued", parameter="cursor")
    return value


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest("cursor is not one this API issued", parameter="cursor") from exc


def get_claim(session: Session, claim_id: str) -> dict[str, Any]:
    """One claim with its source and the sentences before and after it, for reading in context."""
    row = session.execute(select(*CLAIM_COLUMNS).where(C.c.id == claim_id)).first()
    if row is None:
        raise NotFound(f"no claim with id {claim_id!r}")
    item = hydrate_claims(session, [row])[0]
    source = session.execute(
        select(
            S.c.id, S.c.title, S.c.publisher, S.c.url, S.c.published, S.c.published_not_before, S.c.text
        ).where(S.c.id == row.source_id)
    ).one()
    text = source.text
    item["source"] = {
        k: getattr(source, k)
        for k in ("id", "title", "publisher", "url", "published", "published_not_before")
    }
    item["context"] = {"before": _sentence_before(text, row.start), "after": _sentence_after(text, row.end)}
    return item


_SENTENCE_BREAK = re.compile(r"(?<=[.!?”\"])\s+|\n+")


def _sentence_before(text: str, start: int) -> str | None:
    window = text[max(0, start - 600) : start].rstrip()
    parts = [p for p in _SENTENCE_BREAK.split(window) if p.strip()]
    return parts[-1].strip() if parts else None


def _sentence_after(text: str, end: int) -> str | None:
    window = text[end : end + 600].lstrip()
    parts = [p for p in _SENTENCE_BREAK.split(window) if p.strip()]
    return parts[0].strip() if parts else None


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
    session: Session,
    *,
    limit: int,
    cursor: str | None,
    type: str | None = None,
    q: str | None = None,
    topic: str | None = None,
    sort: str = "id",
) -> tuple[list[dict[str, Any]], str | None]:
    """Entities by id, name or claim count (most first); `q` is a case-insensitive prefix of the name or any
    alias; `topic` keeps entities with claims on it (and counts only those claims)."""
    linked = select(func.count()).select_from(CE).where(CE.c.entity_id == E.c.id)
    if topic:
        linked = linked.where(CE.c.claim_id.in_(select(CT.c.claim_id).where(CT.c.topic_id == topic)))
    claim_count = linked.scalar_subquery().label("claim_count")
    query = select(E, claim_count)
    if type:
        query = query.where(E.c.type == type)
    if topic:
        query = query.where(claim_count > 0)
    if q:
        prefix = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(E.c.name).like(prefix, escape="\\"),
                E.c.id.in_(select(A.c.entity_id).where(func.lower(A.c.alias).like(prefix, escape="\\"))),
            )
        )
    if sort == "-claims":
        query = query.order_by(claim_count.desc(), E.c.id)
        if cursor:
            count, last = decode_cursor(cursor, 2)
            query = query.where(
                or_(claim_count < _int(count), and_(claim_count == _int(count), E.c.id > str(last)))
            )
        key = lambda r: [r.claim_count, r.id]  # noqa: E731
    elif sort == "name":
        query = query.order_by(E.c.name, E.c.id)
        if cursor:
            name, last = decode_cursor(cursor, 2)
            query = query.where(or_(E.c.name > str(name), and_(E.c.name == str(name), E.c.id > str(last))))
        key = lambda r: [r.name, r.id]  # noqa: E731
    else:
        query = query.order_by(E.c.id)
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            query = query.where(E.c.id > str(last))
        key = lambda r: [r.id]  # noqa: E731
    rows, next_cursor = _page(list(session.execute(query.limit(limit + 1))), limit, key)
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
            "claim_count": r.claim_count,
        }
        for r in rows
    ]
    return items, next_cursor


def _relation_items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    refs = _refs(session, {r.subject_id for r in rows} | {r.object_id for r in rows})
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
        }
        for r in rows
    ]


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
    for relation_column, value in (
        (R.c.subject_id, subject),
        (R.c.predicate, predicate),
        (R.c.object_id, object),
        (R.c.source_id, source),
    ):
        if value:
            query = query.where(relation_column == value)
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        query = query.where(R.c.id > str(last))
    rows, next_cursor = _page(list(session.execute(query)), limit, lambda r: [r.id])
    items = _relation_items(session, rows)
    return items, next_cursor


# --- topics, stats, entity and source detail, search ---------------------------------------------------


def list_topics(session: Session) -> list[dict[str, Any]]:
    """The eleven topics with their definitions and how many claims carry each."""
    counts: dict[str, int] = {
        r[0]: r[1] for r in session.execute(select(CT.c.topic_id, func.count()).group_by(CT.c.topic_id))
    }
    rows = session.execute(select(T.c.id, T.c.label, T.c.definition).order_by(T.c.id))
    return [
        {"id": r.id, "label": r.label, "definition": r.definition, "claim_count": counts.get(r.id, 0)}
        for r in rows
    ]


def stats(session: Session) -> dict[str, Any]:
    """Sizes of the knowledge base."""

    def count(table_: Any) -> int:
        return int(session.execute(select(func.count()).select_from(table_)).scalar_one())

    by_type: dict[str, int] = {
        r[0]: r[1] for r in session.execute(select(E.c.type, func.count()).group_by(E.c.type))
    }
    by_origin: dict[str, int] = {
        r[0]: r[1] for r in session.execute(select(R.c.origin, func.count()).group_by(R.c.origin))
    }
    by_kind: dict[str, int] = {
        r[0]: r[1] for r in session.execute(select(C.c.kind, func.count()).group_by(C.c.kind))
    }
    latest = session.execute(select(func.max(S.c.ingested_at))).scalar_one()
    return {
        "sources": count(S),
        "claims": count(C),
        "claims_by_kind": by_kind,
        "quantities": count(Q),
        "entities": count(E),
        "entities_by_type": by_type,
        "relations": count(R),
        "relations_by_origin": by_origin,
        "topics": count(T),
        "last_ingested_at": latest,
    }


def canonical_entity(session: Session, entity_id: str) -> str | None:
    """The id an old id or an alias stands for (None when nothing matches)."""
    from app.extraction.catalog import normalise_alias

    key = normalise_alias(entity_id.replace("-", " "))
    return session.execute(select(A.c.entity_id).where(A.c.normalised == key)).scalar_one_or_none()


def get_entity(session: Session, entity_id: str) -> dict[str, Any]:
    """An entity with its aliases, attributes, relations in and out, claim counts by topic and sources."""
    row = session.execute(select(E).where(E.c.id == entity_id)).first()
    if row is None:
        raise NotFound(f"no entity with id {entity_id!r}")
    aliases = list(
        session.execute(select(A.c.alias).where(A.c.entity_id == entity_id).order_by(A.c.id)).scalars()
    )
    outgoing, _ = list_relations(session, limit=100, cursor=None, subject=entity_id)
    incoming, _ = list_relations(session, limit=100, cursor=None, object=entity_id)
    linked = select(CE.c.claim_id).where(CE.c.entity_id == entity_id)
    by_topic = session.execute(
        select(CT.c.topic_id, func.count()).where(CT.c.claim_id.in_(linked)).group_by(CT.c.topic_id)
    ).all()
    mentions = func.count().label("mentions")
    sources = session.execute(
        select(S.c.id, S.c.title, S.c.publisher, S.c.published, mentions)
        .join(M, M.c.source_id == S.c.id)
        .where(M.c.entity_id == entity_id)
        .group_by(S.c.id, S.c.title, S.c.publisher, S.c.published)
        .order_by(mentions.desc(), S.c.id)
        .limit(50)
    )
    claim_count = session.execute(select(func.count()).select_from(linked.subquery())).scalar_one()
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


def entity_relations(
    session: Session, entity_id: str, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Relations in which the entity is subject or object, in id order."""
    query = select(R).where(or_(R.c.subject_id == entity_id, R.c.object_id == entity_id)).order_by(R.c.id)
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        query = query.where(R.c.id > str(last))
    rows, next_cursor = _page(list(session.execute(query.limit(limit + 1))), limit, lambda r: [r.id])
    return _relation_items(session, rows), next_cursor


def search(session: Session, q: str, *, limit: int) -> dict[str, Any]:
    """Entities whose name or alias starts with q, and the claims that best match its words."""
    entities, _ = list_entities(session, limit=min(limit, 20), cursor=None, q=q)
    claims: list[dict[str, Any]] = []
    if fts_terms(q):
        claims, _ = list_claims(session, ClaimFilter(q=q, limit=limit))
    return {"entities": entities, "claims": claims}


def get_source_exists(session: Session, source_id: str) -> None:
    if session.execute(select(S.c.id).where(S.c.id == source_id)).first() is None:
        raise NotFound(f"no source with id {source_id!r}")


def get_entity_exists(session: Session, entity_id: str) -> None:
    if session.execute(select(E.c.id).where(E.c.id == entity_id)).first() is None:
        raise NotFound(f"no entity with id {entity_id!r}")
