"""GET /claims: every filter, sort, facet and paging path, through HTTP on each backend."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import every_item

Claim = dict[str, Any]


def every(client: TestClient, **params: Any) -> list[Claim]:
    items: list[Claim] = []
    params = {"limit": 7, **params}
    while True:
        response = client.get("/claims", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if not body["next_cursor"]:
            assert "link" not in response.headers
            return items
        assert response.headers["link"].endswith('rel="next"')
        params["cursor"] = body["next_cursor"]


def entity_ids(claim: Claim) -> set[str]:
    return {e["id"] for e in claim["entities"]}


CASES: list[tuple[dict[str, Any], Callable[[Claim], bool]]] = [
    ({"topic": "chips"}, lambda c: "chips" in c["topics"]),
    ({"topic": ["chips", "policy"]}, lambda c: {"chips", "policy"} <= set(c["topics"])),
    ({"entity": "china"}, lambda c: "china" in entity_ids(c)),
    ({"entity": ["china", "united-states"]}, lambda c: {"china", "united-states"} <= entity_ids(c)),
    ({"entity_type": "chip"}, lambda c: any(e["type"] == "chip" for e in c["entities"])),
    ({"speaker": "jensen-huang"}, lambda c: (c["speaker"] or {}).get("id") == "jensen-huang"),
    ({"kind": "statistic"}, lambda c: c["kind"] == "statistic"),
    ({"kind": ["quote", "forecast"]}, lambda c: c["kind"] in ("quote", "forecast")),
    ({"has_quantity": "true"}, lambda c: bool(c["quantities"])),
    ({"has_quantity": "false"}, lambda c: not c["quantities"]),
    ({"unit": "USD"}, lambda c: any(q["unit"] == "USD" for q in c["quantities"])),
    (
        {"unit": "USD", "value_min": 1e10},
        lambda c: any(q["unit"] == "USD" and q["value"] >= 1e10 for q in c["quantities"]),
    ),
    ({"value_min": 10, "value_max": 20}, lambda c: any(10 <= q["value"] <= 20 for q in c["quantities"])),
    (
        {"published_from": "2025-11-01"},
        lambda c: c["published"] is not None and c["published"] >= "2025-11-01",
    ),
    ({"published_to": "2025-10-31"}, lambda c: c["published"] is not None and c["published"] <= "2025-10-31"),
    (
        {"q": "export controls"},
        lambda c: re.search(r"export", c["text"], re.I) and re.search(r"control", c["text"], re.I),
    ),
    (
        {"topic": "chips", "entity": "huawei", "has_quantity": "false"},
        lambda c: "chips" in c["topics"] and "huawei" in entity_ids(c) and not c["quantities"],
    ),
]


@pytest.mark.parametrize(("params", "holds"), CASES, ids=[str(p) for p, _ in CASES])
def test_filter_returns_only_and_not_all(
    api: TestClient, params: dict[str, Any], holds: Callable[[Claim], bool]
) -> None:
    everything = every(api)
    matched = every(api, **params)
    assert matched, "a filter test needs data that matches it"
    assert all(holds(c) for c in matched)
    assert len(matched) < len(everything)
    assert {c["id"] for c in matched} == {c["id"] for c in everything if holds(c)} or "q" in params


def test_source_and_publisher_filters(api: TestClient) -> None:
    sources = api.get("/sources", params={"limit": 200}).json()["items"]
    one = next(s for s in sources if s["publisher"] == "OfficeChai")
    by_source = every(api, source=one["id"])
    assert by_source and all(c["source"] == one["id"] for c in by_source)
    starts = [c["span"]["start"] for c in by_source]
    assert starts == sorted(starts)  # reading order is the default within a source
    wire = {s["id"] for s in sources if s["publisher"] == "Example Wire"}
    by_publisher = every(api, publisher="Example Wire")
    assert by_publisher and {c["source"] for c in by_publisher} == wire


@pytest.mark.parametrize("sort", ["-published", "published", "position"])
def test_paging_returns_each_claim_once_in_order(api: TestClient, sort: str) -> None:
    everything = every(api, sort=sort, limit=200)
    paged = every(api, sort=sort, limit=5)
    assert [c["id"] for c in paged] == [c["id"] for c in everything]
    assert len({c["id"] for c in paged}) == len(paged)
    days = [c["published"] or "0001-01-01" for c in paged]
    if sort == "-published":
        assert days == sorted(days, reverse=True)
    elif sort == "published":
        assert days == sorted(days)


def test_relevance_ranks_the_best_match_first(api: TestClient) -> None:
    ranked = every(api, q="export restrictions", limit=3)
    assert ranked and ranked == every(api, q="export restrictions", sort="relevance", limit=50)


def test_select_keeps_only_the_chosen_fields(api: TestClient) -> None:
    items = api.get("/claims", params={"select": "text,topics", "limit": 3}).json()["items"]
    assert items and all(set(item) == {"id", "text", "topics"} for item in items)


def test_facets_count_the_whole_filtered_set(api: TestClient) -> None:
    body = api.get("/claims", params={"entity": "china", "facets": "topic,kind,speaker", "limit": 1}).json()
    matched = every(api, entity="china")
    topics = Counter(t for c in matched for t in c["topics"])
    assert {f["value"]: f["count"] for f in body["facets"]["topic"]} == dict(topics)
    kinds = Counter(c["kind"] for c in matched)
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == dict(kinds)
    assert all("name" in f for f in body["facets"]["speaker"])


def true_facets(claims: list[Claim]) -> dict[str, Counter[str]]:
    return {
        "topic": Counter(t for c in claims for t in c["topics"]),
        "entity": Counter(e["id"] for c in claims for e in c["entities"]),
        "kind": Counter(c["kind"] for c in claims),
        "source": Counter(c["source"] for c in claims),
        "speaker": Counter(c["speaker"]["id"] for c in claims if c["speaker"]),
    }


@pytest.mark.parametrize(
    "params",
    [
        {},  # counts kept at ingest for every claim
        {"topic": "chips"},  # kept per topic
        {"entity": "china"},  # kept per entity (entity and source facets counted live)
        {"topic": "chips", "kind": ["event", "statistic"]},  # counted live
        {"q": "chips"},  # counted live over full-text hits
    ],
)
def test_every_facet_equals_a_count_of_the_matching_claims(api: TestClient, params: dict[str, Any]) -> None:
    body = api.get("/claims", params={**params, "facets": "topic,entity,kind,source,speaker", "limit": 1})
    assert body.status_code == 200, body.text
    facets = body.json()["facets"]
    truth = true_facets(every(api, **params, limit=50))
    for name, counted in truth.items():
        served = facets[name]
        assert [f["count"] for f in served] == sorted((f["count"] for f in served), reverse=True)
        assert all(counted[f["value"]] == f["count"] for f in served)
        assert len(served) == min(len(counted), 50)
        floor = served[-1]["count"] if served else 0  # the top 50: ties at the cut may go either way
        assert {v for v, n in counted.items() if n > floor} <= {f["value"] for f in served}
    for name in ("entity", "speaker"):
        assert all(f.get("name") and f.get("type") for f in facets[name])


def test_claim_detail_has_source_and_context(api: TestClient) -> None:
    claim = every(api, speaker="colette-kress")[0]
    detail = api.get(f"/claims/{claim['id']}").json()
    assert {k: v for k, v in detail.items() if k in claim} == claim  # the list's item, as it is
    assert detail["source_info"]["publisher"] == "TodayHeadline" and "title" in detail["source_info"]
    assert detail["source_info"]["id"] == detail["source"] == claim["source"]
    text = api.get(f"/sources/{detail['source']}").json()["text"]
    before, after = detail["context"]["before"], detail["context"]["after"]
    assert before and before in text[: claim["span"]["start"]]
    assert after and after in text[claim["span"]["end"] :]
    assert api.get("/claims/c_missing").status_code == 404


@pytest.mark.parametrize(
    ("params", "status", "parameter", "detail"),
    [
        ({"value_min": 5, "value_max": 1}, 422, "value_max", "value_min is greater than value_max"),
        ({"sort": "relevance"}, 422, "sort", "sort=relevance needs q"),
        ({"published_from": "2025-13-01"}, 422, "published_from", ""),
        ({"published_from": "2025-12-01", "published_to": "2025-01-01"}, 422, "published_to", "after"),
        ({"topic": "chip"}, 422, "topic", "did you mean 'chips'"),
        ({"kind": "quotes"}, 422, "kind", "did you mean 'quote'"),
        ({"select": "txt"}, 422, "select", "did you mean 'text'"),
        ({"facets": "topics"}, 422, "facets", "did you mean 'topic'"),
        ({"cursor": "WyIyMDI1Il0"}, 400, "cursor", "cursor"),
        ({"cursor": "WyJub3QtYS1kYXRlIiwiYyJd"}, 400, "cursor", "cursor"),
        ({"limit": 100000}, 422, "limit", ""),
        ({"has_quantity": "maybe"}, 422, "has_quantity", ""),
        ({"q": '"*( --'}, 422, "q", "no words"),
        ({"entity": "nvidai"}, 422, "entity", "did you mean 'nvidia'"),
        ({"speaker": "nobody-at-all"}, 422, "speaker", "no entity"),
        ({"source": "src_nothing"}, 422, "source", "no source"),
        ({"publisher": "mit tech"}, 422, "publisher", "did you mean 'MIT Technology Review'"),
        ({"unit": "dollar"}, 422, "unit", "is not a unit"),
        ({"limit": -1}, 422, "limit", ""),
        ({"colour": "red"}, 422, "colour", "unknown parameter"),
    ],
)
def test_bad_input_is_a_4xx_problem(
    api: TestClient, params: dict[str, Any], status: int, parameter: str | None, detail: str
) -> None:
    response = api.get("/claims", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.get("parameter") == parameter and detail in body["detail"]


@pytest.mark.parametrize("q", ["' OR 1=1 --", 'chips"', "NEAR(chips", "chips*", "a -- b", "中国 芯片", "😀"])
def test_search_text_is_never_interpreted(api: TestClient, q: str) -> None:
    response = api.get("/claims", params={"q": q})
    assert response.status_code in (200, 422), response.text


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ({"entity": "Nvidia"}, {"entity": "nvidia"}),  # a name, any case
        ({"entity": "nvidia-corporation"}, {"entity": "nvidia"}),  # the alias /entities/… redirects
        ({"entity": ["China", "united states"]}, {"entity": ["china", "united-states"]}),
        ({"speaker": "Jensen Huang"}, {"speaker": "jensen-huang"}),
        ({"unit": "usd"}, {"unit": "USD"}),
        ({"publisher": "officechai"}, {"publisher": "OfficeChai"}),
    ],
)
def test_names_and_units_resolve_as_entities_do(
    api: TestClient, given: dict[str, Any], canonical: dict[str, Any]
) -> None:
    expected = every(api, **canonical)
    assert expected, "the canonical form must match claims"
    assert [c["id"] for c in every(api, **given)] == [c["id"] for c in expected]


def test_a_source_is_named_by_its_id_or_its_url(api: TestClient) -> None:
    source = next(s for s in every_item(api, "/sources") if s["url"])
    by_url = every(api, source=source["url"])
    assert by_url and [c["id"] for c in by_url] == [c["id"] for c in every(api, source=source["id"])]


@pytest.mark.parametrize(
    "params",
    [{}, {"topic": "chips"}, {"entity": "china"}, {"topic": "chips", "kind": "statistic"}, {"q": "chips"}],
)
def test_limit_zero_answers_the_facets_and_the_count_alone(api: TestClient, params: dict[str, Any]) -> None:
    body = api.get("/claims", params={**params, "limit": 0, "facets": "kind", "count": "true"}).json()
    matched = every(api, **params)
    assert body["items"] == [] and body["next_cursor"] is None
    assert (body["count"], body["count_truncated"]) == (len(matched), False)
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == dict(
        Counter(c["kind"] for c in matched)
    )
    assert "count" not in api.get("/claims", params={**params, "limit": 1}).json()  # opt-in


def test_published_says_which_date_of_the_source_it_is(api: TestClient) -> None:
    sources = {s["id"]: s for s in every_item(api, "/sources")}
    bases = set()
    for claim in every(api, limit=200):
        source = sources[claim["source"]]
        expected = source["published"] or source["published_not_before"]
        basis = claim["published_basis"]
        bases.add(basis)
        assert claim["published"] == expected
        assert source[basis] == expected if basis else expected is None
    assert {"published", "published_not_before"} <= bases  # the seeds hold both kinds of source
