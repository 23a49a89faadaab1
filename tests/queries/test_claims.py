"""The claim filters as a table: parameters -> the claims expected, in order, read off the tiny hand-made
KB (tests/queries/conftest.py). No HTTP and no extraction: app.queries over a Db, on each backend, and
every page size walks to the same list through its cursors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine

from app.errors import InvalidCursor, InvalidParameter, KBError, NotFound
from app.queries import (
    ClaimFilter,
    claim_count,
    claim_facets,
    claim_page,
    encode_cursor,
    get_claim,
    list_claims,
)
from app.sql import Db

ALL = ["c_b2", "c_b1", "c_a2", "c_a1", "c_d1", "c_c1"]  # newest first; the undated claim last

CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ALL),
    ({"sort": "published"}, ["c_c1", "c_d1", "c_a1", "c_a2", "c_b1", "c_b2"]),
    ({"sort": "position"}, ["c_a1", "c_a2", "c_b1", "c_b2", "c_c1", "c_d1"]),
    ({"topic": ["chips"]}, ["c_b1", "c_a2", "c_a1", "c_d1"]),
    ({"topic": ["chips"], "sort": "published"}, ["c_d1", "c_a1", "c_a2", "c_b1"]),
    ({"topic": ["policy"]}, ["c_b2", "c_a2"]),
    ({"topic": ["chips", "policy"]}, ["c_a2"]),
    ({"topic": ["talent", "chips"]}, []),
    ({"entity": ["nvidia"]}, ["c_b1", "c_a2"]),
    ({"entity": ["china"]}, ["c_a2", "c_a1", "c_c1"]),
    ({"entity": ["nvidia", "china"]}, ["c_a2"]),
    ({"entity": ["huawei"], "topic": ["chips"]}, ["c_a1", "c_d1"]),
    ({"entity": ["no-such-entity"]}, []),
    ({"entity_type": "chip"}, ["c_b1", "c_a1"]),
    ({"entity_type": "country"}, ["c_b2", "c_a2", "c_a1", "c_c1"]),
    ({"source": "src_a"}, ["c_a1", "c_a2"]),  # reading order by default
    ({"source": "src_b", "sort": "-published"}, ["c_b2", "c_b1"]),
    ({"publisher": "Wire A"}, ["c_a2", "c_a1", "c_c1"]),
    ({"speaker": "jensen-huang"}, ["c_a2"]),
    ({"cited": "reuters"}, ["c_b2"]),
    ({"kind": ["statistic"]}, ["c_b1", "c_d1"]),
    ({"kind": ["quote", "forecast"]}, ["c_b2", "c_a2"]),
    ({"has_quantity": True}, ["c_b1", "c_d1"]),
    ({"has_quantity": False}, ["c_b2", "c_a2", "c_a1", "c_c1"]),
    ({"unit": "USD"}, ["c_b1"]),
    ({"unit": "%"}, ["c_d1"]),
    ({"unit": "USD", "value_min": 1e10}, []),
    ({"value_min": 10, "value_max": 100}, ["c_d1"]),
    ({"value_min": 1000}, ["c_b1"]),
    ({"published_from": "2025-01-01"}, ["c_b2", "c_b1", "c_a2", "c_a1"]),
    ({"published_to": "2024-12-31"}, ["c_d1"]),  # never the undated
    ({"published_from": "2025-02-01", "published_to": "2025-12-31"}, ["c_b2", "c_b1"]),
    ({"topic": ["chips"], "published_from": "2025-01-01"}, ["c_b1", "c_a2", "c_a1"]),
    ({"entity": ["china"], "published_to": "2025-12-31"}, ["c_a2", "c_a1"]),
    # Relevance: claims holding the words as a phrase, shorter first; then the others holding every word.
    ({"q": "export controls"}, ["c_b2", "c_a2", "c_d1"]),
    ({"q": "controls export"}, ["c_b2", "c_d1", "c_a2"]),  # no phrase: by length alone
    ({"q": "export controls", "kind": ["forecast", "statistic"]}, ["c_b2", "c_d1"]),
    ({"q": "china"}, ["c_c1", "c_a1", "c_a2"]),
    ({"q": "china", "sort": "-published"}, ["c_a2", "c_a1", "c_c1"]),
    ({"q": "China!!"}, ["c_c1", "c_a1", "c_a2"]),  # punctuation is not syntax
    ({"q": "semiconductors"}, []),
]


def ids(docs: list[bytes]) -> list[str]:
    return [orjson.loads(d)["id"] for d in docs]


@pytest.fixture
def db(tiny: Engine) -> Iterator[Db]:
    with tiny.connect() as connection:
        yield Db.of(connection)


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[str(p) for p, _ in CASES])
def test_filter_finds_exactly_these_claims_in_order(
    db: Db, params: dict[str, Any], expected: list[str]
) -> None:
    docs, cursor = list_claims(db, ClaimFilter.model_validate({**params, "limit": 200}))
    assert ids(docs) == expected and cursor is None


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[str(p) for p, _ in CASES])
@pytest.mark.parametrize("limit", [1, 2])
def test_pages_walk_to_the_same_list(db: Db, params: dict[str, Any], expected: list[str], limit: int) -> None:
    walked: list[str] = []
    cursor = None
    for _ in range(len(ALL) + 1):
        docs, cursor = list_claims(
            db, ClaimFilter.model_validate({**params, "limit": limit, "cursor": cursor})
        )
        assert len(docs) <= limit
        walked += ids(docs)
        if cursor is None:
            break
    assert walked == expected


def test_documents_are_the_public_shape(db: Db) -> None:
    (doc,), _ = list_claims(db, ClaimFilter(source="src_b", limit=1))
    claim = orjson.loads(doc)
    assert claim == {
        "id": "c_b1",
        "source": "src_b",
        "text": "Nvidia sold H20 chips worth $5 billion in 2025.",
        "span": {"start": 0, "end": 47},
        "kind": "statistic",
        "topics": ["chips", "investment"],
        "entities": [
            {"id": "nvidia", "name": "Nvidia", "type": "company", "role": "subject"},
            {"id": "h20", "name": "H20", "type": "chip", "role": "object"},
        ],
        "quantities": [
            {"value": 5e9, "unit": "USD", "text": "$5 billion", "span": {"start": 28, "end": 38}},
            {"value": 2025.0, "unit": "year", "text": "2025", "span": {"start": 42, "end": 46}},
        ],
        "speaker": None,
        "cited": None,
        "time_scope": None,
        "published": "2025-06-01",
        "published_basis": "published",
    }


def test_documents_say_which_date_published_is(db: Db) -> None:
    docs, _ = list_claims(db, ClaimFilter(limit=200, select="published,published_basis"))
    dates = {d["id"]: (d["published"], d["published_basis"]) for d in map(orjson.loads, docs)}
    assert dates["c_a1"] == ("2025-01-10", "published")
    assert dates["c_d1"] == ("2024-12-31", "published_not_before")  # src_d: only a lower bound
    assert dates["c_c1"] == (None, None)


def test_select_keeps_the_id_and_the_fields_asked_for(db: Db) -> None:
    docs, _ = list_claims(db, ClaimFilter(topic=["policy"], select="kind, speaker"))
    assert [orjson.loads(d) for d in docs] == [
        {"id": "c_b2", "kind": "forecast", "speaker": None},
        {
            "id": "c_a2",
            "kind": "quote",
            "speaker": {"id": "jensen-huang", "name": "Jensen Huang", "type": "person"},
        },
    ]


FACETS: list[tuple[dict[str, Any], dict[str, list[tuple[str, int]]]]] = [
    # From the counts kept at ingest: every claim, one topic, one entity.
    ({"facets": "topic"}, {"topic": [("chips", 4), ("investment", 2), ("policy", 2), ("talent", 1)]}),
    (
        {"topic": ["chips"], "facets": "kind,entity"},
        {
            "kind": [("statistic", 2), ("event", 1), ("quote", 1)],
            "entity": [("china", 2), ("huawei", 2), ("nvidia", 2), ("ascend-910b", 1), ("h20", 1)],
        },
    ),
    (
        {"entity": ["china"], "facets": "topic,speaker"},
        {"topic": [("chips", 2), ("policy", 1), ("talent", 1)], "speaker": [("jensen-huang", 1)]},
    ),
    # Counted live: within an entity, by entity or source; any other filter.
    (
        {"entity": ["china"], "facets": "entity,source"},
        {
            "entity": [("china", 3), ("ascend-910b", 1), ("huawei", 1), ("nvidia", 1)],
            "source": [("src_a", 2), ("src_c", 1)],
        },
    ),
    (
        {"kind": ["statistic"], "facets": "speaker,topic"},
        {"speaker": [], "topic": [("chips", 2), ("investment", 2)]},
    ),
    ({"q": "export controls", "facets": "kind"}, {"kind": [("forecast", 1), ("quote", 1), ("statistic", 1)]}),
]


@pytest.mark.parametrize(("params", "expected"), FACETS, ids=[str(p) for p, _ in FACETS])
def test_facets_count_every_matching_claim(
    db: Db, params: dict[str, Any], expected: dict[str, list[tuple[str, int]]]
) -> None:
    facets = claim_facets(db, ClaimFilter.model_validate(params))
    assert {name: [(f["value"], f["count"]) for f in found] for name, found in facets.items()} == expected


def test_entity_facets_carry_names(db: Db) -> None:
    facets = claim_facets(db, ClaimFilter(topic=["policy"], facets="entity,speaker"))
    assert facets["speaker"] == [
        {"value": "jensen-huang", "count": 1, "name": "Jensen Huang", "type": "person"}
    ]
    assert {f["value"]: f["name"] for f in facets["entity"]} == {
        "china": "China",
        "nvidia": "Nvidia",
        "united-states": "United States",
    }


def test_one_claim_comes_with_its_source_and_neighbours(db: Db) -> None:
    claim = get_claim(db, "c_a2")
    listed = orjson.loads(list_claims(db, ClaimFilter(source="src_a", sort="position"))[0][1])
    assert {k: v for k, v in claim.items() if k in listed} == listed  # the list's item, as it is
    assert claim["source"] == "src_a" and claim["source_info"]["title"] == "Title of src_a"
    assert claim["source_info"]["url"] == "https://example.test/src_a"
    assert claim["context"] == {"before": "Huawei ships Ascend 910B chips to China.", "after": None}
    with pytest.raises(NotFound):
        get_claim(db, "c_nope")


@pytest.mark.parametrize(
    ("params", "error", "parameter"),
    [
        ({"q": "--"}, InvalidParameter, "q"),
        ({"select": "txt"}, InvalidParameter, "select"),
        ({"facets": "topics"}, InvalidParameter, "facets"),
        ({"cursor": "!!"}, InvalidCursor, "cursor"),
        ({"cursor": encode_cursor(["not a day", "c_a1"])}, InvalidCursor, "cursor"),
        ({"cursor": encode_cursor(["2025-01-10"])}, InvalidCursor, "cursor"),
        ({"sort": "position", "cursor": encode_cursor(["src_a", "0", "c_a1"])}, InvalidCursor, "cursor"),
        ({"q": "china", "cursor": encode_cursor([2, 1])}, InvalidCursor, "cursor"),
        ({"q": "china", "cursor": encode_cursor([True, 1])}, InvalidCursor, "cursor"),
    ],
)
def test_unusable_values_are_refused_naming_the_parameter(
    db: Db, params: dict[str, Any], error: type[KBError], parameter: str
) -> None:
    f = ClaimFilter.model_validate(params)
    with pytest.raises(error) as raised:
        list_claims(db, f)
        claim_facets(db, f)
    assert raised.value.parameter == parameter


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[str(p) for p, _ in CASES])
def test_count_is_the_number_of_matching_claims(db: Db, params: dict[str, Any], expected: list[str]) -> None:
    assert claim_count(db, ClaimFilter.model_validate({**params, "count": True})) == (len(expected), False)


def test_count_stops_at_its_bound_and_says_so(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.queries.claims.COUNT_LIMIT", 2)
    assert claim_count(db, ClaimFilter(kind=["statistic", "quote"])) == (2, True)  # 3, counted one by one
    assert claim_count(db, ClaimFilter(kind=["statistic"])) == (2, False)
    assert claim_count(db, ClaimFilter(topic=["chips"])) == (4, False)  # kept counts: exact at any size


def test_limit_zero_gives_facets_and_count_without_items(db: Db) -> None:
    found = claim_page(db, ClaimFilter(limit=0, topic=["chips"], facets="kind", count=True))
    assert found.docs == [] and found.next_cursor is None
    assert found.count == (4, False)
    assert sum(f["count"] for f in found.facets["kind"]) == 4


def test_a_page_resolves_the_names_its_filter_gives(db: Db) -> None:
    by_id = claim_page(db, ClaimFilter(entity=["nvidia"], speaker="jensen-huang"))
    by_name = claim_page(db, ClaimFilter(entity=["NVIDIA Corporation"], speaker="Jensen Huang"))
    assert ids(by_name.docs) == ids(by_id.docs) == ["c_a2"]
    with pytest.raises(InvalidParameter) as raised:
        claim_page(db, ClaimFilter(entity=["nvidai"]))
    assert raised.value.parameter == "entity" and "did you mean 'nvidia'" in raised.value.detail
