"""Response bodies shared by the routes: orjson JSON, list pages with their `Link` header, and the one
path every non-claim list takes (a JSON page, or a CSV/NDJSON export of everything)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from fastapi import Request, Response, responses
from sqlalchemy import Engine
from sqlmodel import Session

from app.api.formats import export_response, wanted_format
from app.queries import PageParams

__all__ = ["EXPORTS", "JSONResponse", "export_limit", "list_response", "next_link", "page_response"]

Params = TypeVar("Params", bound=PageParams)


class JSONResponse(responses.JSONResponse):
    """orjson-rendered JSON: dates as ISO strings, several times faster than the stdlib encoder. A subclass
    of FastAPI's JSONResponse so that OpenAPI documents each route's response model (for any other class it
    writes `{"type": "string"}`, and generated clients hand back untyped JSON)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        # SQLite hands back the stored UTC timestamps without their zone: say it, so each is RFC 3339.
        return orjson.dumps(content, option=orjson.OPT_NAIVE_UTC)


EXPORTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A JSON page; with `format=csv|ndjson` (or that Accept) every matching item, streamed",
        "content": {
            "text/csv; charset=utf-8": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def next_link(request: Request, cursor: str) -> str:
    """`<url>; rel="next"`: this request's URL with `cursor` replaced (cursors are URL-safe base64), built
    from the raw query string: Starlette's URL rebuilding is a sizeable share of a page request
    (docs/PERFORMANCE.md)."""
    query = request.scope["query_string"].decode("latin-1")
    kept = [p for p in query.split("&") if p and not p.startswith("cursor=")]
    kept.append(f"cursor={cursor}")
    scope = request.scope
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
    if host is None:
        server = scope.get("server") or ("localhost", 80)
        host = f"{server[0]}:{server[1]}"
    base = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"
    return f'<{base}?{"&".join(kept)}>; rel="next"'


def page_response(request: Request, items: list[dict[str, Any]], next_cursor: str | None) -> JSONResponse:
    """A list body with `Link: <…>; rel="next"` pointing at the next page."""
    response = JSONResponse({"items": items, "next_cursor": next_cursor})
    if next_cursor:
        response.headers["link"] = next_link(request, next_cursor)
    return response


def export_limit(params: PageParams) -> int | None:
    """How many rows an export may hold: the request's `limit` when it gives one, else every row."""
    return params.limit if "limit" in params.model_fields_set else None


def list_response(
    request: Request,
    session: Session,
    params: Params,
    list_items: Callable[[Session, Params], tuple[list[dict[str, Any]], str | None]],
) -> Response:
    """A JSON page of `list_items` (an app.queries list), or with format=csv|ndjson every item from the
    cursor on (at most `limit`, when given), streamed."""
    fmt = wanted_format(request, params.format)
    if fmt != "json":

        def batch(s: Session, cursor: str | None, n: int) -> tuple[list[dict[str, Any]], str | None]:
            return list_items(s, params.model_copy(update={"cursor": cursor, "limit": n}))

        engine: Engine = session.get_bind()  # type: ignore[assignment]
        return export_response(request, engine, fmt, params.cursor, batch, export_limit(params))
    items, cursor = list_items(session, params)
    return page_response(request, items, cursor)
