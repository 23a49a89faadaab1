"""Every error path answers the same problem shape (RFC 9457): `application/problem+json` with `type`,
`title`, `status` and `detail` (and `parameter` when one is at fault), whether a route, the framework or a
middleware refused the request; each `type` is `/problems/<slug>`, GET on it explains it, and the README's
table lists the same types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import keys
from app.errors import PROBLEM_TYPES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
WRITE, READ = "write", "read"
JSON, XML, MARKDOWN = ({"Content-Type": t} for t in ("application/json", "text/xml", "text/markdown"))


def case(
    label: str, method: str, path: str, status: int, slug: str, parameter: str | None = None, **options: Any
) -> Any:
    """A request (`options` for the client, `scope`: the key it sends) and the problem it must get."""
    scope = options.pop("scope", None)
    return pytest.param(method, path, options, scope, status, slug, parameter, id=label)


CASES = [
    case("forged cursor", "GET", "/claims", 400, "invalid-cursor", "cursor", params={"cursor": "zzz"}),
    case("cursor of a list", "GET", "/entities", 400, "invalid-cursor", "cursor", params={"cursor": "WzFd"}),
    case("limit 0 of a list", "GET", "/sources", 422, "invalid-parameter", "limit", params={"limit": "0"}),
    case("unknown select", "GET", "/claims", 422, "invalid-parameter", "select", params={"select": "x"}),
    case("q without a word", "GET", "/claims", 422, "invalid-parameter", "q", params={"q": "--"}),
    case("unknown value", "GET", "/claims", 422, "invalid-parameter", "topic", params={"topic": "chip"}),
    case("mistyped number", "GET", "/claims", 422, "invalid-parameter", "limit", params={"limit": "abc"}),
    case("unknown name", "GET", "/sources", 422, "invalid-parameter", "colour", params={"colour": "red"}),
    case(
        "dates out of order", "GET", "/claims", 422, "invalid-parameter", "published_to",
        params={"published_from": "2025-05-01", "published_to": "2025-01-01"},
    ),
    case(
        "values out of order", "GET", "/claims", 422, "invalid-parameter", "value_max",
        params={"value_min": 5, "value_max": 1},
    ),
    case("no entity named", "GET", "/claims", 422, "invalid-parameter", "entity", params={"entity": "x"}),
    case("NUL in a parameter", "GET", "/claims", 422, "invalid-parameter", "q", params={"q": "a\x00b"}),
    case("NUL in the path", "GET", "/claims/a%00b", 422, "invalid-parameter", "path"),
    case("no such claim", "GET", "/claims/c_missing", 404, "not-found"),
    case("no such entity", "GET", "/entities/nobody", 404, "not-found"),
    case("no such path", "GET", "/no/such/path", 404, "not-found"),
    case("no such problem type", "GET", "/problems/no-such-type", 404, "not-found"),
    case("method not allowed", "DELETE", "/claims", 405, "method-not-allowed"),
    case("write without a key", "POST", "/sources", 401, "unauthorized", json={"text": "x"}),
    case(
        "write with an unknown key", "POST", "/sources", 401, "unauthorized",
        json={"text": "x"}, headers={"Authorization": "Bearer aikb_nope"},
    ),
    case("write with a read key", "POST", "/sources", 403, "forbidden", json={"text": "x"}, scope=READ),
    case("body not JSON", "POST", "/sources", 400, "bad-request", content=b"{", headers=JSON, scope=WRITE),
    case(
        "body of another type", "POST", "/sources", 415, "unsupported-media-type",
        content=b"<a/>", headers=XML, scope=WRITE,
    ),
    case(
        "unknown body field", "POST", "/sources", 422, "invalid-content", "headline",
        json={"text": "Huawei ships.", "headline": "x"}, scope=WRITE,
    ),
    case(
        "body too large", "POST", "/sources", 413, "content-too-large",
        content=b"x" * 2_000_000, headers=MARKDOWN,
    ),
]  # fmt: skip


@pytest.fixture
def secrets(engine: Engine) -> dict[str, str]:
    with Session(engine) as session, session.begin():
        return {scope: keys.create_key(session, name=scope, scope=scope)[1] for scope in (READ, WRITE)}


@pytest.mark.parametrize(("method", "path", "options", "scope", "status", "slug", "parameter"), CASES)
def test_every_error_is_one_problem_shape(
    client: TestClient,
    secrets: dict[str, str],
    method: str,
    path: str,
    options: dict[str, Any],
    scope: str | None,
    status: int,
    slug: str,
    parameter: str | None,
) -> None:
    headers = dict(options.get("headers", {}))
    if scope:
        headers["Authorization"] = f"Bearer {secrets[scope]}"
    response = client.request(method, path, **{**options, "headers": headers})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) - {"parameter"} == {"type", "title", "status", "detail"}, body
    assert body["type"] == f"/problems/{slug}" and body["status"] == status and body["detail"]
    assert body.get("parameter") == parameter
    explained = client.get(body["type"])  # the type is a URI reference the API resolves
    assert explained.status_code == 200
    assert explained.json() == {
        "type": body["type"],
        "title": body["title"],
        "status": status,
        "about": PROBLEM_TYPES[slug].about,
    }


def test_every_problem_type_is_listed_explained_and_in_the_readme(client: TestClient) -> None:
    listed = client.get("/problems").json()
    assert [p["type"] for p in listed] == [f"/problems/{slug}" for slug in PROBLEM_TYPES]
    assert all(p["about"] and p["title"] for p in listed)
    for problem in listed:
        assert f"| `{problem['type']}` | {problem['status']} |" in README, problem["type"]
    exercised = {case.values[5] for case in CASES}
    # Every type a request can provoke here is in the table above (the 500 and the 503s are tested where
    # they are made: tests/api/test_http_headers.py, test_time_limit.py, test_operations.py).
    assert set(PROBLEM_TYPES) - exercised <= {"internal-error", "query-time-limit", "not-ready", "conflict"}
