"""app/api/fast_query.py parses GET /claims's query string itself (see its docstring for why); it must
answer every query string exactly as FastAPI's own parsing of the same model does, and be documented the
same. One endpoint served both ways, the same requests to each."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Query
from fastapi.testclient import TestClient

from app.api.fast_query import fast_query_route
from app.api.problems import install_problem_handlers
from app.queries import ClaimFilter


def _app() -> FastAPI:
    router = APIRouter()

    async def echo(params: Annotated[ClaimFilter, Query()]) -> dict[str, Any]:
        return params.model_dump(mode="json")

    router.get("/fastapi")(echo)
    fast_query_route(router, "/fast")(echo)
    app = FastAPI()
    app.include_router(router)
    install_problem_handlers(app)
    return app


QUERIES = [
    "",
    "topic=chips",
    "topic=chips&topic=policy&entity=huawei&entity=nvidia",
    "kind=quote&kind=forecast&has_quantity=true&unit=USD&value_min=1e9&value_max=2e9",
    "limit=5&cursor=abc&sort=published&select=text,kind&facets=topic&format=ndjson",
    "published_from=2025-01-01&published_to=2025-12-31&source=src_1&publisher=Wire",
    "speaker=jensen-huang&cited=reuters&entity_type=chip&q=export+controls",
    "limit=1&limit=7",  # a repeated single value: the last one
    "q=",
    "limit=0",
    "limit=abc",
    "topic=chip",
    "kind=quotes",
    "has_quantity=maybe",
    "value_min=nan",
    "value_min=5&value_max=1",
    "published_from=2025-12-01&published_to=2025-01-01",
    "published_from=2025-13-01",
    "sort=relevance",
    "colour=red",
    "topic=chips&colour=red&limit=999",
    "unit=" + "x" * 21,
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_fast_parser_answers_as_fastapi_does(query: str) -> None:
    with TestClient(_app()) as client:
        fastapi, fast = client.get(f"/fastapi?{query}"), client.get(f"/fast?{query}")
    assert (fast.status_code, fast.json()) == (fastapi.status_code, fastapi.json())


def test_the_fast_route_is_documented_as_fastapi_documents_it() -> None:
    paths = _app().openapi()["paths"]
    assert set(paths) == {"/fastapi", "/fast"}
    documented, fast = paths["/fastapi"]["get"], paths["/fast"]["get"]
    assert [p["name"] for p in fast["parameters"]] == list(ClaimFilter.model_fields)
    assert fast["parameters"] == documented["parameters"]
