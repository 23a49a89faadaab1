"""Every error path answers one kind of problem body whose `type` resolves: GET it and the API explains the
problem; the README's table lists the same types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.errors import PROBLEM_TYPES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

# (method, path, query, headers, body, status, problem slug, parameter): one request per error path.
ERRORS: list[tuple[str, str, dict[str, Any], dict[str, str], bytes | None, int, str, str | None]] = [
    ("GET", "/claims", {"topic": "chip"}, {}, None, 422, "invalid-parameter", "topic"),  # FastAPI's parsing
    ("GET", "/sources", {"limit": "0"}, {}, None, 422, "invalid-parameter", "limit"),
    ("GET", "/claims", {"published_from": "2025-12-01", "published_to": "2025-01-01"}, {}, None, 422,
     "invalid-parameter", "published_to"),  # a check between two parameters names one
    ("GET", "/claims", {"q": "a\x00b"}, {}, None, 422, "invalid-parameter", "q"),  # the NUL middleware
    ("GET", "/claims", {"cursor": "!!"}, {}, None, 400, "invalid-cursor", "cursor"),
    ("GET", "/entities", {"cursor": "WzFd"}, {}, None, 400, "invalid-cursor", "cursor"),
    ("GET", "/claims", {"select": "txt"}, {}, None, 400, "bad-request", "select"),
    ("GET", "/claims/c_missing", {}, {}, None, 404, "not-found", None),
    ("GET", "/no/such/path", {}, {}, None, 404, "not-found", None),  # Starlette's own 404
    ("DELETE", "/claims", {}, {}, None, 405, "method-not-allowed", None),
    ("POST", "/sources", {}, {}, b"{}", 401, "unauthorized", None),
    ("POST", "/sources", {}, {"Authorization": "Bearer aikb_nope"}, b"{}", 401, "unauthorized", None),
    ("GET", "/problems/no-such-type", {}, {}, None, 404, "not-found", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body", "status", "slug", "parameter"),
    ERRORS,
    ids=[f"{e[0]} {e[1]} {e[5]}" for e in ERRORS],
)
def test_every_error_path_answers_a_documented_problem(
    client: TestClient,
    method: str,
    path: str,
    query: dict[str, Any],
    headers: dict[str, str],
    body: bytes | None,
    status: int,
    slug: str,
    parameter: str | None,
) -> None:
    response = client.request(method, path, params=query, headers=headers, content=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{slug}" and problem["status"] == status and problem["detail"]
    assert problem.get("parameter") == parameter
    explained = client.get(problem["type"])  # the type is a reference this API resolves
    assert explained.status_code == 200
    assert explained.json() == {
        "type": problem["type"],
        "title": problem["title"],
        "status": status,
        "about": PROBLEM_TYPES[slug].about,
    }


def test_every_problem_type_is_listed_and_in_the_readme(client: TestClient) -> None:
    listed = client.get("/problems").json()
    assert [p["type"] for p in listed] == [f"/problems/{slug}" for slug in PROBLEM_TYPES]
    for problem in listed:
        assert f"| `{problem['type']}` | {problem['status']} |" in README, problem["type"]
