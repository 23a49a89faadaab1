"""The read projection, in one place: from the normalised rows of some claims, each claim's document (its
public JSON, served as stored: `claim.doc`) and the claim counts kept per facet (`facet_count`).

Ingest hands it the rows it writes for a source (and those it removes), a rename or a new date hands it
rows read back from the tables, and a rebuild every claim: the same functions in every case. Reads then
cost one indexed lookup and a byte splice per page, and facets one lookup, whatever the size of the
knowledge base. Hand-written SQL (app.sql).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine

from app.models import NO_DAY, PublishedBasis
from app.sql import Db

__all__ = [
    "ClaimRow",
    "ClaimRows",
    "FacetKey",
    "QuantityRow",
    "apply_facet_deltas",
    "claim_date",
    "documents",
    "entity_refs",
    "facet_deltas",
    "month_of",
    "rebuild_facet_counts",
    "refresh",
    "rerender",
    "sort_day",
    "store_documents",
]

RENDER_BATCH = 500
# (scope, facet, value): within `scope` ('' = every claim, 'topic:<id>', 'entity:<id>'), the claims whose
# `facet` (topic, entity, kind, source, speaker) has `value`.
FacetKey = tuple[str, str, str]


class ClaimRow(NamedTuple):
    """The columns of a claim a document is rendered from (table `claim`)."""

    id: str
    source_id: str
    start: int
    end: int
    text: str
    kind: str
    speaker_id: str | None
    cited_id: str | None
    time_scope: str | None
    published: date | None
    # Not a column of `claim`: which of its source's dates `published` is (claim_date), for the document.
    published_basis: PublishedBasis | None


class QuantityRow(NamedTuple):
    """A number a claim states (table `quantity`)."""

    claim_id: str
    value: float
    unit: str
    text: str
    start: int
    end: int


@dataclass(slots=True)
class ClaimRows:
    """The normalised rows of some claims: what ingest writes to (or removes from) the tables, or what is
    read back from them."""

    claims: list[ClaimRow] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)  # (claim id, topic id)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (claim id, entity id, role)
    quantities: list[QuantityRow] = field(default_factory=list)

    @classmethod
    def read(cls, db: Db, *, source_id: str | None = None, claim_ids: Sequence[str] = ()) -> ClaimRows:
        """The rows of a source's claims, or of the claims with these ids, as the tables hold them."""
        if source_id is None and not claim_ids:
            return cls()
        sql = db.sql()
        if source_id is not None:
            claims_of = f"source_id = {sql(source_id)}"
            linked = f"claim_id IN (SELECT id FROM claim WHERE {claims_of})"
        else:
            ids = sql.each(claim_ids)
            claims_of, linked = f"id IN {ids}", f"claim_id IN {ids}"
        columns = (
            'c.id, c.source_id, c.start, c."end", c.text, c.kind, c.speaker_id, c.cited_id, c.time_scope'
        )
        dates = "c.published, s.published IS NOT NULL"
        joined = "claim c JOIN source s ON s.id = c.source_id"
        statement = f"SELECT {columns}, {dates} FROM {joined} WHERE c.{claims_of}"
        rows = cls()
        for r in db.rows(statement, sql.params):
            basis = None if r[9] is None else "published" if r[10] else "published_not_before"
            rows.claims.append(ClaimRow._make((*r[:9], _day(r[9]), basis)))
        for r in db.rows(f"SELECT claim_id, topic_id FROM claim_topic WHERE {linked}", sql.params):
            rows.topics.append((r[0], r[1]))
        for r in db.rows(f"SELECT claim_id, entity_id, role FROM claim_entity WHERE {linked}", sql.params):
            rows.links.append((r[0], r[1], r[2]))
        quantities = f'SELECT claim_id, value, unit, text, start, "end" FROM quantity WHERE {linked}'
        for r in db.rows(f"{quantities} ORDER BY start, id", sql.params):
            rows.quantities.append(QuantityRow(*r))
        return rows

    def entity_ids(self) -> set[str]:
        """Every entity the claims name: linked, speaking or cited."""
        ids = {e for _, e, _ in self.links}
        ids.update(e for c in self.claims for e in (c.speaker_id, c.cited_id) if e)
        return ids


def _day(value: Any) -> date | None:
    """A date column's value (SQLite hands back the ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def claim_date(
    published: date | None, published_not_before: date | None
) -> tuple[date | None, PublishedBasis | None]:
    """A claim's `published` from its source's dates (the day, else the lower bound) and which it is."""
    if published is not None:
        return published, "published"
    if published_not_before is not None:
        return published_not_before, "published_not_before"
    return None, None


def sort_day(published: date | None) -> date:
    """The day a claim sorts by (claim.day, copied into claim_topic and claim_entity): never NULL, so a
    keyset over (day, id) is one index range."""
    return published or NO_DAY


def month_of(published: date | None) -> str | None:
    """'YYYY-MM' of a claim's date; None for an undated claim."""
    return published.isoformat()[:7] if published else None


# --- documents ------------------------------------------------------------------------------------------

ROLE_ORDER = {"subject": 0, "object": 1}


def _link_order(link: tuple[str, str]) -> tuple[int, str]:
    return ROLE_ORDER.get(link[1], 2), link[0]


def entity_refs(db: Db, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{id, name, type} of each entity, by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    sql = db.sql()
    rows = db.rows(f"SELECT id, name, type FROM entity WHERE id IN {sql.each(wanted)}", sql.params)
    return {r[0]: {"id": r[0], "name": r[1], "type": r[2]} for r in rows}


def documents(rows: ClaimRows, refs: Mapping[str, dict[str, Any]]) -> dict[str, str]:
    """Each claim's public shape (ClaimPublic) as JSON, by claim id: what `claim.doc` holds. `refs` are
    the {id, name, type} of the entities the claims name (entity_refs)."""
    topics: dict[str, list[str]] = defaultdict(list)
    for claim_id, topic in rows.topics:
        topics[claim_id].append(topic)
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for claim_id, entity, role in rows.links:
        links[claim_id].append((entity, role))
    quantities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in sorted(rows.quantities, key=lambda q: q.start):
        quantities[q.claim_id].append(
            {"value": q.value, "unit": q.unit, "text": q.text, "span": {"start": q.start, "end": q.end}}
        )
    return {
        c.id: orjson.dumps(
            {
                "id": c.id,
                "source": c.source_id,
                "text": c.text,
                "span": {"start": c.start, "end": c.end},
                "kind": c.kind,
                "topics": sorted(topics[c.id]),
                "entities": [
                    {**refs[e], "role": role} for e, role in sorted(links[c.id], key=_link_order) if e in refs
                ],
                "quantities": quantities[c.id],
                "speaker": refs.get(c.speaker_id) if c.speaker_id else None,
                "cited": refs.get(c.cited_id) if c.cited_id else None,
                "time_scope": c.time_scope,
                "published": c.published,
                "published_basis": c.published_basis,
            }
        ).decode()
        for c in rows.claims
    }


def rerender(
    db: Db, *, source_id: str | None = None, naming: Sequence[str] = (), unrendered: bool = False
) -> int:
    """Render again the stored documents of a source's claims (its date changed), of the claims naming
    these entities (one was renamed), or of claims never rendered (written before migration 0003): rows
    read back from the tables, RENDER_BATCH at a time. Returns how many."""
    sql = db.sql()
    if source_id is not None:
        which = f"SELECT id FROM claim WHERE source_id = {sql(source_id)}"
    elif naming:
        ids = sql.each(sorted(naming))
        which = (
            f"SELECT claim_id FROM claim_entity WHERE entity_id IN {ids} "
            f"UNION SELECT id FROM claim WHERE speaker_id IN {ids} OR cited_id IN {ids}"
        )
    elif unrendered:
        which = "SELECT id FROM claim WHERE doc = ''"
    else:
        return 0
    claim_ids = [r[0] for r in db.rows(which, sql.params)]
    for n in range(0, len(claim_ids), RENDER_BATCH):
        store_documents(db, ClaimRows.read(db, claim_ids=claim_ids[n : n + RENDER_BATCH]))
    return len(claim_ids)


def store_documents(db: Db, rows: ClaimRows) -> None:
    """Replace the stored documents of these claims by ones rendered from `rows`."""
    sql = db.sql()
    statement = f"UPDATE claim SET doc = {sql.named('doc')} WHERE id = {sql.named('id')}"
    docs = documents(rows, entity_refs(db, rows.entity_ids()))
    db.execute_many(statement, [{"id": k, "doc": v} for k, v in docs.items()])


# --- facet counts ---------------------------------------------------------------------------------------


def _claim_keys(
    kind: str,
    source_id: str,
    speaker_id: str | None,
    topics: list[str],
    entities: list[str],
    month: str | None,
) -> list[FacetKey]:
    """The counters one claim adds to. Scopes are every claim (''), each of its topics and each of its
    entities; within an entity, entity and source facets are not kept (they would be entities x entities
    and entities x sources rows) and are counted live instead. A dated claim also counts under its month
    ('YYYY-MM') in each of its scopes: claims per month of everything, a topic, an entity (the explorer's
    charts)."""
    own = [("topic", t) for t in topics]
    own.append(("kind", kind))
    if speaker_id:
        own.append(("speaker", speaker_id))
    if month:
        own.append(("month", month))
    wide = [*own, *[("entity", e) for e in entities], ("source", source_id)]
    scopes = ["", *[f"topic:{t}" for t in topics]]
    keys = [(scope, facet, value) for scope in scopes for facet, value in wide]
    keys += [(f"entity:{e}", facet, value) for e in entities for facet, value in own]
    return keys


def facet_deltas(rows: ClaimRows, sign: int = 1) -> Counter[FacetKey]:
    """What these claims add to the kept counts (`sign` -1: what removing them takes away)."""
    topics: dict[str, list[str]] = defaultdict(list)
    for claim_id, topic in rows.topics:
        topics[claim_id].append(topic)
    entities: dict[str, list[str]] = defaultdict(list)
    for claim_id, entity, _ in rows.links:
        entities[claim_id].append(entity)
    deltas: Counter[FacetKey] = Counter()
    for c in rows.claims:
        month = month_of(c.published)
        deltas.update(_claim_keys(c.kind, c.source_id, c.speaker_id, topics[c.id], entities[c.id], month))
    if sign != 1:
        for key in deltas:
            deltas[key] *= sign
    return deltas


def apply_facet_deltas(db: Db, deltas: Counter[FacetKey]) -> None:
    """Add (or with negative deltas, take away) counts; rows reaching zero are removed. Keys are applied in
    sorted order so two writers on PostgreSQL lock rows in the same order (no deadlock)."""
    rows = sorted((k, n) for k, n in deltas.items() if n)
    if not rows:
        return
    sql = db.sql()
    key = f"{sql.named('scope')}, {sql.named('facet')}, {sql.named('value')}"
    db.execute_many(
        f"INSERT INTO facet_count (scope, facet, value, count) VALUES ({key}, {sql.named('n')}) "
        "ON CONFLICT (scope, facet, value) DO UPDATE SET count = facet_count.count + excluded.count",
        [{"scope": s, "facet": f, "value": v, "n": n} for (s, f, v), n in rows],
    )
    gone = [{"scope": s, "facet": f, "value": v} for (s, f, v), n in rows if n < 0]
    where = " AND ".join(f"{c} = {sql.named(c)}" for c in ("scope", "facet", "value"))
    db.execute_many(f"DELETE FROM facet_count WHERE {where} AND count <= 0", gone)


def rebuild_facet_counts(db: Db) -> None:
    """Count every facet again from the normalised tables (after an upgrade, or to repair), source by
    source through the same facet_deltas."""
    db.execute("DELETE FROM facet_count")
    sources = [r[0] for r in db.rows("SELECT id FROM source ORDER BY id")]
    deltas: Counter[FacetKey] = Counter()
    for source_id in sources:
        deltas.update(facet_deltas(ClaimRows.read(db, source_id=source_id)))
        if len(deltas) > 200_000:  # bounded memory at any size: write what has been counted so far
            apply_facet_deltas(db, deltas)
            deltas.clear()
    apply_facet_deltas(db, deltas)


def refresh(engine: Engine) -> None:
    """Fill what the projection lacks: documents of claims never rendered (written before migration 0003);
    the facet counts when they are missing but claims exist, or lack the months (counts kept by a version
    before them) while dated claims exist."""
    with engine.begin() as connection:
        db = Db.of(connection)
        rerender(db, unrendered=True)
        counted = db.rows("SELECT 1 FROM facet_count LIMIT 1")
        months = db.rows("SELECT 1 FROM facet_count WHERE scope = '' AND facet = 'month' LIMIT 1")
        sql = db.sql()
        dated = db.rows(f"SELECT 1 FROM claim WHERE day > {sql.day(NO_DAY)} LIMIT 1", sql.params)
        if (not counted and db.rows("SELECT 1 FROM claim LIMIT 1")) or (not months and dated):
            rebuild_facet_counts(db)
