"""Claims: the filter model of GET /claims and the SQL it becomes, pages read from the projection (each
claim's stored JSON document), relevance order, facets, and one claim with its context.

Hand-written SQL (app.sql): a page is one index range read (claim_topic, claim_entity, claim or the
full-text index, in the order of the sort) whose documents are spliced into the response body.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import orjson
from pydantic import Field, ValidationInfo, field_validator
from sqlmodel import Session

from app.errors import InvalidCursor, InvalidParameter, NotFound
from app.models import NO_DAY, UNIT_MEANINGS, UNITS, ClaimKind, EntityType, TopicId
from app.queries.names import resolved
from app.queries.paging import PageParams, decode_cursor, page
from app.sql import Db, Sql

__all__ = [
    "CLAIM_FACETS",
    "CLAIM_FIELDS",
    "COUNT_LIMIT",
    "ClaimFilter",
    "DocumentPage",
    "claim_facets",
    "claim_items",
    "claim_page",
    "facet_scope",
    "fts_terms",
    "get_claim",
    "list_claims",
    "runs_inline",
]

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
    "published_basis",
)
CLAIM_FACETS = ("topic", "entity", "kind", "source", "speaker")
ClaimSort = Literal["-published", "published", "relevance", "position"]
# The most claims `count=true` counts one by one; beyond it the count says so (`count_truncated`). Filters
# the kept counts answer (one topic, one entity, or none) are counted exactly at any size.
COUNT_LIMIT = 10_000
_UNITS_FOLDED = {u.casefold(): u for u in UNITS}
# The upper bound of a range -> its lower bound and what to say when they are the wrong way round.
_RANGES = {
    "value_max": ("value_min", "value_min is greater than value_max"),
    "published_to": ("published_from", "published_from is after published_to"),
}


class ClaimFilter(PageParams):
    """Every filter of GET /claims; all of them combine (AND). Unknown parameters are rejected. An entity,
    source or publisher that names nothing is rejected with a hint (app.queries.names), never answered
    with an empty list."""

    limit: int = Field(
        default=50, ge=0, le=200, description="Claims per page (0-200); 0: no items, for `facets` or `count`"
    )
    topic: list[TopicId] = Field(default_factory=list, description="Topic id; repeat for all of several")
    entity: list[str] = Field(
        default_factory=list,
        description="Entity id, name, alias or old id (`nvidia`, `Nvidia`, `nvidia-corporation`); repeat "
        "for all of several",
    )
    entity_type: EntityType | None = Field(default=None, description="Mentions an entity of this type")
    source: str | None = Field(default=None, description="Source id, or the url of the source")
    publisher: str | None = Field(default=None, description="Publisher of the source (any case)")
    speaker: str | None = Field(default=None, description="The speaker: entity id, name or alias")
    cited: str | None = Field(default=None, description="The cited source: entity id, name or alias")
    kind: list[ClaimKind] = Field(default_factory=list, description="Claim kind; repeat for any of several")
    q: str | None = Field(default=None, min_length=1, max_length=200, description="Full text (all words)")
    published_from: date | None = Field(default=None, description="Published on or after (YYYY-MM-DD)")
    published_to: date | None = Field(default=None, description="Published on or before (YYYY-MM-DD)")
    has_quantity: bool | None = Field(default=None, description="States (true) or lacks (false) a number")
    unit: str | None = Field(
        default=None,
        max_length=20,
        description="Has a quantity in this unit, in any case (`usd` is USD): "
        + "; ".join(f"`{k}` {v}" for k, v in UNIT_MEANINGS.items()),
    )
    value_min: float | None = Field(
        default=None, allow_inf_nan=False, description="Has a quantity >= this (in `unit` if given)"
    )
    value_max: float | None = Field(
        default=None, allow_inf_nan=False, description="Has a quantity <= this (in `unit` if given)"
    )
    sort: ClaimSort | None = Field(
        default=None,
        description="-published (default), published, relevance (with q, and its default: claims holding "
        "q's words as a phrase first, then shorter claims first, then the newest), position (reading "
        "order; the default with source)",
    )
    select: str | None = Field(
        default=None, description=f"Comma-separated fields of {', '.join(CLAIM_FIELDS)}"
    )
    facets: str | None = Field(
        default=None,
        description=f"Comma-separated counts by {', '.join(CLAIM_FACETS)} over every matching claim (the "
        "50 largest of each)",
    )
    count: bool = Field(
        default=False,
        description=f"true: add `count`, how many claims match, counted up to {COUNT_LIMIT:,} "
        "(`count_truncated` says when there are more)",
    )

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str | None) -> str | None:
        if value is None:
            return None
        unit = _UNITS_FOLDED.get(value.strip().casefold())
        if unit is None:
            hint = difflib.get_close_matches(value.strip().casefold(), list(_UNITS_FOLDED), n=1)
            suggestion = f"; did you mean {_UNITS_FOLDED[hint[0]]!r}?" if hint else ""
            raise ValueError(f"{value!r} is not a unit: one of {', '.join(UNITS)}{suggestion}")
        return unit

    # Checks between two parameters name the second, so the error says which one to change.
    @field_validator("value_max", "published_to")
    @classmethod
    def _not_below(cls, value: Any, info: ValidationInfo) -> Any:
        low_name, wrong = _RANGES[str(info.field_name)]
        low = info.data.get(low_name)
        if value is not None and low is not None and low > value:
            raise ValueError(wrong)
        return value

    @field_validator("sort")
    @classmethod
    def _relevance_needs_q(cls, value: ClaimSort | None, info: ValidationInfo) -> ClaimSort | None:
        if value == "relevance" and not info.data.get("q"):
            raise ValueError("sort=relevance needs q")
        return value

    def fields(self) -> list[str] | None:
        """The fields `select` asks for (None: all); an unknown one is a 422 naming `select`."""
        return _names(self.select, CLAIM_FIELDS, "select")

    def facet_names(self) -> list[str]:
        """The facets asked for; an unknown one is a 422 naming `facets`."""
        return _names(self.facets, CLAIM_FACETS, "facets") or []

    def effective_sort(self) -> ClaimSort:
        """The order of the page: `sort`; else relevance with q, reading order in a source, newest first."""
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
            raise InvalidParameter(f"unknown {parameter} field {name!r}{suggestion}", parameter=parameter)
    return names


def fts_terms(q: str) -> list[str]:
    """The words of a query: punctuation and FTS operators in user text are never interpreted."""
    return re.findall(r"\w+", q.lower())[:20]


def _words(q: str) -> list[str]:
    terms = fts_terms(q)
    if not terms:
        raise InvalidParameter("q has no words to search for", parameter="q")
    return terms


# --- where a read runs ----------------------------------------------------------------------------------


# Parameters that shape the page, not which claims match.
_PAGING = frozenset({"limit", "cursor", "sort", "select", "facets", "count", "format"})
_NARROWING = tuple(name for name in ClaimFilter.model_fields if name not in _PAGING)
# What one date-ordered index range applies by itself (claim_topic, claim_entity or claim by source).
_RANGE_FILTERS = frozenset({"topic", "entity", "source", "published_from", "published_to"})


def _narrowing(f: ClaimFilter) -> set[str]:
    """The filters this request sets (a filter added to ClaimFilter counts here by itself)."""
    return {name for name in _NARROWING if getattr(f, name) not in (None, [])}


def facet_scope(f: ClaimFilter) -> str | None:
    """The scope of the kept counts (app.projection) that answers this filter's facets exactly, if any:
    every claim (''), one topic or one entity, and nothing else narrowing them."""
    if _narrowing(f) - {"topic", "entity"}:
        return None
    if not f.topic and not f.entity:
        return ""
    if len(f.topic) == 1 and not f.entity:
        return f"topic:{f.topic[0]}"
    if len(f.entity) == 1 and not f.topic:
        return f"entity:{f.entity[0]}"
    return None


def runs_inline(f: ClaimFilter) -> bool:
    """True when one index range read answers the filter (no filter but one topic, entity or source, and
    dates; facets from the kept counts): on SQLite such a read costs less than a hop to a thread, so it may
    run on the event loop. Anything whose rows may be tested by the thousand before a page fills (a rare
    kind, speaker or quantity within a topic) or ranked (full text) must not: it could stall every other
    request."""
    if not _narrowing(f) <= _RANGE_FILTERS or f.sort == "relevance":
        return False
    if len(f.topic) + len(f.entity) + (f.source is not None) > 1:
        return False
    return not (f.facets or f.count) or facet_scope(f) is not None


# --- the WHERE clause -----------------------------------------------------------------------------------

Driver = tuple[Literal["source", "topic", "entity"], str]
ROWID_MASK = (1 << 40) - 1  # the claim rowid in claim_fts' rowid (migration 0006)


def _conditions(sql: Sql, f: ClaimFilter, *, driver: Driver | None = None, fts: bool = True) -> list[str]:
    """The conditions of a filter on claim `c`, minus what the driving table `d` already applies."""
    where: list[str] = []
    topics, entities = list[str](f.topic), list(f.entity)
    if driver is not None and driver[0] == "topic":
        topics.remove(driver[1])
    elif driver is not None and driver[0] == "entity":
        entities.remove(driver[1])
    where += [
        f"EXISTS (SELECT 1 FROM claim_topic x WHERE x.claim_id = c.id AND x.topic_id = {sql(t)})"
        for t in topics
    ]
    where += [
        f"EXISTS (SELECT 1 FROM claim_entity x WHERE x.claim_id = c.id AND x.entity_id = {sql(e)})"
        for e in entities
    ]
    if f.entity_type:
        where.append(
            "EXISTS (SELECT 1 FROM claim_entity x JOIN entity e ON e.id = x.entity_id "
            f"WHERE x.claim_id = c.id AND e.type = {sql(f.entity_type)})"
        )
    if f.source and (driver is None or driver[0] != "source"):
        where.append(f"c.source_id = {sql(f.source)}")
    if f.publisher:
        where.append(f"c.source_id IN (SELECT id FROM source WHERE publisher = {sql(f.publisher)})")
    if f.speaker:
        where.append(f"c.speaker_id = {sql(f.speaker)}")
    if f.cited:
        where.append(f"c.cited_id = {sql(f.cited)}")
    if f.kind:
        # Five kinds, none rare: a page is read in date order and filtered, never gathered by kind and
        # sorted. SQLite's planner would pick ix_claim_kind and sort every quote (a cost that grows with
        # the table: docs/PERFORMANCE.md); the unary plus keeps it off that index. PostgreSQL's planner
        # decides from its statistics.
        kind = "+c.kind" if sql.sqlite else "c.kind"
        where.append(f"{kind} IN {sql.each(f.kind)}")
    day = "d.day" if driver is not None and driver[0] in ("topic", "entity") else "c.day"
    if f.published_from:
        where.append(f"{day} >= {sql.day(f.published_from)}")
    if f.published_to:
        where.append(f"{day} <= {sql.day(f.published_to)} AND {day} > {sql.day(NO_DAY)}")
    numeric = []
    if f.unit:
        numeric.append(f"x.unit = {sql(f.unit)}")
    if f.value_min is not None:
        numeric.append(f"x.value >= {sql(f.value_min)}")
    if f.value_max is not None:
        numeric.append(f"x.value <= {sql(f.value_max)}")
    if numeric or f.has_quantity:
        where.append(
            "EXISTS (SELECT 1 FROM quantity x WHERE x.claim_id = c.id"
            + "".join(" AND " + n for n in numeric)
            + ")"
        )
    elif f.has_quantity is False:
        where.append("NOT EXISTS (SELECT 1 FROM quantity x WHERE x.claim_id = c.id)")
    if f.q and fts:
        where.append(_matches(sql, f.q))
    return where


def _matches(sql: Sql, q: str) -> str:
    """The condition on claim c for claims holding every word of q."""
    terms = _words(q)
    if sql.sqlite:
        match = sql(" ".join(f'"{t}"' for t in terms))
        return f"c.rowid IN (SELECT rowid & {ROWID_MASK} FROM claim_fts WHERE claim_fts MATCH {match})"
    return f"c.search @@ plainto_tsquery('english', {sql(' '.join(terms))})"


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _driver(db: Db, f: ClaimFilter) -> Driver | None:
    """The table (and value) a date-ordered page is read from in index order: the source, else the topic or
    entity with the fewest claims (from the kept counts), so that the other conditions reject as few
    rows as possible on the way to a page."""
    if f.source:
        return ("source", f.source)
    candidates: list[Driver] = [("topic", t) for t in f.topic] + [("entity", e) for e in f.entity]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    sql = db.sql()
    pairs = " OR ".join(f"(facet = {sql(kind)} AND value = {sql(value)})" for kind, value in candidates)
    counts = {
        (r[0], r[1]): r[2]
        for r in db.rows(
            f"SELECT facet, value, count FROM facet_count WHERE scope = '' AND ({pairs})", sql.params
        )
    }
    return min(candidates, key=lambda c: counts.get(c, 0))


# --- pages ----------------------------------------------------------------------------------------------

# SQLite hands a BLOB over as bytes: the document goes into the response without a decode and re-encode.
DOC_BYTES = "CAST(c.doc AS BLOB)"


def _ranged(db: Db, sql: Sql, f: ClaimFilter) -> tuple[str, list[str], str, str]:
    """The table a date-ordered read walks (claim_topic, claim_entity or claim, joined to claim `c`), the
    conditions of the filter on it, and its day and claim id columns."""
    driver = _driver(db, f)
    where = _conditions(sql, f, driver=driver)
    if driver is not None and driver[0] == "topic":
        where.insert(0, f"d.topic_id = {sql(driver[1])}")
        return "claim_topic d JOIN claim c ON c.id = d.claim_id", where, "d.day", "d.claim_id"
    if driver is not None and driver[0] == "entity":
        where.insert(0, f"d.entity_id = {sql(driver[1])}")
        return "claim_entity d JOIN claim c ON c.id = d.claim_id", where, "d.day", "d.claim_id"
    if driver is not None:
        where.insert(0, f"c.source_id = {sql(driver[1])}")
    return "claim c", where, "c.day", "c.id"


def list_claims(db: Db, f: ClaimFilter) -> tuple[list[bytes], str | None]:
    """One page of claims matching the filter, in the requested order, as the JSON documents written at
    ingest (selected fields only when `select` asks), with a keyset cursor. The filter's names are taken
    as they are (`claim_page` and `claim_items` resolve them first)."""
    if f.limit == 0:
        return [], None
    sort = f.effective_sort()
    doc = DOC_BYTES if db.sqlite else "c.doc"
    if sort == "relevance":
        docs, next_cursor = _relevance_page(db, f, doc=doc)
        return _selected(docs, f), next_cursor
    sql = db.sql()
    if sort == "position":
        where = _conditions(sql, f)
        if f.cursor:
            source_id, start, last = decode_cursor(f.cursor, (str, int, str))
            where.append(f"(c.source_id, c.start, c.id) > ({sql(source_id)}, {sql(start)}, {sql(last)})")
        order = "c.source_id, c.start, c.id"
        statement = f"SELECT {doc}, {order} FROM claim c{_where(where)} ORDER BY {order}"
    else:
        table, where, day, ident = _ranged(db, sql, f)
        direction = "DESC" if sort == "-published" else "ASC"
        if f.cursor:
            last_day, last = decode_cursor(f.cursor, (date, str))
            op = "<" if direction == "DESC" else ">"
            where.append(f"({day}, {ident}) {op} ({sql.day(last_day)}, {sql(last)})")
        order = f"{day} {direction}, {ident} {direction}"
        statement = f"SELECT {doc}, {day}, {ident} FROM {table}{_where(where)} ORDER BY {order}"
    rows, next_cursor = page(db.rows(f"{statement} LIMIT {int(f.limit) + 1}", sql.params), f.limit, _key)
    return _selected(_documents(db, rows), f), next_cursor


def _key(row: Sequence[Any]) -> Sequence[Any]:
    """The sort key of a page row: every column after the document."""
    return row[1:]


def _documents(db: Db, rows: list[Any]) -> list[bytes]:
    return [r[0] for r in rows] if db.sqlite else [r[0].encode() for r in rows]


def _selected(docs: list[bytes], f: ClaimFilter) -> list[bytes]:
    """The documents with only the fields `select` asks for (and the id)."""
    fields = f.fields()
    if not fields:
        return docs
    keep = {"id", *fields}
    return [orjson.dumps({k: v for k, v in orjson.loads(d).items() if k in keep}) for d in docs]


def _tier(sql: Sql, terms: list[str], tier: int) -> str:
    """The condition of one relevance tier of q's words: 0, claims holding them as a phrase; 1 (with
    several words), the other claims holding every word. SQLite: an FTS5 MATCH expression (each word
    quoted, so user text is never read as FTS syntax); PostgreSQL: a tsquery condition on c."""
    if sql.sqlite:
        phrase = '"' + " ".join(terms) + '"'
        every = " ".join(f'"{t}"' for t in terms)
        return sql(phrase if tier == 0 else f"({every}) NOT {phrase}")
    words = sql(" ".join(terms))
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
        position = decode_cursor(f.cursor, (int, int) if db.sqlite else (int, int, str))
        tier, after = position[0], position[1:]
        if tier not in (0, 1):
            raise InvalidCursor
    terms = _words(f.q)
    rows: list[tuple[Any, ...]] = []
    for t in range(tier, 1 if len(terms) == 1 else 2):
        sql = db.sql()
        condition = _tier(sql, terms, t)
        where = _conditions(sql, f, fts=False)
        if db.sqlite:
            where.insert(0, f"claim_fts MATCH {condition}")
            if after is not None and t == tier:
                where.append(f"claim_fts.rowid < {sql(after[0])}")
            statement = (
                f"SELECT {doc}, claim_fts.rowid FROM claim_fts JOIN claim c "
                f"ON c.rowid = claim_fts.rowid & {ROWID_MASK}{_where(where)} ORDER BY claim_fts.rowid DESC"
            )
        else:
            where.insert(0, condition)
            if after is not None and t == tier:
                where.append(f"(c.nwords, c.id) > ({sql(after[0])}, {sql(after[1])})")
            statement = f"SELECT {doc}, c.nwords, c.id FROM claim c{_where(where)} ORDER BY c.nwords, c.id"
        limit = int(f.limit) + 1 - len(rows)
        rows += [(r[0], t, *r[1:]) for r in db.rows(f"{statement} LIMIT {limit}", sql.params)]
        if len(rows) > f.limit:
            break
    rows, next_cursor = page(rows, f.limit, _key)
    return _documents(db, rows), next_cursor


# --- facets ---------------------------------------------------------------------------------------------

FACET_LIMIT = 50


def claim_facets(db: Db, f: ClaimFilter) -> dict[str, list[dict[str, Any]]]:
    """Counts by topic, entity, kind, source or speaker over every claim the filter matches: read from the
    counts kept at ingest when the filter is one topic, one entity or nothing (constant time), else
    counted."""
    names = f.facet_names()
    if not names:
        return {}
    scope = facet_scope(f)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        sql = db.sql()
        # Within an entity, the entity and source facets are not kept (see app.projection.facet_keys).
        if scope is not None and not (scope.startswith("entity:") and name in ("entity", "source")):
            statement = (
                f"SELECT value, count FROM facet_count WHERE scope = {sql(scope)} AND facet = {sql(name)} "
                f"ORDER BY count DESC, value LIMIT {FACET_LIMIT}"
            )
        else:
            matching = f"SELECT c.id FROM claim c{_where(_conditions(sql, f))}"
            if name in ("topic", "entity"):
                table, column = (
                    ("claim_topic", "topic_id") if name == "topic" else ("claim_entity", "entity_id")
                )
                statement = (
                    f"SELECT x.{column}, count(*) FROM {table} x "
                    f"WHERE x.claim_id IN ({matching}) GROUP BY x.{column}"
                )
            else:
                column = {"kind": "kind", "source": "source_id", "speaker": "speaker_id"}[name]
                statement = (
                    f"SELECT y.{column}, count(*) FROM claim y WHERE y.id IN ({matching}) "
                    f"AND y.{column} IS NOT NULL GROUP BY y.{column}"
                )
            statement += f" ORDER BY 2 DESC, 1 LIMIT {FACET_LIMIT}"
        out[name] = [{"value": r[0], "count": r[1]} for r in db.rows(statement, sql.params)]
    wanted = {e["value"] for key in ("entity", "speaker") for e in out.get(key, [])}
    if wanted:
        sql = db.sql()
        rows = db.rows(
            f"SELECT id, name, type FROM entity WHERE id IN {sql.each(sorted(wanted))}", sql.params
        )
        refs = {r[0]: {"name": r[1], "type": r[2]} for r in rows}
        for key in ("entity", "speaker"):
            for e in out.get(key, []):
                e.update(refs.get(e["value"], {}))
    return out


# --- count ----------------------------------------------------------------------------------------------


def claim_count(db: Db, f: ClaimFilter) -> tuple[int, bool]:
    """How many claims match, and whether there are more than that: exact from the kept counts when the
    filter is one topic, one entity or nothing (every claim has one kind, so the kind counts add up to the
    scope's claims); else counted one by one up to COUNT_LIMIT."""
    scope = facet_scope(f)
    sql = db.sql()
    if scope is not None:
        rows = db.rows(
            f"SELECT sum(count) FROM facet_count WHERE scope = {sql(scope)} AND facet = 'kind'", sql.params
        )
        return int(rows[0][0] or 0), False
    if f.effective_sort() == "position" or f.q:
        table, where = "claim c", _conditions(sql, f)
    else:
        table, where, _, _ = _ranged(db, sql, f)
    matching = f"SELECT 1 FROM {table}{_where(where)} LIMIT {COUNT_LIMIT + 1}"
    (found,) = db.rows(f"SELECT count(*) FROM ({matching}) AS matching", sql.params)[0]
    return min(int(found), COUNT_LIMIT), int(found) > COUNT_LIMIT


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """A page of claims as their stored documents (JSON bytes, spliced into a response as they are)."""

    docs: list[bytes]
    next_cursor: str | None
    facets: dict[str, list[dict[str, Any]]]
    count: tuple[int, bool] | None = None  # (count, truncated) when asked


def claim_page(db: Db, f: ClaimFilter) -> DocumentPage:
    """A page of claims (the names in the filter resolved first) and, when asked, their facets and
    count."""
    f = resolved(db, f)
    docs, next_cursor = list_claims(db, f)
    return DocumentPage(docs, next_cursor, claim_facets(db, f), claim_count(db, f) if f.count else None)


def claim_items(session: Session, f: ClaimFilter) -> tuple[list[dict[str, Any]], str | None]:
    """A page of claims as dicts (the names in the filter resolved first), in a session's transaction
    (exports, and callers that transform items)."""
    db = Db.of(session)
    docs, cursor = list_claims(db, resolved(db, f))
    return [orjson.loads(d) for d in docs], cursor


# --- one claim ------------------------------------------------------------------------------------------


def get_claim(db: Db, claim_id: str) -> dict[str, Any]:
    """One claim as lists serve it, with its source's metadata (`source_info`; `source` stays the id, as in
    every list) and the sentences before and after it, for reading in context."""
    sql = db.sql()
    rows = db.rows(
        'SELECT c.doc, c.start, c."end", s.id, s.title, s.publisher, s.url, s.published, '
        "s.published_not_before, s.text FROM claim c JOIN source s ON s.id = c.source_id "
        f"WHERE c.id = {sql(claim_id)}",
        sql.params,
    )
    if not rows:
        raise NotFound(f"no claim with id {claim_id!r}")
    doc, start, end, *source, text = rows[0]
    item: dict[str, Any] = orjson.loads(doc)
    item["source_info"] = dict(
        zip(("id", "title", "publisher", "url", "published", "published_not_before"), source, strict=True)
    )
    item["context"] = {"before": _sentence_before(text, start), "after": _sentence_after(text, end)}
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
