"""The read projection: each claim as the API serves it (claim.doc), its sort day, and facet counts.

Written at ingest from the same rows the normalised tables get, and refreshed here when something a
document repeats changes (an entity's name or type, a source's date). Reads then cost one indexed lookup
and a byte splice per page, whatever the size of the knowledge base.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, Engine, text

__all__ = [
    "NO_DAY",
    "ClaimRow",
    "claim_item",
    "entity_refs",
    "facet_keys",
    "month_of",
    "rebuild_facet_counts",
    "refresh",
    "render_docs",
    "update_facet_counts",
]

NO_DAY = date(1, 1, 1)  # the sort day of an undated claim: last under -published, first under published
RENDER_BATCH = 500


class ClaimRow(NamedTuple):
    """The columns of a claim a document is rendered from."""

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


ROLE_ORDER = {"subject": 0, "object": 1}


def _link_order(link: tuple[str, str]) -> tuple[int, str]:
    return ROLE_ORDER.get(link[1], 2), link[0]


def claim_item(
    row: Any,
    topics: Sequence[str],
    links: Iterable[tuple[str, str]],
    quantities: Sequence[dict[str, Any]],
    refs: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The public shape of a claim (ClaimPublic) from its row and its topics, entity links, quantities;
    `refs` maps entity ids to {id, name, type}."""
    return {
        "id": row.id,
        "source": row.source_id,
        "text": row.text,
        "span": {"start": row.start, "end": row.end},
        "kind": row.kind,
        "topics": sorted(topics),
        "entities": [{**refs[e], "role": role} for e, role in sorted(links, key=_link_order) if e in refs],
        "quantities": list(quantities),
        "speaker": refs.get(row.speaker_id) if row.speaker_id else None,
        "cited": refs.get(row.cited_id) if row.cited_id else None,
        "time_scope": row.time_scope,
        "published": row.published,
    }


def month_of(day: date | str | None) -> str | None:
    """'YYYY-MM' of a claim's sort day (a date, or its ISO text on SQLite); None for an undated claim."""
    if day is None:
        return None
    text = day if isinstance(day, str) else day.isoformat()
    return None if text[:10] == NO_DAY.isoformat() else text[:7]


def facet_keys(
    kind: str,
    source_id: str,
    speaker_id: str | None,
    topics: Iterable[str],
    entities: Iterable[str],
    month: str | None = None,
) -> Iterator[tuple[str, str, str]]:
    """The (scope, facet, value) counters one claim adds to. Scopes are every claim (''), each of its
    topics and each of its entities; within an entity, entity and source facets are not kept (they would
    be entities x entities and entities x sources rows) and are counted live instead. A dated claim also
    counts under its month ('YYYY-MM') in each of its scopes: claims per month, of every claim, of a topic,
    of an entity (the explorer's charts; a row per scope and month)."""
    topics, entities = list(topics), list(entities)
    own = (
        [("topic", t) for t in topics] + [("kind", kind)] + ([("speaker", speaker_id)] if speaker_id else [])
    )
    if month is not None:
        own.append(("month", month))
    wide = [*own, *(("entity", e) for e in entities), ("source", source_id)]
    for facet, value in wide:
        yield "", facet, value
        for t in topics:
            yield f"topic:{t}", facet, value
    for e in entities:
        for facet, value in own:
            yield f"entity:{e}", facet, value


def update_facet_counts(connection: Connection, deltas: Counter[tuple[str, str, str]]) -> None:
    """Add (or with negative deltas, take away) counts; rows reaching zero are removed. Keys are applied in
    sorted order so two writers on PostgreSQL lock rows in the same order (no deadlock)."""
    rows = sorted((k, n) for k, n in deltas.items() if n)
    if not rows:
        return
    params = [(scope, facet, value, n) for (scope, facet, value), n in rows]
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO facet_count (scope, facet, value, count) VALUES ({mark}, {mark}, {mark}, {mark}) "
        "ON CONFLICT (scope, facet, value) DO UPDATE SET count = facet_count.count + excluded.count",
        params,
    )
    if any(n < 0 for _, n in rows):
        connection.exec_driver_sql(
            "DELETE FROM facet_count "
            f"WHERE scope = {mark} AND facet = {mark} AND value = {mark} AND count <= 0",
            [k for k, n in rows if n < 0],
        )


def _load_parts(
    connection: Connection, ids: list[str]
) -> tuple[
    dict[str, list[str]],
    dict[str, list[tuple[str, str]]],
    dict[str, list[dict[str, Any]]],
]:
    marks = ", ".join(":i" + str(n) for n in range(len(ids)))
    params = {f"i{n}": v for n, v in enumerate(ids)}
    topics: dict[str, list[str]] = defaultdict(list)
    for claim_id, topic in connection.execute(
        text(f"SELECT claim_id, topic_id FROM claim_topic WHERE claim_id IN ({marks})"), params
    ):
        topics[claim_id].append(topic)
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for claim_id, entity_id, role in connection.execute(
        text(f"SELECT claim_id, entity_id, role FROM claim_entity WHERE claim_id IN ({marks})"), params
    ):
        links[claim_id].append((entity_id, role))
    quantities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in connection.execute(
        text(
            'SELECT claim_id, value, unit, text, start, "end" FROM quantity '
            f"WHERE claim_id IN ({marks}) ORDER BY start, id"
        ),
        params,
    ):
        quantities[q.claim_id].append(
            {"value": q.value, "unit": q.unit, "text": q.text, "span": {"start": q.start, "end": q.end}}
        )
    return topics, links, quantities


def entity_refs(connection: Connection, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    ordered = sorted(ids)
    marks = ", ".join(":i" + str(n) for n in range(len(ordered)))
    rows = connection.execute(
        text(f"SELECT id, name, type FROM entity WHERE id IN ({marks})"),
        {f"i{n}": v for n, v in enumerate(ordered)},
    )
    return {r.id: {"id": r.id, "name": r.name, "type": r.type} for r in rows}


CLAIM_ROW_SQL = (
    'SELECT id, source_id, start, "end", text, kind, speaker_id, cited_id, time_scope, published FROM claim'
)


def hydrate(connection: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Claim items built from the normalised tables: 4 queries for any number of rows."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    topics, links, quantities = _load_parts(connection, ids)
    wanted = (
        {e for pairs in links.values() for e, _ in pairs}
        | {r.speaker_id for r in rows if r.speaker_id}
        | {r.cited_id for r in rows if r.cited_id}
    )
    refs = entity_refs(connection, wanted)
    return [
        claim_item(r, topics.get(r.id, []), links.get(r.id, []), quantities.get(r.id, []), refs) for r in rows
    ]


def render_docs(connection: Connection, where: str, params: dict[str, Any]) -> int:
    """Re-render claim.doc for the claims matching `where` (SQL over claim); returns how many."""
    ids = [r[0] for r in connection.execute(text(f"SELECT id FROM claim WHERE {where}"), params)]
    for n in range(0, len(ids), RENDER_BATCH):
        batch = ids[n : n + RENDER_BATCH]
        marks = ", ".join(":i" + str(k) for k in range(len(batch)))
        rows = list(
            connection.execute(
                text(f"{CLAIM_ROW_SQL} WHERE id IN ({marks})"), {f"i{k}": v for k, v in enumerate(batch)}
            )
        )
        connection.execute(
            text("UPDATE claim SET doc = :doc WHERE id = :id"),
            [{"id": item["id"], "doc": orjson.dumps(item).decode()} for item in hydrate(connection, rows)],
        )
    return len(ids)


MONTH_SQL = "substr(CAST(day AS TEXT), 1, 7)"  # 'YYYY-MM' on both backends (ISO dates)
# Claims per month of every claim, each topic, each entity (facet "month"; added after the others, so
# `refresh` fills them alone in a database counted before they existed).
MONTH_FACET_SQL = (
    f"SELECT '', 'month', {MONTH_SQL}, count(*) FROM claim WHERE day > '{NO_DAY}' GROUP BY {MONTH_SQL}",
    f"SELECT 'topic:' || topic_id, 'month', {MONTH_SQL}, count(*) FROM claim_topic WHERE day > '{NO_DAY}' "
    f"GROUP BY topic_id, {MONTH_SQL}",
    f"SELECT 'entity:' || entity_id, 'month', {MONTH_SQL}, count(*) FROM claim_entity "
    f"WHERE day > '{NO_DAY}' GROUP BY entity_id, {MONTH_SQL}",
)
FACET_SQL = (
    # every claim
    "SELECT '', 'topic', topic_id, count(*) FROM claim_topic GROUP BY topic_id",
    "SELECT '', 'entity', entity_id, count(*) FROM claim_entity GROUP BY entity_id",
    "SELECT '', 'kind', kind, count(*) FROM claim GROUP BY kind",
    "SELECT '', 'source', source_id, count(*) FROM claim GROUP BY source_id",
    "SELECT '', 'speaker', speaker_id, count(*) FROM claim WHERE speaker_id IS NOT NULL GROUP BY speaker_id",
    # within a topic
    "SELECT 'topic:' || a.topic_id, 'topic', b.topic_id, count(*) FROM claim_topic a "
    "JOIN claim_topic b ON b.claim_id = a.claim_id GROUP BY a.topic_id, b.topic_id",
    "SELECT 'topic:' || a.topic_id, 'entity', b.entity_id, count(*) FROM claim_topic a "
    "JOIN claim_entity b ON b.claim_id = a.claim_id GROUP BY a.topic_id, b.entity_id",
    "SELECT 'topic:' || a.topic_id, 'kind', c.kind, count(*) FROM claim_topic a "
    "JOIN claim c ON c.id = a.claim_id GROUP BY a.topic_id, c.kind",
    "SELECT 'topic:' || a.topic_id, 'source', c.source_id, count(*) FROM claim_topic a "
    "JOIN claim c ON c.id = a.claim_id GROUP BY a.topic_id, c.source_id",
    "SELECT 'topic:' || a.topic_id, 'speaker', c.speaker_id, count(*) FROM claim_topic a "
    "JOIN claim c ON c.id = a.claim_id WHERE c.speaker_id IS NOT NULL GROUP BY a.topic_id, c.speaker_id",
    # within an entity
    "SELECT 'entity:' || a.entity_id, 'topic', b.topic_id, count(*) FROM claim_entity a "
    "JOIN claim_topic b ON b.claim_id = a.claim_id GROUP BY a.entity_id, b.topic_id",
    "SELECT 'entity:' || a.entity_id, 'kind', c.kind, count(*) FROM claim_entity a "
    "JOIN claim c ON c.id = a.claim_id GROUP BY a.entity_id, c.kind",
    "SELECT 'entity:' || a.entity_id, 'speaker', c.speaker_id, count(*) FROM claim_entity a "
    "JOIN claim c ON c.id = a.claim_id WHERE c.speaker_id IS NOT NULL GROUP BY a.entity_id, c.speaker_id",
    *MONTH_FACET_SQL,
)


def rebuild_facet_counts(connection: Connection) -> None:
    """Recount every facet from the normalised tables (after an upgrade, or to repair)."""
    connection.execute(text("DELETE FROM facet_count"))
    for query in FACET_SQL:
        connection.execute(text(f"INSERT INTO facet_count (scope, facet, value, count) {query}"))


def refresh(engine: Engine) -> None:
    """Fill what the projection lacks: documents of claims never rendered (written before migration 0003);
    when the counts are missing but claims exist, the facet counts; when only the month counts are missing
    (counts kept by a version before them), those."""
    with engine.begin() as connection:
        render_docs(connection, "doc = ''", {})
        counted = connection.execute(text("SELECT 1 FROM facet_count LIMIT 1")).first()
        if counted is None and connection.execute(text("SELECT 1 FROM claim LIMIT 1")).first():
            rebuild_facet_counts(connection)
            return
        months = "SELECT 1 FROM facet_count WHERE scope = '' AND facet = 'month' LIMIT 1"
        dated = f"SELECT 1 FROM claim WHERE day > '{NO_DAY}' LIMIT 1"
        if connection.execute(text(months)).first() is None and connection.execute(text(dated)).first():
            for query in MONTH_FACET_SQL:
                connection.execute(text(f"INSERT INTO facet_count (scope, facet, value, count) {query}"))
