"""The read endpoints over HTTP: shapes, spans, paging, filters and problem bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from tests.api.conftest import every_item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture
def loaded(engine: Engine, pipeline: Pipeline, client: TestClient) -> TestClient:
    summary = load_folder(FIXTURES, engine=engine, pipeline=pipeline)
    assert summary.failed == []
    return client


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_sources_page_through_each_once(loaded: TestClient) -> None:
    first = loaded.get("/sources", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    ids = [s["id"] for s in every_item(loaded, "/sources")]
    assert len(ids) == len(set(ids)) == 3
    assert "text" not in first["items"][0]


def test_source_detail_has_exact_text_and_mentioned_entities(loaded: TestClient) -> None:
    source = next(
        s for s in every_item(loaded, "/sources") if s["url"] == "https://example.test/chips-export"
    )
    detail = loaded.get(f"/sources/{source['id']}").json()
    assert detail["text"] == (FIXTURES / "chips_export.txt").read_text(encoding="utf-8")
    names = {e["id"] for e in detail["entities"]}
    assert {"nvidia", "huawei", "jensen-huang"} <= names
    assert all(
        e["type"] in {"company", "model", "chip", "policy", "person", "organization", "country"}
        for e in detail["entities"]
    )


def test_claim_spans_round_trip_to_source_text(loaded: TestClient) -> None:
    for source in every_item(loaded, "/sources"):
        text = loaded.get(f"/sources/{source['id']}").json()["text"]
        claims = every_item(loaded, "/claims", source=source["id"])
        assert claims, source["url"]
        starts = [c["span"]["start"] for c in claims]
        assert starts == sorted(starts)
        for claim in claims:
            assert text[claim["span"]["start"] : claim["span"]["end"]] == claim["text"]
            for quantity in claim["quantities"]:
                assert text[quantity["span"]["start"] : quantity["span"]["end"]] == quantity["text"]


def test_claims_filter_by_topic_and_entity_combine(loaded: TestClient) -> None:
    chips = every_item(loaded, "/claims", topic="chips")
    assert chips and all("chips" in c["topics"] for c in chips)
    both = every_item(loaded, "/claims", topic="chips", entity="huawei")
    assert both and all("chips" in c["topics"] and "huawei" in {e["id"] for e in c["entities"]} for c in both)
    assert len(both) < len(every_item(loaded, "/claims"))


def test_entities_filter_by_type_and_prefix(loaded: TestClient) -> None:
    people = every_item(loaded, "/entities", type="person", limit=200)
    assert people and all(e["type"] == "person" for e in people)
    found = loaded.get("/entities", params={"q": "nvid"}).json()["items"]
    assert "nvidia" in {e["id"] for e in found}


def test_relations_carry_provenance(loaded: TestClient) -> None:
    stated = [r for r in every_item(loaded, "/relations", limit=200) if r["origin"] == "article"]
    assert stated
    texts = {
        s["id"]: loaded.get(f"/sources/{s['id']}").json()["text"] for s in every_item(loaded, "/sources")
    }
    for relation in stated:
        start, end = relation["span"]["start"], relation["span"]["end"]
        # the evidence is the wording that states the relation, exactly as the article has it
        assert relation["evidence"] == texts[relation["source"]][start:end]
        assert 0 < relation["confidence"] <= 1
        if relation["claim"]:
            claim = loaded.get(f"/claims/{relation['claim']}").json()
            assert claim["span"]["start"] <= start and end <= claim["span"]["end"]
    catalog = loaded.get("/relations", params={"subject": "nvidia", "predicate": "makes"}).json()["items"]
    assert any(r["origin"] == "catalog" and r["evidence"] and r["confidence"] == 1.0 for r in catalog)


def test_relations_filtered_by_confidence(loaded: TestClient) -> None:
    stated = [r for r in every_item(loaded, "/relations", limit=200) if r["origin"] == "article"]
    threshold = min(r["confidence"] for r in stated) + 0.001  # leaves out the least confident
    kept = every_item(loaded, "/relations", limit=200, min_confidence=threshold)
    assert kept and all(r["confidence"] >= threshold for r in kept)
    assert {r["id"] for r in stated if r["confidence"] >= threshold} == {
        r["id"] for r in kept if r["origin"] == "article"
    }
    assert len([r for r in kept if r["origin"] == "article"]) < len(stated)


def test_leads_reads_from_the_person(loaded: TestClient) -> None:
    led = loaded.get("/relations", params={"subject": "jensen-huang", "predicate": "leads"}).json()["items"]
    assert {r["object"]["id"] for r in led} == {"nvidia"}
    assert {r["origin"] for r in led} == {"catalog", "article"}


@pytest.mark.parametrize(
    ("path", "params", "status", "parameter"),
    [
        ("/claims", {"cursor": "not-a-cursor"}, 400, "cursor"),
        ("/claims", {"limit": 100000}, 422, "limit"),
        ("/claims", {"topic": "chip"}, 422, "topic"),
        ("/claims", {"colour": "red"}, 422, "colour"),
        ("/entities", {"type": "planet"}, 422, "type"),
        ("/sources/does-not-exist", {}, 404, None),
    ],
)
def test_bad_input_gets_a_problem_body(
    client: TestClient, path: str, params: dict[str, Any], status: int, parameter: str | None
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body.get("parameter") == parameter


def test_openapi_documents_every_route_with_examples_for_the_main_shapes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    routes = {
        "/claims",
        "/claims/{claim_id}",
        "/sources",
        "/sources/{source_id}",
        "/sources/{source_id}/claims",
        "/entities",
        "/entities/{entity_id}",
        "/entities/{entity_id}/claims",
        "/entities/{entity_id}/relations",
        "/relations",
        "/topics",
        "/search",
        "/stats",
        "/health",
    }
    assert routes <= set(document["paths"])
    schemas = document["components"]["schemas"]
    for shape in ("ClaimPublic", "SourcePublic", "EntityPublic", "RelationPublic"):
        assert schemas[shape]["examples"]


def _has_example(schema: Any, schemas: dict[str, Any], depth: int = 0) -> bool:
    if depth > 6 or not isinstance(schema, dict):
        return False
    if "example" in schema or "examples" in schema:
        return True
    if "$ref" in schema:
        return _has_example(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, depth + 1)
    nested = [schema.get("items"), *schema.get("properties", {}).values()]
    nested += [*schema.get("anyOf", []), *schema.get("allOf", [])]
    return any(_has_example(s, schemas, depth + 1) for s in nested if s)


def test_openapi_documents_every_read_with_its_shape_and_an_example(api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    missing = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get is None or path in ("/health", "/ready", "/metrics"):
            continue
        content = get["responses"]["200"]["content"]["application/json"]
        schema = content.get("schema", {})
        if schema.get("type") == "string" or not _has_example(schema, schemas):
            missing.append(path)
    assert missing == []
    claims = {p["name"] for p in document["paths"]["/claims"]["get"]["parameters"]}
    assert {"topic", "entity", "q", "facets", "cursor", "value_min", "sort", "select"} <= claims


def test_stats_count_catalog_discovered_and_named_entities_apart(api: TestClient) -> None:
    sizes = api.get("/stats").json()
    assert (
        sum(sizes["entities_by_origin"].values())
        == sizes["entities"]
        == sum(sizes["entities_by_type"].values())
    )
    discovered = every_item(api, "/entities", limit=200)
    for origin, n in sizes["entities_by_origin"].items():
        assert n == sum(e["origin"] == origin for e in discovered)
    named = {e["id"] for c in every_item(api, "/claims", limit=200) for e in c["entities"]}
    assert sizes["entities_with_claims"] == len(named) == sum(e["claim_count"] > 0 for e in discovered)
    assert sizes["entities_with_claims"] < sizes["entities_by_origin"]["catalog"]


@pytest.mark.parametrize("origin", ["article", "catalog"])
def test_relations_filter_by_origin(api: TestClient, origin: str) -> None:
    everything = every_item(api, "/relations", limit=200)
    kept = every_item(api, "/relations", origin=origin, limit=200)
    assert kept and [r["id"] for r in kept] == [r["id"] for r in everything if r["origin"] == origin]


@pytest.mark.parametrize("q", ["hua", "nv", "deep", "al", "chin"])
def test_search_ranks_entities_by_match_then_claims(api: TestClient, q: str) -> None:
    found = api.get("/search", params={"q": q}).json()["entities"]
    assert found

    def rank(entity: dict[str, Any]) -> tuple[int, int]:
        names = [entity["name"].lower()]
        aliases = [a.lower() for a in entity["aliases"]]
        tier = 0 if q in names + aliases else 1 if names[0].startswith(q) else 2
        return tier, -entity["claim_count"]

    assert [rank(e) for e in found] == sorted(rank(e) for e in found)
    if q == "hua":
        assert found[0]["id"] == "huawei"


def test_health_and_ready_answer_their_documented_shapes(api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path, shape in (("/health", "Health"), ("/ready", "Ready")):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert content["schema"] == {"$ref": f"#/components/schemas/{shape}"}
        body = api.get(path).json()
        assert set(body) == set(schemas[shape]["properties"]) == set(schemas[shape]["required"])


def _undescribed(schema: dict[str, Any]) -> list[str]:
    return [name for name, prop in schema.get("properties", {}).items() if not prop.get("description")]


def test_openapi_describes_every_field_and_parameter(api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    missing = [
        f"{name}.{field}"
        for name, schema in document["components"]["schemas"].items()
        for field in _undescribed(schema)
    ]
    missing += [
        f"{method.upper()} {path} ?{parameter['name']}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not (parameter.get("description") or parameter.get("schema", {}).get("description"))
    ]
    assert missing == []
    unit = document["components"]["schemas"]["QuantityPublic"]["properties"]["unit"]
    assert "USD" in unit["enum"] and "%" in unit["description"]
