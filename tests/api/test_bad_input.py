"""Bad input, one row per case, on both backends: every text query parameter given SQL and full-text syntax
and unicode edge cases, out-of-range numbers, forged cursors, and every kind of bad body on each write.
Each answers a specific 4xx with a problem body (naming the parameter when one is at fault), or a 200
with correct results where the input is just an odd word; a refused write leaves nothing behind."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import keys
from app.queries import fts_terms

# Parameters naming something the KB holds (entities, sources, publishers) or a unit: an odd string names
# nothing and is refused naming the parameter (app.queries.names), unless an entity name normalises to it
# as /entities/{id} reads ids (`\u200fhuawei\u200e` is huawei).
EXACT = [
    ("/claims", "speaker"),
    ("/claims", "cited"),
    ("/claims", "publisher"),
    ("/claims", "unit"),
    ("/claims", "entity"),
    ("/claims", "source"),
    ("/sources", "publisher"),
    ("/relations", "subject"),
    ("/relations", "object"),
    ("/relations", "source"),
]
# Words, not syntax: quotes, operators and comment markers are never interpreted.
SYNTAX = [
    "'",
    '"',
    "*",
    "NEAR(",
    "--",
    "OR 1=1",
    "' OR '1'='1",
    "a%",
    "_",
    "\\",
    "huawei' --",
    '"chips" NEAR(x',
]
UNICODE = {
    "rtl-mark": "\u200fhuawei\u200e",
    "emoji": "🤖 chips 🇨🇳",
    "combining": "e\u0301",
    "long-10k": "x" * 10_000,
}
NUL = "a\x00b"
LONE_SURROGATE = "%ED%A0%80"  # UTF-8 of U+D800: not a character; decoded as replacement characters


def raw_get(client: TestClient, path: str, name: str, encoded: str) -> Any:
    return client.get(f"{path}?{name}={encoded}")


def assert_problem(response: Any, status: int, parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status and body["detail"]
    if parameter is not None:
        assert body.get("parameter") == parameter, body
    return body


def items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


# --- text query parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*SYNTAX, *UNICODE.values()], ids=[*SYNTAX, *UNICODE])
@pytest.mark.parametrize(("path", "name"), EXACT, ids=[f"{p}?{n}" for p, n in EXACT])
def test_odd_strings_in_name_parameters_are_refused_or_resolved(
    api: TestClient, path: str, name: str, value: str
) -> None:
    response = api.get(path, params={name: value})
    entity = name in ("speaker", "cited", "entity", "subject", "object")
    if response.status_code == 200:  # only an entity the way /entities/{id} resolves it
        assert entity, response.text
        assert api.get(f"/entities/{quote(value, safe='')}", follow_redirects=False).status_code in (200, 301)
        return
    body = assert_problem(response, 422, name)
    if entity:
        assert api.get(f"/entities/{quote(value, safe='')}", follow_redirects=False).status_code == 404
    assert "did you mean" in body["detail"] or "GET /" in body["detail"] or name == "unit", body


@pytest.mark.parametrize(("path", "name"), [*EXACT, ("/claims", "q"), ("/entities", "q"), ("/search", "q")])
def test_nul_in_a_parameter_is_refused_naming_it(api: TestClient, path: str, name: str) -> None:
    assert_problem(api.get(path, params={name: NUL}), 422, name)
    assert_problem(raw_get(api, path, name, "%00"), 422, name)


@pytest.mark.parametrize("path", ["/claims/a%00b", "/sources/a%00b", "/entities/a%00b/claims"])
def test_nul_in_a_path_is_refused(api: TestClient, path: str) -> None:
    assert_problem(api.get(path), 422, "path")


@pytest.mark.parametrize(("path", "name"), [*EXACT, ("/entities", "q"), ("/claims", "q"), ("/search", "q")])
def test_lone_surrogates_are_replacement_characters(api: TestClient, path: str, name: str) -> None:
    response = raw_get(api, path, name, LONE_SURROGATE)
    if name == "q" and path != "/entities":  # U+FFFD is not a word
        if path == "/claims":
            assert_problem(response, 422, "q")
        else:
            assert response.json()["claims"] == []
    elif name == "q":
        assert items(response) == []
    else:  # names nothing
        assert_problem(response, 422, name)


@pytest.mark.parametrize("value", [*SYNTAX, UNICODE["rtl-mark"], UNICODE["emoji"]])
def test_claims_q_is_a_search_for_its_words(api: TestClient, value: str) -> None:
    """Punctuation and FTS operators are dropped: q=value finds exactly what its bare words find."""
    response = api.get("/claims", params={"q": value, "limit": 200})
    words = fts_terms(value)
    if not words:
        assert_problem(response, 422, "q")
        return
    expected = items(api.get("/claims", params={"q": " ".join(words), "limit": 200}))
    assert [c["id"] for c in items(response)] == [c["id"] for c in expected]


@pytest.mark.parametrize("value", [*SYNTAX, UNICODE["rtl-mark"], UNICODE["emoji"]])
def test_search_and_entity_prefixes_take_odd_strings_literally(api: TestClient, value: str) -> None:
    found = api.get("/search", params={"q": value})
    assert found.status_code == 200, found.text
    words = fts_terms(value)
    expected = api.get("/search", params={"q": " ".join(words)}).json()["claims"] if words else []
    assert [c["id"] for c in found.json()["claims"]] == [c["id"] for c in expected]
    prefix = value.lower()
    for entity in [*found.json()["entities"], *items(api.get("/entities", params={"q": value}))]:
        names = [entity["name"], *entity.get("aliases", [])]
        assert any(n.lower().startswith(prefix) for n in names), (value, entity)
    assert items(api.get("/entities", params={"q": "%"})) == []  # LIKE wildcards are escaped
    assert items(api.get("/entities", params={"q": "_"})) == []


@pytest.mark.parametrize("path", ["/claims", "/entities", "/search"])
def test_q_of_10k_characters_is_refused(api: TestClient, path: str) -> None:
    assert_problem(api.get(path, params={"q": UNICODE["long-10k"]}), 422, "q")


# --- numbers ------------------------------------------------------------------------------------------

NUMBERS = [
    ("/claims", "limit", "1000000000000000000000000000000"),
    ("/claims", "limit", "201"),
    ("/sources", "limit", "0"),  # /claims takes 0 (facets or a count alone)
    ("/claims", "limit", "-1"),
    ("/claims", "limit", "1e3"),
    ("/claims", "value_min", "abc"),
    ("/sources", "limit", "99999999999999999999"),
    ("/entities", "limit", "-5"),
    ("/relations", "limit", "NaN"),
    ("/relations", "min_confidence", "1.5"),
    ("/relations", "min_confidence", "-0.1"),
    ("/relations", "min_confidence", "NaN"),
    ("/search", "limit", "101"),
    ("/changes", "limit", "1001"),
    ("/changes", "since", "-1"),
    ("/changes", "since", "2147483648"),
    ("/changes", "since", "99999999999999999999999"),
    ("/claims", "published_from", "2025-13-45"),
    ("/claims", "has_quantity", "maybe"),
]


@pytest.mark.parametrize(("path", "name", "value"), NUMBERS, ids=[f"{p}?{n}={v[:12]}" for p, n, v in NUMBERS])
def test_out_of_range_and_mistyped_numbers_are_422(api: TestClient, path: str, name: str, value: str) -> None:
    extra = {"q": "chips"} if path == "/search" else {}  # q is required there
    assert_problem(api.get(path, params={**extra, name: value}), 422, name)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1e308", "1e308", "0"])
def test_extreme_quantity_bounds_are_answered(api: TestClient, value: str) -> None:
    response = api.get("/claims", params={"value_min": value, "limit": 200})
    if value in ("nan", "inf", "-inf"):  # no quantity compares with these: refused, not silently empty
        assert_problem(response, 422, "value_min")
        return
    bound = float(value)
    for claim in items(response):
        assert any(q["value"] >= bound for q in claim["quantities"])


# --- cursors ------------------------------------------------------------------------------------------

LISTS = [
    ("/claims", {}),
    ("/claims", {"q": "chips"}),
    ("/claims", {"source": "__first_source__"}),
    ("/sources", {}),
    ("/entities", {}),
    ("/entities", {"sort": "name"}),
    ("/entities", {"sort": "-claims"}),
    ("/relations", {}),
]


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")  # big ints too


def forged_cursors(real: list[Any]) -> dict[str, str]:
    """Garbled cursors, and cursors of the right shape holding values of the wrong type or size."""
    forged = {
        "garbage": "!!not-base64!!",
        "empty-json": _cursor([]),
        "not-a-list": _cursor({"a": 1}),
        "one-too-many": _cursor([*real, 1]),
        "truncated": _cursor(real)[:-3] + "A",
        "sql": _cursor(["' OR 1=1 --"] * len(real)),
    }
    for i, value in enumerate(real):
        for label, wrong in {
            "object": {"x": 1},
            "list": [1],
            "huge": 10**40,
            "float": 1.5,
            "null": None,
        }.items():
            values = list(real)
            values[i] = wrong
            if type(wrong) is not type(value):
                forged[f"{i}-{label}"] = _cursor(values)
    return forged


@pytest.mark.parametrize(("path", "params"), LISTS, ids=[f"{p}{sorted(q.items())}" for p, q in LISTS])
def test_forged_cursors_are_400(api: TestClient, path: str, params: dict[str, str]) -> None:
    if params.get("source") == "__first_source__":
        params = {"source": items(api.get("/sources", params={"limit": 1}))[0]["id"]}
    page = api.get(path, params={**params, "limit": 2}).json()
    cursor = page["next_cursor"]
    assert cursor, "the list must have a second page"
    real = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert items(api.get(path, params={**params, "limit": 2, "cursor": cursor}))
    for label, forged in forged_cursors(real).items():
        response = api.get(path, params={**params, "cursor": forged})
        if response.status_code == 200:  # a cursor of the right types is just a position
            continue
        assert response.status_code == 400, (label, response.text)
        assert_problem(response, 400, "cursor")
        for fmt in ("csv", "ndjson"):  # the exports too, before they start streaming
            assert_problem(api.get(path, params={**params, "cursor": forged, "format": fmt}), 400, "cursor")


# --- writes -------------------------------------------------------------------------------------------


@pytest.fixture
def writer(client: TestClient, engine: Engine) -> Iterator[TestClient]:
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="writer", scope="write")
    client.headers["Authorization"] = f"Bearer {secret}"
    yield client


def counts(client: TestClient) -> tuple[int, int, int]:
    stats = client.get("/stats").json()
    return (
        stats["sources"],
        stats["claims"],
        len(client.get("/changes", params={"limit": 1000}).json()["items"]),
    )


ARTICLE = "Huawei said its Ascend 910C chips would ship in volume in 2025."
TEN_MB = b"a" * 10_000_000
BAD_BODIES: list[tuple[str, str, bytes, int, str | None]] = [
    # (name, content type, body, status, parameter)
    ("empty-json", "application/json", b"", 400, None),
    ("empty-markdown", "text/markdown", b"", 422, None),
    ("10MB", "application/json", TEN_MB, 413, None),
    ("binary", "application/json", bytes(range(256)) * 4, 400, None),
    ("binary-markdown", "text/markdown", bytes(range(256)) * 4, 400, "text"),
    ("latin-1", "application/json", '{"text": "caf\xe9 claims"}'.encode("latin-1"), 400, None),
    ("charset-latin-1", "application/json; charset=latin-1", b'{"text": "x"}', 415, None),
    ("invalid-json", "application/json", b'{"text": "unterminated', 400, None),
    ("json-array", "application/json", b"[1, 2]", 422, None),
    ("json-null", "application/json", b"null", 422, None),
    ("wrong-type-text", "application/json", b'{"text": 5}', 422, "text"),
    (
        "wrong-type-date",
        "application/json",
        orjson.dumps({"text": ARTICLE, "published": 20250101}),
        422,
        None,
    ),
    ("unknown-field", "application/json", orjson.dumps({"text": ARTICLE, "headline": "x"}), 422, None),
    ("nul-in-text", "application/json", orjson.dumps({"text": "Huawei\x00 said"}), 422, "text"),
    ("no-content-type", "", b'{"text": "x"}', 415, None),
    ("form", "application/x-www-form-urlencoded", b"text=x", 415, None),
]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "parameter"),
    [row[1:] for row in BAD_BODIES],
    ids=[row[0] for row in BAD_BODIES],
)
def test_bad_post_bodies_write_nothing(
    writer: TestClient, content_type: str, body: bytes, status: int, parameter: str | None
) -> None:
    before = counts(writer)
    headers = {"Content-Type": content_type} if content_type else {}
    assert_problem(writer.post("/sources", content=body, headers=headers), status, parameter)
    assert counts(writer) == before == (0, 0, 0)


PATCHES: list[tuple[str, str, bytes, int, str | None]] = [
    ("empty", "application/merge-patch+json", b"", 400, None),
    ("10MB", "application/merge-patch+json", TEN_MB, 413, None),
    ("binary", "application/merge-patch+json", bytes(range(256)), 400, None),
    ("invalid-json", "application/json", b"{", 400, None),
    ("not-an-object", "application/json", b'"title"', 422, None),
    ("wrong-type", "application/json", b'{"published": true}', 422, "published"),
    ("unknown-field", "application/json", b'{"headline": "x"}', 422, None),
    ("text-not-patchable", "application/json", b'{"text": "new"}', 422, None),
    ("markdown", "text/markdown", b"title: x", 415, None),
]
TEXTS: list[tuple[str, str, bytes, int, str | None]] = [
    ("empty", "text/plain", b"", 422, None),
    ("whitespace", "text/plain", b" \n\t ", 422, None),
    ("10MB", "text/plain", TEN_MB, 413, None),
    ("binary", "text/plain", bytes(range(256)), 400, "text"),
    ("latin-1", "text/plain", "caf\xe9".encode("latin-1"), 400, "text"),
    ("json", "application/json", b'{"text": "x"}', 415, None),
]


@pytest.mark.parametrize(
    ("method", "suffix", "content_type", "body", "status", "parameter"),
    [("PATCH", "", *row[1:]) for row in PATCHES] + [("PUT", "/text", *row[1:]) for row in TEXTS],
    ids=[f"patch-{row[0]}" for row in PATCHES] + [f"put-text-{row[0]}" for row in TEXTS],
)
def test_bad_updates_change_nothing(
    writer: TestClient,
    method: str,
    suffix: str,
    content_type: str,
    body: bytes,
    status: int,
    parameter: str | None,
) -> None:
    created = writer.post("/sources", json={"text": ARTICLE, "title": "Ascend"})
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    before = counts(writer), writer.get(f"/sources/{source_id}").json()
    response = writer.request(
        method, f"/sources/{source_id}{suffix}", content=body, headers={"Content-Type": content_type}
    )
    assert_problem(response, status, parameter)
    assert (counts(writer), writer.get(f"/sources/{source_id}").json()) == before


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "PUT"])
def test_writes_to_odd_ids_are_404_or_422(writer: TestClient, method: str) -> None:
    before = counts(writer)
    for source_id, status in [("'; DROP TABLE source; --", 404), ("a%00b", 422), (quote("🤖" * 100), 404)]:
        suffix = "/text" if method == "PUT" else ""
        headers = {"Content-Type": "text/plain" if method == "PUT" else "application/json"}
        response = writer.request(method, f"/sources/{source_id}{suffix}", content=b"{}", headers=headers)
        assert_problem(response, status)
    assert counts(writer) == before
