"""Sources, entities and relations as tables: filter -> the ids expected, in order, from the tiny
hand-made KB; every page size walks to the same list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.errors import InvalidCursor, NotFound
from app.queries import (
    EntityFilter,
    PageParams,
    RelationFilter,
    SearchParams,
    SourceFilter,
    canonical_entity,
    entity_relations,
    get_entity,
    get_source,
    list_entities,
    list_relations,
    list_sources,
    list_topics,
    search,
    stats,
)
from tests.queries.conftest import ENTITIES, SOURCES

Lister = Callable[[Session, Any], tuple[list[dict[str, Any]], str | None]]


def huawei_relations(session: Session, params: PageParams) -> tuple[list[dict[str, Any]], str | None]:
    return entity_relations(session, "huawei", params)


CASES: list[tuple[Lister, type[PageParams], dict[str, Any], list[str]]] = [
    (list_sources, SourceFilter, {}, ["src_a", "src_b", "src_c", "src_d"]),
    (list_sources, SourceFilter, {"publisher": "Wire A"}, ["src_a", "src_c"]),
    (list_sources, SourceFilter, {"publisher": "wire a"}, ["src_a", "src_c"]),  # any case
    (list_sources, SourceFilter, {"published_from": "2025-01-01"}, ["src_a", "src_b"]),
    (list_sources, SourceFilter, {"published_to": "2024-12-31"}, ["src_d"]),
    (list_entities, EntityFilter, {"type": "chip"}, ["ascend-910b", "h20"]),
    (list_entities, EntityFilter, {"q": "hua"}, ["huawei"]),
    (list_entities, EntityFilter, {"q": "NVIDIA corp"}, ["nvidia"]),  # an alias, any case
    (list_entities, EntityFilter, {"q": "us"}, ["united-states"]),
    (list_entities, EntityFilter, {"q": "%"}, []),  # LIKE wildcards are literal
    (list_entities, EntityFilter, {"topic": "policy"}, ["china", "nvidia", "united-states"]),
    (
        list_entities,
        EntityFilter,
        {"sort": "-claims"},
        ["china", "huawei", "nvidia", "ascend-910b", "h20", "united-states", "jensen-huang", "reuters"],
    ),
    (
        list_entities,
        EntityFilter,
        {"topic": "chips", "sort": "-claims"},
        ["china", "huawei", "nvidia", "ascend-910b", "h20"],
    ),
    (
        list_entities,
        EntityFilter,
        {"sort": "name"},
        ["ascend-910b", "china", "h20", "huawei", "jensen-huang", "nvidia", "reuters", "united-states"],
    ),
    (list_relations, RelationFilter, {}, ["r_1", "r_2", "r_3", "r_4"]),
    (list_relations, RelationFilter, {"subject": "huawei"}, ["r_1", "r_3"]),
    (list_relations, RelationFilter, {"predicate": "partners_with"}, ["r_4"]),
    (list_relations, RelationFilter, {"object": "h20"}, ["r_2"]),
    (list_relations, RelationFilter, {"source": "src_a"}, ["r_3"]),
    (list_relations, RelationFilter, {"origin": "article"}, ["r_3", "r_4"]),
    (list_relations, RelationFilter, {"origin": "catalog"}, ["r_1", "r_2"]),
    (list_relations, RelationFilter, {"origin": "catalog", "subject": "Huawei"}, ["r_1"]),  # by name
    (huawei_relations, PageParams, {}, ["r_1", "r_3", "r_4"]),
]
IDS = [f"{lister.__name__}{params}" for lister, _, params, _ in CASES]


@pytest.fixture
def session(tiny: Engine) -> Iterator[Session]:
    with Session(tiny) as session:
        yield session


@pytest.mark.parametrize(("lister", "model", "params", "expected"), CASES, ids=IDS)
@pytest.mark.parametrize("limit", [1, 3, 200])
def test_list_finds_exactly_these_in_order(
    session: Session,
    lister: Lister,
    model: type[PageParams],
    params: dict[str, Any],
    expected: list[str],
    limit: int,
) -> None:
    walked: list[str] = []
    cursor = None
    for _ in range(20):
        items, cursor = lister(session, model.model_validate({**params, "limit": limit, "cursor": cursor}))
        assert len(items) <= limit
        walked += [item["id"] for item in items]
        if cursor is None:
            break
    assert walked == expected


def test_sources_carry_their_claim_counts(session: Session) -> None:
    items, _ = list_sources(session, SourceFilter())
    assert {s["id"]: s["claim_count"] for s in items} == {"src_a": 2, "src_b": 2, "src_c": 1, "src_d": 1}
    source = get_source(session, "src_b")
    assert source["text"].startswith("Nvidia sold H20") and [e["id"] for e in source["entities"]] == [
        "nvidia",
        "h20",
    ]
    with pytest.raises(NotFound):
        get_source(session, "src_nope")


def test_entity_detail_counts_from_the_kept_counts(session: Session) -> None:
    china = get_entity(session, "china")
    assert china["claim_count"] == 3 and china["claims_by_topic"] == {"chips": 2, "policy": 1, "talent": 1}
    huawei = get_entity(session, "huawei")
    assert [r["id"] for r in huawei["relations_out"]] == ["r_1", "r_3"]
    assert [r["id"] for r in huawei["relations_in"]] == ["r_4"]
    assert huawei["aliases"] == ["Huawei", "Huawei Technologies"]
    assert canonical_entity(session, "huawei-technologies") == "huawei"
    assert canonical_entity(session, "no-such-thing") is None


def test_topics_stats_and_search(session: Session) -> None:
    assert {t["id"]: t["claim_count"] for t in list_topics(session)} == {
        "chips": 4,
        "investment": 2,
        "policy": 2,
        "talent": 1,
    }
    sizes = stats(session)
    assert (sizes["sources"], sizes["claims"], sizes["entities"], sizes["relations"]) == (4, 6, 8, 4)
    assert sizes["claims_by_kind"] == {"assessment": 1, "event": 1, "forecast": 1, "quote": 1, "statistic": 2}
    # Every entity of the tiny KB is a catalog one; those a claim names are counted apart.
    assert sizes["entities_by_origin"] == {"catalog": len(ENTITIES)}
    named = {e for _, _, claims in SOURCES.values() for c in claims for e in c.entities}
    assert sizes["entities_with_claims"] == len(named) < len(ENTITIES)
    found = search(session, SearchParams(q="china"))
    assert [e["id"] for e in found["entities"]] == ["china"]
    assert [c["id"] for c in found["claims"]] == ["c_c1", "c_a1", "c_a2"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("h", ["huawei", "h20"]),  # both names start with h: the one with more claims first
        ("H20", ["h20"]),
        ("us", ["united-states"]),  # an exact alias
        ("nvidia c", ["nvidia"]),  # an alias' prefix
        ("zz", []),
    ],
)
def test_search_ranks_entities_by_match_then_claims(session: Session, q: str, expected: list[str]) -> None:
    assert [e["id"] for e in search(session, SearchParams(q=q))["entities"]] == expected


@pytest.mark.parametrize(
    ("lister", "model", "cursor"),
    [
        (list_sources, SourceFilter, "WzFd"),  # [1]: an id must be text
        (list_entities, EntityFilter, "WyJhIl0"),  # ["a"] is fine for id order ...
        (list_relations, RelationFilter, "bm90LWpzb24"),
    ],
)
def test_forged_cursors_are_refused(
    session: Session, lister: Lister, model: type[PageParams], cursor: str
) -> None:
    if lister is list_entities:  # ... but not for the claim-count order, whose key is [count, id]
        with pytest.raises(InvalidCursor):
            lister(session, model.model_validate({"cursor": cursor, "sort": "-claims"}))
        return
    with pytest.raises(InvalidCursor):
        lister(session, model.model_validate({"cursor": cursor}))
