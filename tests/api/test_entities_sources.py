"""Entity, source, topic, search and stats endpoints through HTTP, on each backend."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from tests.api.conftest import every_item


def test_topics_list_all_eleven_with_counts(api: TestClient) -> None:
    topics = api.get("/topics").json()
    assert len(topics) == 11 and all(t["label"] and t["definition"] for t in topics)
    chips = next(t for t in topics if t["id"] == "chips")
    assert chips["claim_count"] == len(every_item(api, "/claims", topic="chips"))


def test_stats_count_what_the_lists_hold(api: TestClient) -> None:
    stats = api.get("/stats").json()
    assert stats["sources"] == len(every_item(api, "/sources"))
    assert (
        stats["claims"] == len(every_item(api, "/claims", limit=200)) == sum(stats["claims_by_kind"].values())
    )
    assert stats["entities"] == sum(stats["entities_by_type"].values()) > 1000
    assert set(stats["relations_by_origin"]) == {"catalog", "article"}


def test_entity_detail(api: TestClient) -> None:
    huawei = api.get("/entities/huawei").json()
    assert huawei["type"] == "company" and "Huawei" in huawei["aliases"]
    assert any(r["predicate"] == "makes" for r in huawei["relations_out"])
    assert huawei["claim_count"] == len(every_item(api, "/entities/huawei/claims"))
    assert huawei["claims_by_topic"]["chips"] == len(
        every_item(api, "/claims", entity="huawei", topic="chips")
    )
    assert huawei["sources"] and all(s["mentions"] >= 1 for s in huawei["sources"])
    assert api.get("/entities/no-such-thing").status_code == 404


def test_alias_redirects_to_the_canonical_entity(api: TestClient) -> None:
    response = api.get("/entities/nvidia-corporation", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"].endswith("/entities/nvidia")
    claims = api.get("/entities/nvidia-corporation/claims", params={"topic": "chips"}, follow_redirects=False)
    assert claims.status_code == 301 and claims.headers["location"].endswith(
        "/entities/nvidia/claims?topic=chips"
    )


def test_entity_claims_take_every_claim_filter(api: TestClient) -> None:
    claims = every_item(api, "/entities/china/claims", topic="talent", has_quantity="true")
    assert claims
    for claim in claims:
        assert "china" in {e["id"] for e in claim["entities"]}
        assert "talent" in claim["topics"] and claim["quantities"]


def test_entity_relations_are_those_it_takes_part_in(api: TestClient) -> None:
    relations = every_item(api, "/entities/alibaba/relations")
    assert relations and all("alibaba" in (r["subject"]["id"], r["object"]["id"]) for r in relations)
    assert {r["origin"] for r in relations} == {"catalog", "article"}


def test_source_claims_and_date_range(api: TestClient) -> None:
    sources = every_item(api, "/sources")
    dated = [s for s in sources if (s["published"] or s["published_not_before"])]
    recent = every_item(api, "/sources", published_from="2025-11-01")
    assert recent and all((s["published"] or s["published_not_before"]) >= "2025-11-01" for s in recent)
    assert len(recent) < len(dated)
    one = sources[0]
    claims = every_item(api, f"/sources/{one['id']}/claims", kind="statistic")
    assert all(c["source"] == one["id"] and c["kind"] == "statistic" for c in claims)
    assert api.get("/sources/src_missing/claims").status_code == 404


def test_search_finds_entities_by_prefix_and_claims_by_words(api: TestClient) -> None:
    found = api.get("/search", params={"q": "huawei"}).json()
    assert "huawei" in {e["id"] for e in found["entities"]}
    assert found["claims"] and all("huawei" in c["text"].lower() for c in found["claims"])
    assert api.get("/search").status_code == 422


def test_reads_carry_an_etag_and_answer_304_when_unchanged(api: TestClient) -> None:
    first = api.get("/claims", params={"topic": "chips", "limit": 5})
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = api.get("/claims", params={"topic": "chips", "limit": 5}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = api.get("/claims", params={"topic": "models", "limit": 5}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    missing = api.get("/entities/no-such-thing", headers={"If-None-Match": etag})
    assert missing.status_code == 404 and "etag" not in missing.headers


def test_entities_by_topic_and_claim_count(api: TestClient) -> None:
    ranked = every_item(api, "/entities", topic="chips", sort="-claims")
    assert ranked and all(e["claim_count"] > 0 for e in ranked)
    counts = [e["claim_count"] for e in ranked]
    assert counts == sorted(counts, reverse=True)
    top = ranked[0]
    assert top["claim_count"] == len(every_item(api, "/claims", topic="chips", entity=top["id"]))
    by_name = every_item(api, "/entities", type="country", sort="name", limit=7)
    assert [e["name"] for e in by_name] == sorted(e["name"] for e in by_name)


def test_every_entity_claim_count_equals_its_claims(api: TestClient) -> None:
    """The counts kept at ingest, as /entities serves them (every entity, overall and within a topic), agree
    with counting the claims themselves; entities without claims list 0 and sort after the rest."""
    claims = every_item(api, "/claims", limit=200)
    overall: Counter[str] = Counter(e["id"] for c in claims for e in c["entities"])
    chips: Counter[str] = Counter(e["id"] for c in claims if "chips" in c["topics"] for e in c["entities"])
    listed = every_item(api, "/entities", sort="-claims", limit=200)
    assert {e["id"]: e["claim_count"] for e in listed if e["claim_count"]} == dict(overall)
    assert len(listed) == api.get("/stats").json()["entities"]
    assert [e["claim_count"] for e in listed] == sorted((e["claim_count"] for e in listed), reverse=True)
    in_chips = every_item(api, "/entities", topic="chips", limit=200)
    assert {e["id"]: e["claim_count"] for e in in_chips} == dict(chips)


def test_topic_and_entity_filters_agree_whichever_is_rarer(api: TestClient) -> None:
    """A page is read from the rarer of a topic and an entity; either way the claims are exactly those
    carrying both, newest first."""
    claims = every_item(api, "/claims", limit=200)
    common = Counter(e["id"] for c in claims for e in c["entities"]).most_common()
    pairs = [("chips", common[0][0]), ("chips", common[-1][0]), ("policy", common[len(common) // 2][0])]
    for topic, entity in pairs:
        expected = [
            c["id"] for c in claims if topic in c["topics"] and entity in {e["id"] for e in c["entities"]}
        ]
        got = [c["id"] for c in every_item(api, "/claims", topic=topic, entity=entity, limit=3)]
        assert got == expected, (topic, entity)
