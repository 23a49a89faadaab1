"""What the explorer's pages read. Every call into the query layer (`app.queries`) is made here, so the pages
read exactly what the API serves; the few reads the API has no endpoint for (latest sources, mention spans,
counts by month, co-mentions) are thin SQL over the same tables, each bounded by an index range.

Each function takes the request's session and returns plain dicts and lists for a template; none writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, get_args

import orjson
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from app import queries
from app.errors import NotFound
from app.models import (
    CLAIM_ENTITY,
    CLAIM_TOPIC,
    ENTITY,
    FACET_COUNT,
    MENTION,
    NO_DAY,
    SOURCE,
    TopicId,
)
from app.queries import ClaimFilter, EntityFilter, RelationFilter, SearchParams
from app.sql import Db

__all__ = [
    "CLAIM_PAGE_FACETS",
    "ClaimFilter",
    "canonical_entity",
    "claim_detail",
    "claim_group_badges",
    "claim_groups",
    "claims_page",
    "contested_facts",
    "entity_list",
    "entity_profile",
    "group_listing",
    "overview",
    "search",
    "source_reader",
]

CLAIM_PAGE_FACETS = ("topic", "kind", "entity", "speaker", "source")
TOPICS: tuple[str, ...] = get_args(TopicId)
LATEST_SOURCES = 8
CO_MENTION_WINDOW = 500  # an entity's latest claims that "mentioned with it" is counted over
ENTITY_TOPIC_CHART_MAX = 1000  # an entity with more claims is charted by month without the topics
READER_CLAIMS_MAX = 2000  # claims of one source the reader highlights (an article holds far fewer)


# --- issue 14 (claim groups: conflicts and corroborations) ----------------------------------------------
# The groups are not on main yet. These four functions are where the pages read them; each returns nothing
# until the query layer serves groups, and the pages then say there are none.


def group_listing(session: Session, kind: str, *, cursor: str | None = None) -> tuple[list[Any], str | None]:
    """Groups of claims that conflict (`kind="conflicts"`) or corroborate: none yet (issue 14)."""
    return [], None


def claim_groups(session: Session, claim_id: str) -> list[Any]:
    """The groups a claim belongs to, with the other claims in them: none yet (issue 14)."""
    return []


def claim_group_badges(session: Session, claim_ids: Iterable[str]) -> dict[str, list[str]]:
    """Per claim id, "corroborated" / "contested" badges: none yet (issue 14)."""
    return {}


def contested_facts(session: Session, entity_id: str) -> list[Any]:
    """An entity's facts that sources contest: none yet (issue 14)."""
    return []


# --- helpers --------------------------------------------------------------------------------------------


def _claims(docs: list[bytes]) -> list[dict[str, Any]]:
    return [orjson.loads(d) for d in docs]


def _source_refs(session: Session, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Title, publisher, date and url of sources, by id (one indexed lookup for a page of claims)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            SOURCE.c.id,
            SOURCE.c.title,
            SOURCE.c.publisher,
            SOURCE.c.published,
            SOURCE.c.published_not_before,
            SOURCE.c.url,
        ).where(SOURCE.c.id.in_(wanted))
    )
    return {r.id: dict(r._mapping) for r in rows}


def _entity_names(session: Session, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(ENTITY.c.id, ENTITY.c.name, ENTITY.c.type).where(ENTITY.c.id.in_(wanted)))
    return {r.id: {"id": r.id, "name": r.name, "type": r.type} for r in rows}


# --- overview -------------------------------------------------------------------------------------------


def latest_sources(session: Session, limit: int = LATEST_SOURCES) -> list[dict[str, Any]]:
    """The sources added last (the index on source.ingested_at, newest first), with their claim counts."""
    rows = list(
        session.execute(
            select(
                SOURCE.c.id,
                SOURCE.c.title,
                SOURCE.c.publisher,
                SOURCE.c.published,
                SOURCE.c.published_not_before,
                SOURCE.c.ingested_at,
            )
            .order_by(SOURCE.c.ingested_at.desc())  # the index alone: a tie-break on id would sort them all
            .limit(limit)
        )
    )
    counts = {
        r.value: r.count
        for r in session.execute(
            select(FACET_COUNT.c.value, FACET_COUNT.c.count).where(
                FACET_COUNT.c.scope == "",
                FACET_COUNT.c.facet == "source",
                FACET_COUNT.c.value.in_([r.id for r in rows]),
            )
        )
    }
    return [{**r._mapping, "claim_count": counts.get(r.id, 0)} for r in rows]


def claims_by_month(session: Session) -> dict[str, dict[str, int]]:
    """Claims per month by topic over the whole knowledge base: the month counts kept at ingest, one
    index range per topic."""
    scopes = [f"topic:{t}" for t in TOPICS]
    rows = session.execute(
        select(FACET_COUNT.c.scope, FACET_COUNT.c.value, FACET_COUNT.c.count).where(
            FACET_COUNT.c.scope.in_(scopes), FACET_COUNT.c.facet == "month"
        )
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for scope, month, count in rows:
        out[month][scope.removeprefix("topic:")] = count
    return dict(sorted(out.items()))


def overview(session: Session) -> dict[str, Any]:
    """What the knowledge base holds: sizes, topics with counts, latest sources, claims per month."""
    return {
        "stats": queries.stats(session),
        "topics": queries.list_topics(session),
        "latest": latest_sources(session),
        "months": claims_by_month(session),
    }


# --- claims ---------------------------------------------------------------------------------------------


def page_facets(f: ClaimFilter) -> list[str]:
    """The facets the claims page counts for a filter: those the knowledge base keeps counted for it (no
    filter, one topic, one entity), or every facet within one source (a few hundred claims at most).
    Any other combination would be counted claim by claim over every match, so its counts are left out."""
    scope = queries.facet_scope(f)
    if scope is not None:
        if scope.startswith("entity:"):  # within an entity, entities and sources are not kept
            return ["topic", "kind", "speaker"]
        return list(CLAIM_PAGE_FACETS)
    return list(CLAIM_PAGE_FACETS) if f.source else []


def claims_page(session: Session, f: ClaimFilter) -> dict[str, Any]:
    """One page of claims for a filter, with facet counts (where they are cheap) and each claim's source."""
    db = Db.of(session)
    f = f.model_copy(update={"select": None, "format": None, "facets": None})
    docs, cursor = queries.list_claims(db, f)
    claims = _claims(docs)
    names = page_facets(f)
    facets = queries.claim_facets(db, f.model_copy(update={"facets": ",".join(names)})) if names else {}
    source_ids = {c["source"] for c in claims} | {e["value"] for e in facets.get("source", [])}
    return {
        "claims": claims,
        "next_cursor": cursor,
        "facets": facets,
        "sources": _source_refs(session, source_ids),
        "badges": claim_group_badges(session, [c["id"] for c in claims]),
    }


def claim_detail(session: Session, claim_id: str) -> dict[str, Any]:
    """A claim in context (its source, the sentences around it), the relations read from it, its groups."""
    claim = queries.get_claim(Db.of(session), claim_id)
    relations: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:  # a source states at most a few hundred relations: page through them, keep this claim's
        page, cursor = queries.list_relations(
            session, RelationFilter(limit=200, cursor=cursor, source=claim["source"])
        )
        relations += [r for r in page if r["claim"] == claim_id]
        if cursor is None:
            break
    return {"claim": claim, "relations": relations, "groups": claim_groups(session, claim_id)}


# --- sources --------------------------------------------------------------------------------------------


def source_claims(session: Session, source_id: str) -> list[dict[str, Any]]:
    """Every claim of a source in reading order (the API's `/sources/{id}/claims`)."""
    db = Db.of(session)
    claims: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(claims) < READER_CLAIMS_MAX:
        docs, cursor = queries.list_claims(
            db, ClaimFilter(source=source_id, sort="position", limit=200, cursor=cursor)
        )
        claims += _claims(docs)
        if cursor is None:
            break
    return claims


def mention_spans(session: Session, source_id: str) -> list[tuple[int, int, str]]:
    """(start, end, entity id) of every entity mention in a source, in text order."""
    rows = session.execute(
        select(MENTION.c.start, MENTION.c.end, MENTION.c.entity_id)
        .where(MENTION.c.source_id == source_id)
        .order_by(MENTION.c.start, MENTION.c.id)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def source_reader(session: Session, source_id: str) -> dict[str, Any]:
    """A source's exact text with its claims and entity mentions, for reading."""
    source = queries.get_source(session, source_id)
    claims = source_claims(session, source_id)
    return {
        "source": source,
        "claims": claims,
        "mentions": mention_spans(session, source_id),
        "entities": {e["id"]: e for e in source["entities"]},
        "badges": claim_group_badges(session, [c["id"] for c in claims]),
    }


# --- entities -------------------------------------------------------------------------------------------


def canonical_entity(session: Session, entity_id: str) -> str | None:
    """None when the id exists; else the canonical id an alias or old id stands for (NotFound if none)."""
    if queries.entity_exists(session, entity_id):
        return None
    canonical = queries.canonical_entity(session, entity_id)
    if canonical is None or canonical == entity_id:
        raise NotFound(f"no entity with id {entity_id!r}")
    return canonical


def entity_timeline(session: Session, entity_id: str, claim_count: int) -> dict[str, Any]:
    """An entity's claims per month: by topic, counted over its claims when it has at most
    ENTITY_TOPIC_CHART_MAX (one index range, a lookup per claim); beyond that, the per-month totals kept at
    ingest (`by_topic` False), since counting by topic would read every one of its claims."""
    if claim_count > ENTITY_TOPIC_CHART_MAX:
        rows = session.execute(
            select(FACET_COUNT.c.value, FACET_COUNT.c.count).where(
                FACET_COUNT.c.scope == f"entity:{entity_id}", FACET_COUNT.c.facet == "month"
            )
        )
        return {
            "months": {m: {"all": n} for m, n in sorted((r[0], r[1]) for r in rows)},
            "by_topic": False,
            "max": ENTITY_TOPIC_CHART_MAX,
        }
    month = func.substr(cast(CLAIM_ENTITY.c.day, String), 1, 7)  # 'YYYY-MM' (ISO dates on both backends)
    by_topic = session.execute(
        select(CLAIM_TOPIC.c.topic_id, month, func.count())
        .select_from(CLAIM_ENTITY.join(CLAIM_TOPIC, CLAIM_TOPIC.c.claim_id == CLAIM_ENTITY.c.claim_id))
        .where(CLAIM_ENTITY.c.entity_id == entity_id, CLAIM_ENTITY.c.day > NO_DAY)
        .group_by(CLAIM_TOPIC.c.topic_id, month)
    )
    months: dict[str, dict[str, int]] = defaultdict(dict)
    for topic, m, count in by_topic:
        months[m][topic] = count
    return {"months": dict(sorted(months.items())), "by_topic": True, "max": ENTITY_TOPIC_CHART_MAX}


def co_mentioned(session: Session, entity_id: str, limit: int = 20) -> tuple[list[dict[str, Any]], int]:
    """Entities named in the same claims as this one, most often first, counted over its latest
    CO_MENTION_WINDOW claims (a bounded index range read); returns them and how many claims were read."""
    latest = (
        select(CLAIM_ENTITY.c.claim_id)
        .where(CLAIM_ENTITY.c.entity_id == entity_id)
        .order_by(CLAIM_ENTITY.c.day.desc(), CLAIM_ENTITY.c.claim_id.desc())
        .limit(CO_MENTION_WINDOW)
        .subquery()
    )
    window = session.execute(select(func.count()).select_from(latest)).scalar_one()
    rows = list(
        session.execute(
            select(CLAIM_ENTITY.c.entity_id, func.count().label("n"))
            .where(
                CLAIM_ENTITY.c.claim_id.in_(select(latest.c.claim_id)), CLAIM_ENTITY.c.entity_id != entity_id
            )
            .group_by(CLAIM_ENTITY.c.entity_id)
            .order_by(func.count().desc(), CLAIM_ENTITY.c.entity_id)
            .limit(limit)
        )
    )
    refs = _entity_names(session, [r[0] for r in rows])
    return [{**refs[r[0]], "count": r[1]} for r in rows if r[0] in refs], int(window)


def entity_profile(session: Session, entity_id: str) -> dict[str, Any]:
    """An entity: profile, relations with provenance, claims over time by topic, co-mentions, latest claims,
    contested facts."""
    entity = queries.get_entity(session, entity_id)
    docs, _ = queries.list_claims(Db.of(session), ClaimFilter(entity=[entity_id], limit=10))
    latest = _claims(docs)
    related, window = co_mentioned(session, entity_id)
    linked = [v for v in entity["attributes"].values() if isinstance(v, str)]
    return {
        "entity": entity,
        "timeline": entity_timeline(session, entity_id, entity["claim_count"]),
        "co_mentioned": related,
        "co_window": window,
        "latest_claims": latest,
        "attribute_links": _entity_names(session, linked),
        "sources": _source_refs(session, [c["source"] for c in latest]),
        "contested": contested_facts(session, entity_id),
    }


def entity_list(
    session: Session, *, type: str | None, q: str | None, cursor: str | None, limit: int = 50
) -> tuple[list[dict[str, Any]], str | None]:
    """Entities by claim count, most first (the API's `/entities?sort=-claims`)."""
    wanted = {"limit": limit, "cursor": cursor, "type": type, "q": q, "sort": "-claims"}
    return queries.list_entities(session, EntityFilter.model_validate(wanted))


# --- search ---------------------------------------------------------------------------------------------


def search(session: Session, q: str) -> dict[str, Any]:
    """Entities by name prefix and the best-matching claims (the API's `/search`)."""
    found = queries.search(session, SearchParams(q=q, limit=20))
    found["sources"] = _source_refs(session, [c["source"] for c in found["claims"]])
    return found
