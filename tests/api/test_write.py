"""The write API through HTTP: keys and scopes, body limits, every bad body, and what each write leaves
visible in /sources, /claims, /entities and /changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

import app.ingest as ingest
from app import keys
from app.config import Settings
from app.ingest import ArticleIn, ArticleMetadata

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
KIMI = (ARTICLES / "kimi_release.txt").read_text(encoding="utf-8")
CHIPS = (ARTICLES / "chips_export.txt").read_text(encoding="utf-8")
GULF = (ARTICLES / "gulf_investment.txt").read_text(encoding="utf-8")


@pytest.fixture
def secrets(engine: Engine) -> dict[str, str]:
    """A write key, a read key and a revoked write key."""
    with Session(engine) as session, session.begin():
        _, write = keys.create_key(session, name="writer", scope="write")
        _, read = keys.create_key(session, name="reader", scope="read")
        revoked_key, revoked = keys.create_key(session, name="gone", scope="write")
        assert revoked_key.id is not None
        keys.revoke_key(session, revoked_key.id)
    return {"write": write, "read": read, "revoked": revoked}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def writer(client: TestClient, secrets: dict[str, str]) -> TestClient:
    """The client, sending the write key on every request."""
    client.headers.update(bearer(secrets["write"]))
    return client


def post(client: TestClient, text_: str, **metadata: Any) -> dict[str, Any]:
    response = client.post("/sources", json={"text": text_, **metadata})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def changes(client: TestClient) -> list[tuple[str, str]]:
    return [(c["source"], c["op"]) for c in client.get("/changes", params={"limit": 1000}).json()["items"]]


def claim_ids(client: TestClient, **params: Any) -> set[str]:
    response = client.get("/claims", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


def assert_problem(response: Any, status: int, parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    if parameter is not None:
        assert body.get("parameter") == parameter, body
    return body


def assert_nothing_written(client: TestClient) -> None:
    assert client.get("/sources").json()["items"] == []
    assert changes(client) == []
    assert client.get("/stats").json()["claims"] == 0


# --- keys -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("none", 401), ("unknown", 401), ("revoked", 401), ("not-bearer", 401), ("read", 403)],
)
def test_a_write_without_a_write_key_is_refused(
    client: TestClient, secrets: dict[str, str], who: str, status: int
) -> None:
    headers = {
        "none": {},
        "unknown": bearer("aikb_not-a-key-anyone-was-given"),
        "revoked": bearer(secrets["revoked"]),
        "not-bearer": {"Authorization": f"Basic {secrets['write']}"},
        "read": bearer(secrets["read"]),
    }[who]
    response = client.post("/sources", json={"text": KIMI}, headers=headers)
    assert_problem(response, status)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    for attempt in (
        client.delete("/sources/src_whatever", headers=headers),
        client.post("/admin/reextract", headers=headers),
    ):
        assert_problem(attempt, status)
    assert_nothing_written(client)


def test_reads_are_public_by_default_but_a_bad_key_is_still_401(
    client: TestClient, secrets: dict[str, str]
) -> None:
    assert client.get("/claims").status_code == 200
    assert client.get("/claims", headers=bearer(secrets["read"])).status_code == 200
    assert_problem(client.get("/claims", headers=bearer(secrets["revoked"])), 401)


def test_reads_need_a_key_when_the_setting_says_so(client: TestClient, secrets: dict[str, str]) -> None:
    client.app.state.settings = Settings(aikb_read_requires_key=True)  # type: ignore[attr-defined]
    for path in ("/claims", "/sources", "/entities", "/topics", "/changes", "/stats"):
        response = client.get(path)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert client.get(path, headers=bearer(secrets["read"])).status_code == 200
        assert client.get(path, headers=bearer(secrets["write"])).status_code == 200
    assert client.get("/health").status_code == 200


def test_key_use_is_recorded_and_the_secret_is_not_stored(engine: Engine, secrets: dict[str, str]) -> None:
    with Session(engine) as session:
        stored = {k.name: k for k in keys.list_keys(session)}
        assert all(k.secret_hash != secrets["write"] and len(k.secret_hash) == 64 for k in stored.values())
        assert stored["writer"].last_used_at is None
        keys.authenticate(session, secrets["write"])
        session.commit()
        assert keys.list_keys(session)[0].last_used_at is not None
    assert all(s.startswith("aikb_") for s in secrets.values())


# --- bodies ---------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_before_it_is_read(writer: TestClient) -> None:
    limit = Settings().aikb_max_body_bytes
    big = b'{"text": "' + b"a" * limit + b'"}'
    assert_problem(writer.post("/sources", content=big, headers={"content-type": "application/json"}), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(limit // 65536 + 2):
            yield b"Nvidia " * 9362

    response = writer.post("/sources", content=chunks(), headers={"content-type": "text/markdown"})
    assert_problem(response, 413)
    assert_nothing_written(writer)


@pytest.mark.parametrize(
    ("content_type", "body", "status", "parameter"),
    [
        ("application/json", b'{"text": "Nvidia said', 400, None),
        ("application/json", b'{"text": "caf\xe9 \xff"}', 400, None),
        ("text/markdown", b"caf\xe9 \xff AI", 400, "text"),
        ("application/json", b'{"text": ""}', 422, "text"),
        ("application/json", b'{"text": "  \\n "}', 422, "text"),
        ("application/json", b'{"title": "No text"}', 422, "text"),
        ("application/json", b'{"text": 42}', 422, "text"),
        ("application/json", b'["Nvidia said so."]', 422, None),
        ("application/json", b'{"text": "Nvidia said so.", "headline": "x"}', 422, "headline"),
        ("application/json", b'{"text": "Nvidia said so.", "authors": "A. Writer"}', 422, "authors"),
        ("application/json", b'{"text": "Nvidia said so.", "published": "14 May 2026"}', 422, "published"),
        ("application/json", b'{"text": "Nvidia said so.", "title": 7}', 422, "title"),
        ("text/markdown", b"", 422, "text"),
        ("text/markdown", b"---\ntitle: T\n---\n\n", 422, "text"),
        ("text/markdown", b"---\ntitle: [unclosed\n---\nNvidia said so.", 422, None),
        ("text/markdown", b"---\n- a list\n---\nNvidia said so.", 422, None),
        ("text/markdown", b"---\nheadline: x\n---\nNvidia said so.", 422, "headline"),
        ("text/markdown", b"---\ntext: inside\n---\nNvidia said so.", 422, "text"),
        ("text/plain", b"Nvidia said so.", 415, None),
        ("application/x-www-form-urlencoded", b"text=Nvidia", 415, None),
        ("", b"Nvidia said so.", 415, None),
        ("text/markdown; charset=latin-1", b"Nvidia said so.", 415, None),
    ],
    ids=[
        "invalid-json",
        "json-not-utf8",
        "markdown-not-utf8",
        "empty-text",
        "blank-text",
        "missing-text",
        "text-not-string",
        "not-an-object",
        "unknown-field",
        "authors-not-list",
        "bad-date",
        "title-not-string",
        "empty-markdown",
        "front-matter-only",
        "bad-yaml",
        "front-matter-not-mapping",
        "unknown-front-matter-field",
        "text-in-front-matter",
        "plain-text",
        "form",
        "no-content-type",
        "latin-1",
    ],
)
def test_a_bad_post_gets_a_specific_problem_and_writes_nothing(
    writer: TestClient, content_type: str, body: bytes, status: int, parameter: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    if not content_type:
        writer.headers.pop("content-type", None)
    response = writer.post("/sources", content=body, headers=headers)
    assert_problem(response, status, parameter)
    assert_nothing_written(writer)


def test_the_documented_body_is_the_validated_one(client: TestClient) -> None:
    assert set(ArticleIn.model_fields) == {*ArticleMetadata.model_fields, "text"}
    spec = client.get("/openapi.json").json()
    post_doc = spec["paths"]["/sources"]["post"]
    assert set(post_doc["requestBody"]["content"]) == {"application/json", "text/markdown"}
    assert {"201", "200", "401", "403", "413", "415", "422"} <= set(post_doc["responses"])
    assert set(spec["paths"]["/sources/{source_id}/text"]["put"]["requestBody"]["content"]) == {
        "text/plain",
        "text/markdown",
    }


# --- POST -----------------------------------------------------------------------------------------------


def test_posted_article_is_extracted_and_visible_everywhere(writer: TestClient) -> None:
    response = writer.post(
        "/sources",
        json={"text": KIMI, "url": "https://example.test/kimi", "title": "Kimi", "published": "2026-05-14"},
    )
    assert response.status_code == 201, response.text
    source = response.json()
    assert response.headers["location"] == f"/sources/{source['id']}"
    assert source["id"] == ingest.source_id_for("https://example.test/kimi")
    assert source["extracted"]["claims"] == source["claim_count"] > 0
    assert source["extracted"]["mentions"] > 0
    assert "text" not in source
    stored = writer.get(response.headers["location"]).json()
    assert stored["text"] == KIMI and stored["title"] == "Kimi"
    claims = writer.get("/claims", params={"source": source["id"], "limit": 200}).json()["items"]
    assert len(claims) == source["extracted"]["claims"]
    assert all(c["published"] == "2026-05-14" for c in claims)
    entity = next(e["id"] for c in claims for e in c["entities"])
    by_entity = writer.get(f"/entities/{entity}/claims", params={"limit": 200}).json()["items"]
    assert {c["id"] for c in claims if entity in {e["id"] for e in c["entities"]}} <= {
        c["id"] for c in by_entity
    }
    assert writer.get("/entities/kimi-k9-preview").status_code == 200
    assert changes(writer) == [(source["id"], "created")]


def test_the_same_text_again_answers_200_and_writes_nothing(writer: TestClient, engine: Engine) -> None:
    first = post(writer, CHIPS, title="Chips")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM claim")).scalar_one()
    again = writer.post("/sources", json={"text": CHIPS, "title": "Another title"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["id"] and again.json()["title"] == "Chips"
    assert "location" not in again.headers
    as_markdown = writer.post(
        "/sources", content=f"---\nnote: same\n---\n{CHIPS}", headers={"content-type": "text/markdown"}
    )
    assert as_markdown.status_code == 200 and as_markdown.json()["id"] == first["id"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM claim")).scalar_one() == before
    assert len(writer.get("/sources").json()["items"]) == 1
    assert changes(writer) == [(first["id"], "created")]


def test_posted_key_is_the_url_else_the_text_hash(writer: TestClient) -> None:
    plain = post(writer, GULF)
    assert plain["id"] == ingest.source_id_for(f"sha256:{plain['content_hash']}")
    post(writer, CHIPS, url="https://example.test/chips")
    clash = writer.post("/sources", json={"text": KIMI, "url": "https://example.test/chips"})
    assert_problem(clash, 409, "url")
    assert len(writer.get("/sources").json()["items"]) == 2


def test_markdown_front_matter_is_metadata_and_the_rest_is_the_text_exactly(writer: TestClient) -> None:
    body = "\n  " + KIMI + "\n\n"
    document = (
        "---\ntitle: Moonshot releases Kimi K9\npublisher: Example Tech\nauthors: [A. Writer]\n"
        f"published: 2026-05-14\nurl: https://example.test/kimi\n---\n{body}"
    )
    response = writer.post(
        "/sources", content=document.encode(), headers={"content-type": "text/markdown; charset=utf-8"}
    )
    assert response.status_code == 201, response.text
    stored = writer.get(response.headers["location"]).json()
    assert stored["text"] == body
    assert (stored["title"], stored["publisher"], stored["authors"], stored["published"]) == (
        "Moonshot releases Kimi K9",
        "Example Tech",
        ["A. Writer"],
        "2026-05-14",
    )
    no_front_matter = writer.post(
        "/sources", content=CHIPS.encode(), headers={"content-type": "text/markdown"}
    )
    assert no_front_matter.status_code == 201
    assert writer.get(no_front_matter.headers["location"]).json()["text"] == CHIPS


# --- DELETE ---------------------------------------------------------------------------------------------


def test_delete_removes_what_the_source_holds_and_the_feed_says_so(writer: TestClient) -> None:
    kimi = post(writer, KIMI, url="https://example.test/kimi")
    chips = post(writer, CHIPS)
    kimi_claims = claim_ids(writer, source=kimi["id"])
    chips_claims = claim_ids(writer, source=chips["id"])
    entity_claims = claim_ids(writer, entity="moonshot-ai")
    assert kimi_claims & entity_claims
    assert writer.get("/relations", params={"source": kimi["id"]}).json()["items"]

    assert writer.delete(f"/sources/{kimi['id']}").status_code == 204
    assert_problem(writer.get(f"/sources/{kimi['id']}"), 404)
    assert_problem(writer.get("/claims", params={"source": kimi["id"]}), 422)  # a source no more
    assert not claim_ids(writer) & kimi_claims
    assert claim_ids(writer, source=chips["id"]) == chips_claims
    assert_problem(writer.get("/relations", params={"source": kimi["id"]}), 422)
    assert_problem(writer.get("/entities/kimi-k9-preview"), 404)  # discovered, referenced by nothing now
    assert writer.get("/entities/moonshot-ai").status_code == 200  # catalog entities stay
    assert not claim_ids(writer, entity="moonshot-ai") & kimi_claims
    assert changes(writer)[-1] == (kimi["id"], "deleted")
    assert_problem(writer.delete(f"/sources/{kimi['id']}"), 404)


def test_a_discovered_entity_stays_while_another_source_refers_to_it(writer: TestClient) -> None:
    first = post(writer, KIMI, url="https://example.test/kimi")
    second = post(writer, KIMI + "\nMoonshot shipped Kimi K9-Preview to developers first.\n")
    assert writer.delete(f"/sources/{first['id']}").status_code == 204
    assert writer.get("/entities/kimi-k9-preview").status_code == 200
    assert writer.delete(f"/sources/{second['id']}").status_code == 204
    assert_problem(writer.get("/entities/kimi-k9-preview"), 404)


# --- PATCH ----------------------------------------------------------------------------------------------


def test_patch_merges_metadata_and_claims_take_the_new_date(writer: TestClient) -> None:
    source = post(writer, CHIPS, title="Old", publisher="Example Wire", authors=["A"], published="2026-03-02")
    claims_before = claim_ids(writer, source=source["id"])
    response = writer.patch(
        f"/sources/{source['id']}",
        content=b'{"title": null, "authors": ["B", "C"], "published": "2025-12-01"}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["title"], updated["publisher"], updated["authors"], updated["published"]) == (
        None,
        "Example Wire",
        ["B", "C"],
        "2025-12-01",
    )
    claims = writer.get("/claims", params={"source": source["id"], "limit": 200}).json()["items"]
    assert {c["id"] for c in claims} == claims_before
    assert {c["published"] for c in claims} == {"2025-12-01"}
    assert claim_ids(writer, published_to="2025-12-31") == claims_before
    assert changes(writer) == [(source["id"], "created"), (source["id"], "updated")]
    assert writer.patch(f"/sources/{source['id']}", json={"publisher": "Example Wire"}).status_code == 200
    assert len(changes(writer)) == 2  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    ("content_type", "body", "status", "parameter"),
    [
        ("application/json", b'{"headline": "x"}', 422, "headline"),
        ("application/json", b'{"text": "new text"}', 422, "text"),
        ("application/json", b'{"published": "yesterday"}', 422, "published"),
        ("application/json", b'{"authors": [1]}', 422, "authors"),
        ("application/json", b'"title"', 422, None),
        ("application/json", b"{title: x}", 400, None),
        ("text/plain", b'{"title": "x"}', 415, None),
    ],
    ids=["unknown-field", "text", "bad-date", "authors", "not-object", "invalid-json", "plain-text"],
)
def test_a_bad_patch_changes_nothing(
    writer: TestClient, content_type: str, body: bytes, status: int, parameter: str | None
) -> None:
    source = post(writer, CHIPS, title="Title")
    response = writer.patch(f"/sources/{source['id']}", content=body, headers={"content-type": content_type})
    assert_problem(response, status, parameter)
    assert writer.get(f"/sources/{source['id']}").json()["title"] == "Title"
    assert len(changes(writer)) == 1


def test_patch_of_an_unknown_source_is_404(writer: TestClient) -> None:
    assert_problem(writer.patch("/sources/src_nope", json={"title": "x"}), 404)


# --- PUT text -------------------------------------------------------------------------------------------


def test_put_text_extracts_again(writer: TestClient) -> None:
    source = post(writer, CHIPS, title="Chips")
    old_claims = claim_ids(writer, source=source["id"])
    response = writer.put(
        f"/sources/{source['id']}/text", content=KIMI.encode(), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Chips" and response.json()["id"] == source["id"]
    stored = writer.get(f"/sources/{source['id']}").json()
    assert stored["text"] == KIMI
    new_claims = writer.get("/claims", params={"source": source["id"], "limit": 200}).json()["items"]
    assert {c["id"] for c in new_claims}.isdisjoint(old_claims)
    assert all(KIMI[c["span"]["start"] : c["span"]["end"]] == c["text"] for c in new_claims)
    assert writer.get("/entities/kimi-k9-preview").status_code == 200
    assert changes(writer) == [(source["id"], "created"), (source["id"], "updated")]
    same = writer.put(
        f"/sources/{source['id']}/text", content=KIMI, headers={"content-type": "text/markdown"}
    )
    assert same.status_code == 200
    assert len(changes(writer)) == 2
    assert_problem(
        writer.put("/sources/src_nope/text", content=b"Nvidia.", headers={"content-type": "text/plain"}), 404
    )
    assert_problem(writer.put(f"/sources/{source['id']}/text", json={"text": "x"}), 415)
    assert_problem(
        writer.put(f"/sources/{source['id']}/text", content=b" ", headers={"content-type": "text/plain"}),
        422,
        "text",
    )


def test_put_text_that_fails_midway_leaves_the_source_as_it_was(
    writer: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = post(writer, CHIPS)
    claims_before = claim_ids(writer, source=source["id"])

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.write, "_write_extraction", fail)
    failed = writer.put(f"/sources/{source['id']}/text", content=KIMI, headers={"content-type": "text/plain"})
    assert_problem(failed, 500)  # the observability middleware answers unhandled errors with a problem body
    monkeypatch.undo()
    assert writer.get(f"/sources/{source['id']}").json()["text"] == CHIPS
    assert claim_ids(writer, source=source["id"]) == claims_before
    assert changes(writer) == [(source["id"], "created")]


# --- re-extraction and the feed -------------------------------------------------------------------------


def test_reextract_runs_over_other_versions_or_everything(writer: TestClient, engine: Engine) -> None:
    kimi = post(writer, KIMI)
    post(writer, CHIPS)
    with engine.begin() as conn:
        conn.execute(text("UPDATE source SET extractor_version = '0.1' WHERE id = :id"), {"id": kimi["id"]})
    report = writer.post("/admin/reextract").json()
    assert report["selected"] == 1 and report["statuses"] == {"changed": 1} and report["failed"] == []
    assert report["claims_before"] == report["claims_after"] == kimi["extracted"]["claims"]
    assert writer.get(f"/sources/{kimi['id']}").json()["extractor_version"] == report["extractor_version"]
    assert changes(writer)[-1] == (kimi["id"], "updated")
    assert writer.post("/admin/reextract").json()["selected"] == 0
    everything = writer.post("/admin/reextract", params={"all": "true"}).json()
    assert everything["selected"] == 2 and everything["statuses"] == {"changed": 2}


def test_change_feed_pages_by_sequence(writer: TestClient) -> None:
    ids = [post(writer, t)["id"] for t in (KIMI, CHIPS, GULF)]
    first = writer.get("/changes", params={"limit": 2}).json()
    assert [c["source"] for c in first["items"]] == ids[:2] and first["has_more"]
    assert first["next_cursor"] == first["items"][-1]["id"]
    rest = writer.get("/changes", params={"since": first["next_cursor"], "limit": 2}).json()
    assert [c["source"] for c in rest["items"]] == ids[2:] and not rest["has_more"]
    caught_up = writer.get("/changes", params={"since": rest["next_cursor"]}).json()
    assert caught_up == {"items": [], "next_cursor": rest["next_cursor"], "has_more": False}
    writer.delete(f"/sources/{ids[0]}")
    news = writer.get("/changes", params={"since": rest["next_cursor"]}).json()["items"]
    assert [(c["source"], c["op"]) for c in news] == [(ids[0], "deleted")]
    assert_problem(writer.get("/changes", params={"since": -1}), 422, "since")
    assert_problem(writer.get("/changes", params={"after": 1}), 422, "after")
