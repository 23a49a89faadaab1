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
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app.db import start_statement_clock, time_limit_of
from app.errors import BadRequest, NotFound
from app.models import (
    Claim,
    ClaimEntity,
    ClaimKind,
    ClaimTopic,
    Entity,
    EntityAlias,
    EntityType,
    FacetCount,
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
FC = FacetCount.__table__  # type: ignore[attr-defined]


def _kept_counts(
    session: Session, scope: str, facet: str, values: Sequence[str] | None = None
) -> dict[str, int]:
    """Claim counts kept at ingest (app.projection): by `facet` value among the claims of `scope` (only
    `values`, when given; a value with no claims is absent)."""
    query = select(FC.c.value, FC.c.count).where(FC.c.scope == scope, FC.c.facet == facet)
    if values is not None:
        query = query.where(FC.c.value.in_(values))
    return {r[0]: r[1] for r in session.execute(query)}


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
    return _kept_counts(session, "", "source", source_ids)


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
    value_min: float | None = Field(
        default=None, allow_inf_nan=False, description="Has a quantity >= this (in `unit` if given)"
    )
    value_max: float | None = Field(
        default=None, allow_inf_nan=False, description="Has a quantity <= this (in `unit` if given)"
    )
    sort: Literal["-published", "published", "relevance", "position"] | None = Field(
        default=None,
        description="-published (default), published, relevance (with q, and its default: claims holding "
        "q's words as a phrase first, then shorter claims first, then the newest), position (reading "
        "order; the default with source)",
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


class Db:
    """The claim read path's database access: plain DBAPI calls, SQL with named parameters in the driver's
    style. Built over a raw connection (the hot path) or over a Session's connection (in its transaction)."""

    __slots__ = ("connection", "sqlite", "time_limit_ms")

    def __init__(self, dbapi_connection: Any, dialect: str, time_limit_ms: int = 0) -> None:
        self.connection = dbapi_connection
        self.sqlite = dialect == "sqlite"
        self.time_limit_ms = time_limit_ms

    @classmethod
    def of(cls, session: Session) -> Db:
        connection = session.connection()
        limit = time_limit_of(connection.engine)
        return cls(connection.connection.driver_connection, connection.dialect.name, limit)

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        if self.time_limit_ms:
            start_statement_clock(self.connection, self.time_limit_ms)
        cursor = self.connection.execute(sql, params)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()


class _Sql:
    """Collects parameters for one statement; user values only ever travel as parameters."""

    __slots__ = ("params", "sqlite")

    def __init__(self, db: Db) -> None:
        self.sqlite = db.sqlite
        self.params: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}" if self.sqlite else f"%({name})s"

    def day(self, value: date) -> str:
        return self(value.isoformat() if self.sqlite else value)


ROWID_MASK = (1 << 40) - 1  # the claim rowid in claim_fts' rowid (migration 0006)


def _words(q: str) -> list[str]:
    terms = fts_terms(q)
    if not terms:
        raise BadRequest("q has no words to search for", parameter="q")
    return terms


def _fts(b: _Sql, q: str) -> str:
    """The condition on claim c for claims holding every word of q."""
    terms = _words(q)
    if b.sqlite:
        match = b(" ".join(f'"{t}"' for t in terms))
        return f"c.rowid IN (SELECT rowid & {ROWID_MASK} FROM claim_fts WHERE claim_fts MATCH {match})"
    return f"c.search @@ plainto_tsquery('english', {b(' '.join(terms))})"


def _conditions(
    b: _Sql, f: ClaimFilter, *, driver: tuple[str, str] | None = None, fts: bool = True
) -> list[str]:
    """The WHERE clause of a filter over claim `c`, minus what the driving table `d` already applies."""
    where: list[str] = []
    topics, entities = list[str](f.topic), list(f.entity)
    if driver is not None and driver[0] == "topic":
        topics.remove(driver[1])
    elif driver is not None and driver[0] == "entity":
        entities.remove(driver[1])
    where += [
        f"EXISTS (SELECT 1 FROM claim_topic x WHERE x.claim_id = c.id AND x.topic_id = {b(t)})"
        for t in topics
    ]
    where += [
        f"EXISTS (SELECT 1 FROM claim_entity x WHERE x.claim_id = c.id AND x.entity_id = {b(e)})"
        for e in entities
    ]
    if f.entity_type:
        where.append(
            "EXISTS (SELECT 1 FROM claim_entity x JOIN entity e ON e.id = x.entity_id "
            f"WHERE x.claim_id = c.id AND e.type = {b(f.entity_type)})"
        )
    if f.source and (driver is None or driver[0] != "source"):
        where.append(f"c.source_id = {b(f.source)}")
    if f.publisher:
        where.append(f"c.source_id IN (SELECT id FROM source WHERE publisher = {b(f.publisher)})")
    if f.speaker:
        where.append(f"c.speaker_id = {b(f.speaker)}")
    if f.cited:
        where.append(f"c.cited_id = {b(f.cited)}")
    if f.kind:
        # Five kinds, none rare: a page is read in date order and filtered, never gathered by kind and
        # sorted. SQLite's planner would pick ix_claim_kind (and sort every quote: 0.8 s at 1M claims);
        # the unary plus keeps it off that index. PostgreSQL's planner decides from its statistics.
        kind = "+c.kind" if b.sqlite else "c.kind"
        where.append(f"{kind} IN ({', '.join(b(k) for k in f.kind)})")
    day = "d.day" if driver is not None and driver[0] in ("topic", "entity") else "c.day"
    if f.published_from:
        where.append(f"{day} >= {b.day(f.published_from)}")
    if f.published_to:
        where.append(f"{day} <= {b.day(f.published_to)} AND {day} > {b.day(NO_DATE)}")
    numeric = []
    if f.unit:
        numeric.append(f"x.unit = {b(f.unit)}")
    if f.value_min is not None:
        numeric.append(f"x.value >= {b(f.value_min)}")
    if f.value_max is not None:
        numeric.append(f"x.value <= {b(f.value_max)}")
    if numeric or f.has_quantity:
        where.append(
            "EXISTS (SELECT 1 FROM quantity x WHERE x.claim_id = c.id"
            + "".join(" AND " + n for n in numeric)
            + ")"
        )
    elif f.has_quantity is False:
        where.append("NOT EXISTS (SELECT 1 FROM quantity x WHERE x.claim_id = c.id)")
    if f.q and fts:
        where.append(_fts(b, f.q))
    return where


def _driver(db: Db, f: ClaimFilter) -> tuple[str, str] | None:
    """The table (and value) a date-ordered page is read from in index order: the source, else the topic or
    entity with the fewest claims (from the kept counts), so that the other conditions reject as few
    rows as possible on the way to a page."""
    if f.source:
        return ("source", f.source)
    candidates = [("topic", t) for t in f.topic] + [("entity", e) for e in f.entity]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    b = _Sql(db)
    pairs = " OR ".join(f"(facet = {b(kind)} AND value = {b(value)})" for kind, value in candidates)
    counts = {
        (r[0], r[1]): r[2]
        for r in db.rows(
            f"SELECT facet, value, count FROM facet_count WHERE scope = '' AND ({pairs})", b.params
        )
    }
    return min(candidates, key=lambda c: counts.get(c, 0))


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


# SQLite hands a BLOB over as bytes: the document goes into the response without a decode and re-encode.
DOC_BYTES = "CAST(c.doc AS BLOB)"


def list_claims(db: Db, f: ClaimFilter) -> tuple[list[bytes], str | None]:
    """One page of claims matching the filter, in the requested order, as the JSON documents written at
    ingest (selected fields only when `select` asks), with a keyset cursor."""
    b = _Sql(db)
    sort = f.effective_sort()
    doc = DOC_BYTES if db.sqlite else "c.doc"
    key: Any
    if sort == "relevance":
        page, next_cursor = _relevance_page(db, f, doc=doc)
        return _selected(page, f), next_cursor
    elif sort == "position":
        where = _conditions(b, f)
        if f.cursor:
            source_id, start, last = decode_cursor(f.cursor, 3)
            where.append(
                f"(c.source_id, c.start, c.id) > ({b(str(source_id))}, {b(_int(start))}, {b(str(last))})"
            )
        order = "c.source_id, c.start, c.id"
        sql = f"SELECT {doc}, {order} FROM claim c{_where(where)} ORDER BY {order}"
        key = lambda r: [r[1], r[2], r[3]]  # noqa: E731
    else:
        driver = _driver(db, f)
        where = _conditions(b, f, driver=driver)
        if driver is not None and driver[0] == "topic":
            source, day, ident = "claim_topic d JOIN claim c ON c.id = d.claim_id", "d.day", "d.claim_id"
            where.insert(0, f"d.topic_id = {b(driver[1])}")
        elif driver is not None and driver[0] == "entity":
            source, day, ident = "claim_entity d JOIN claim c ON c.id = d.claim_id", "d.day", "d.claim_id"
            where.insert(0, f"d.entity_id = {b(driver[1])}")
        else:
            source, day, ident = "claim c", "c.day", "c.id"
            if driver is not None:
                where.insert(0, f"c.source_id = {b(driver[1])}")
        direction = "DESC" if sort == "-published" else "ASC"
        if f.cursor:
            last_day, last = decode_cursor(f.cursor, 2)
            op = "<" if direction == "DESC" else ">"
            where.append(f"({day}, {ident}) {op} ({b.day(_date(last_day))}, {b(str(last))})")
        order = f"{day} {direction}, {ident} {direction}"
        sql = f"SELECT {doc}, {day}, {ident} FROM {source}{_where(where)} ORDER BY {order}"
        key = lambda r: [str(r[1]), r[2]]  # noqa: E731
    rows = db.rows(f"{sql} LIMIT {int(f.limit) + 1}", b.params)
    rows, next_cursor = _page(rows, f.limit, key)
    docs: list[bytes] = [r[0] for r in rows] if db.sqlite else [r[0].encode() for r in rows]
    return _selected(docs, f), next_cursor


def _selected(docs: list[bytes], f: ClaimFilter) -> list[bytes]:
    """The documents with only the fields `select` asks for (and the id)."""
    fields = f.fields()
    if not fields:
        return docs
    keep = {"id", *fields}
    return [orjson.dumps({k: v for k, v in orjson.loads(d).items() if k in keep}) for d in docs]


def _tier(b: _Sql, terms: list[str], tier: int) -> str:
    """The condition of one relevance tier of q's words: 0, claims holding them as a phrase; 1 (with
    several words), the other claims holding every word. SQLite: an FTS5 MATCH expression (each word
    quoted, so user text is never read as FTS syntax); PostgreSQL: a tsquery condition on c."""
    if b.sqlite:
        phrase = '"' + " ".join(terms) + '"'
        every = " ".join(f'"{t}"' for t in terms)
        return b(phrase if tier == 0 else f"({every}) NOT {phrase}")
    words = b(" ".join(terms))
    phrase = f"c.search @@ phraseto_tsquery('english', {words})"
    return phrase if tier == 0 else f"c.search @@ plainto_tsquery('english', {words}) AND NOT {phrase}"


def _relevance_page(db: Db, f: ClaimFilter, *, doc: str) -> tuple[list[bytes], str | None]:
    """One page of claims matching q (and the other filters) by relevance: phrase matches first, then
    shorter claims (in words) first, then the latest. Both orders are kept by an index (migration 0006):
    SQLite walks the FTS5 rowids, which are that key, in descending order; PostgreSQL walks
    (nwords, id). So a page reads its rows and stops, whatever the number of hits. The cursor is
    [tier, FTS rowid] on SQLite, [tier, nwords, id] on PostgreSQL."""
    assert f.q
    tier, after = 0, None
    if f.cursor:
        tier, after = _relevance_cursor(f.cursor, db.sqlite)
    terms = _words(f.q)
    rows: list[tuple[Any, ...]] = []
    for t in range(tier, 1 if len(terms) == 1 else 2):
        b = _Sql(db)
        condition = _tier(b, terms, t)
        where = _conditions(b, f, fts=False)
        if db.sqlite:
            where.insert(0, f"claim_fts MATCH {condition}")
            if after is not None and t == tier:
                where.append(f"claim_fts.rowid < {b(after[0])}")
            sql = (
                f"SELECT {doc}, claim_fts.rowid FROM claim_fts JOIN claim c "
                f"ON c.rowid = claim_fts.rowid & {ROWID_MASK}{_where(where)} ORDER BY claim_fts.rowid DESC"
            )
        else:
            where.insert(0, condition)
            if after is not None and t == tier:
                where.append(f"(c.nwords, c.id) > ({b(after[0])}, {b(after[1])})")
            sql = f"SELECT {doc}, c.nwords, c.id FROM claim c{_where(where)} ORDER BY c.nwords, c.id"
        rows += [(r[0], t, *r[1:]) for r in db.rows(f"{sql} LIMIT {int(f.limit) + 1 - len(rows)}", b.params)]
        if len(rows) > f.limit:
            break
    rows, next_cursor = _page(rows, f.limit, lambda r: list(r[1:]))
    docs: list[bytes] = [r[0] for r in rows] if db.sqlite else [r[0].encode() for r in rows]
    return docs, next_cursor


def _relevance_cursor(cursor: str, sqlite: bool) -> tuple[int, list[Any]]:
    """(tier, key after the tier) of a relevance cursor, each part checked: a forged one is a 400."""
    values = decode_cursor(cursor, 2 if sqlite else 3)
    tier, key = values[0], values[1:]
    types: tuple[type, ...] = (int,) if sqlite else (int, str)
    if not all(type(v) is t for v, t in zip(values, (int, *types), strict=True)) or tier not in (0, 1):
        raise BadRequest("cursor is not one this API issued", parameter="cursor")
    if not all(-(2**63) <= v < 2**63 for v in values if isinstance(v, int)):
        raise BadRequest("cursor is not one this API issued", parameter="cursor")
    return tier, key


def claim_items(session: Session, f: ClaimFilter) -> tuple[list[dict[str, Any]], str | None]:
    """A page of claims as dicts (exports and other callers that transform items)."""
    docs, cursor = list_claims(Db.of(session), f)
    return [orjson.loads(d) for d in docs], cursor


def _facet_scope(f: ClaimFilter) -> str | None:
    """The pre-aggregated scope that answers this filter's facets exactly, if there is one."""
    narrowing = f.model_dump(
        exclude={"limit", "cursor", "sort", "select", "facets", "format", "topic", "entity"}
    )
    if any(v not in (None, []) for v in narrowing.values()):
        return None
    if not f.topic and not f.entity:
        return ""
    if len(f.topic) == 1 and not f.entity:
        return f"topic:{f.topic[0]}"
    if len(f.entity) == 1 and not f.topic:
        return f"entity:{f.entity[0]}"
    return None


FACET_LIMIT = 50


def claim_facets(db: Db, f: ClaimFilter) -> dict[str, list[dict[str, Any]]]:
    """Counts by topic, entity, kind, source or speaker over every claim the filter matches: read from the
    counts kept at ingest when the filter is one topic, one entity or nothing (constant time), else
    counted."""
    names = f.facet_names()
    if not names:
        return {}
    scope = _facet_scope(f)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        b = _Sql(db)
        if scope is not None and not (scope.startswith("entity:") and name in ("entity", "source")):
            sql = (
                f"SELECT value, count FROM facet_count WHERE scope = {b(scope)} AND facet = {b(name)} "
                f"ORDER BY count DESC, value LIMIT {FACET_LIMIT}"
            )
        else:
            matching = f"SELECT c.id FROM claim c{_where(_conditions(b, f))}"
            if name in ("topic", "entity"):
                table, column = (
                    ("claim_topic", "topic_id") if name == "topic" else ("claim_entity", "entity_id")
                )
                sql = (
                    f"SELECT x.{column}, count(*) FROM {table} x "
                    f"WHERE x.claim_id IN ({matching}) GROUP BY x.{column}"
                )
            else:
                column = {"kind": "kind", "source": "source_id", "speaker": "speaker_id"}[name]
                sql = (
                    f"SELECT y.{column}, count(*) FROM claim y WHERE y.id IN ({matching}) "
                    f"AND y.{column} IS NOT NULL GROUP BY y.{column}"
                )
            sql += f" ORDER BY 2 DESC, 1 LIMIT {FACET_LIMIT}"
        out[name] = [{"value": r[0], "count": r[1]} for r in db.rows(sql, b.params)]
    wanted = {e["value"] for key in ("entity", "speaker") for e in out.get(key, [])}
    if wanted:
        b = _Sql(db)
        rows = db.rows(
            f"SELECT id, name, type FROM entity WHERE id IN ({', '.join(b(e) for e in sorted(wanted))})",
            b.params,
        )
        refs = {r[0]: {"name": r[1], "type": r[2]} for r in rows}
        for key in ("entity", "speaker"):
            for e in out.get(key, []):
                e.update(refs.get(e["value"], {}))
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


def get_claim(db: Db, claim_id: str) -> dict[str, Any]:
    """One claim with its source and the sentences before and after it, for reading in context."""
    b = _Sql(db)
    rows = db.rows(
        'SELECT c.doc, c.start, c."end", s.id, s.title, s.publisher, s.url, s.published, '
        "s.published_not_before, s.text FROM claim c JOIN source s ON s.id = c.source_id "
        f"WHERE c.id = {b(claim_id)}",
        b.params,
    )
    if not rows:
        raise NotFound(f"no claim with id {claim_id!r}")
    doc, start, end, *source, text_ = rows[0]
    item: dict[str, Any] = orjson.loads(doc)
    item["source"] = dict(
        zip(("id", "title", "publisher", "url", "published", "published_not_before"), source, strict=True)
    )
    item["context"] = {"before": _sentence_before(text_, start), "after": _sentence_after(text_, end)}
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
    # Claim counts (within the topic, with `topic`) come from the counts kept at ingest: constant work per
    # entity however many claims there are.
    kept = FC.alias("kept")
    on = and_(kept.c.scope == (f"topic:{topic}" if topic else ""), kept.c.facet == "entity")
    claim_count = func.coalesce(kept.c.count, 0).label("claim_count")
    query = select(E, claim_count).select_from(
        E.join(kept, and_(on, kept.c.value == E.c.id), isouter=not topic)
    )
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
            "confidence": r.confidence,
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
    min_confidence: float | None = None,
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
    if min_confidence is not None:
        query = query.where(R.c.confidence >= min_confidence)
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        query = query.where(R.c.id > str(last))
    rows, next_cursor = _page(list(session.execute(query)), limit, lambda r: [r.id])
    items = _relation_items(session, rows)
    return items, next_cursor


# --- topics, stats, entity and source detail, search ---------------------------------------------------


def list_topics(session: Session) -> list[dict[str, Any]]:
    """The eleven topics with their definitions and how many claims carry each."""
    counts = _kept_counts(session, "", "topic")
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
    by_kind = dict(sorted(_kept_counts(session, "", "kind").items()))
    latest = session.execute(select(func.max(S.c.ingested_at))).scalar_one()
    return {
        "sources": count(S),
        "claims": sum(by_kind.values()),
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
    by_topic = _kept_counts(session, f"entity:{entity_id}", "topic").items()
    # Counted over the (entity_id, source_id) index alone; only the 50 sources kept are then looked up.
    top = (
        select(M.c.source_id, func.count().label("mentions"))
        .where(M.c.entity_id == entity_id)
        .group_by(M.c.source_id)
        .order_by(func.count().desc(), M.c.source_id)
        .limit(50)
        .subquery()
    )
    sources = session.execute(
        select(S.c.id, S.c.title, S.c.publisher, S.c.published, top.c.mentions)
        .join(top, top.c.source_id == S.c.id)
        .order_by(top.c.mentions.desc(), S.c.id)
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
        docs, _ = list_claims(Db.of(session), ClaimFilter(q=q, limit=limit))
        claims = [orjson.loads(d) for d in docs]
    return {"entities": entities, "claims": claims}


def get_source_exists(session: Session, source_id: str) -> None:
    if session.execute(select(S.c.id).where(S.c.id == source_id)).first() is None:
        raise NotFound(f"no source with id {source_id!r}")


def get_entity_exists(session: Session, entity_id: str) -> None:
    if session.execute(select(E.c.id).where(E.c.id == entity_id)).first() is None:
        raise NotFound(f"no entity with id {entity_id!r}")
