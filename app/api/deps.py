"""Dependencies shared by the routers: the database (session or thin reader) and the page parameters."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, TypeVar

import orjson
from anyio import CapacityLimiter, to_thread
from fastapi import Depends, FastAPI, Request, responses
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings, get_settings
from app.db import time_limit_of
from app.extraction.pipeline import Pipeline, get_pipeline
from app.queries import Db

__all__ = [
    "EXPORTS",
    "JSONResponse",
    "PageParams",
    "PipelineDep",
    "Problem",
    "SessionDep",
    "SettingsDep",
    "document_models",
    "get_session",
    "next_link",
    "page_response",
    "problems",
    "read",
    "schema_ref",
    "validation_message",
]

T = TypeVar("T")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request on the app's engine; the caller commits."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _pipeline() -> Pipeline:
    return get_pipeline()


PipelineDep = Annotated[Pipeline, Depends(_pipeline)]


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error."""

    type: str = Field(examples=["https://aikb.dev/problems/invalid-content"])
    title: str = Field(examples=["Invalid content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["request body: unknown fields ['headline']; allowed: [...]"])
    parameter: str | None = Field(default=None, description="The parameter or field at fault")


PROBLEM_TEXT = {
    400: "Malformed body (not JSON, not UTF-8, bad front matter), or a cursor this API did not issue",
    401: "No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`)",
    403: "The API key lacks the scope this endpoint needs",
    404: "No such source",
    409: "Another source already has this url",
    413: "Body larger than the configured limit",
    415: "Content type not accepted here",
    422: "Invalid parameter or field: unknown, wrong type, out of range, bad date, empty text",
    503: "A query ran past QUERY_TIME_LIMIT_MS (`Retry-After` says when to try again)",
}


def validation_message(error: dict[str, Any]) -> tuple[str | None, str]:
    """The parameter at fault and a sentence for one pydantic validation error, as every 422 says it (the
    API's problem body, the explorer's error page): unknown names and values come with a close match."""
    location = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
    parameter = location[0] if location else None
    message = str(error.get("msg", "invalid request"))
    if error.get("type") == "extra_forbidden":
        message = f"unknown parameter {parameter!r}"
    elif error.get("type") == "literal_error":
        allowed = re.findall(r"'([^']+)'", str(error.get("ctx", {}).get("expected", "")))
        hint = difflib.get_close_matches(str(error.get("input")), allowed, n=1)
        message = f"{error.get('input')!r} is not one of {', '.join(allowed)}"
        if hint:
            message += f"; did you mean {hint[0]!r}?"
    elif error.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    return parameter, message


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A reference to a schema `document_models` adds to the OpenAPI components."""
    return {"$ref": f"#/components/schemas/{model.__name__}"}


PROBLEM_CONTENT = {"application/problem+json": {"schema": schema_ref(Problem)}}


def problems(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each a problem+json body; `described` replaces the
    usual description of a status (`e404="No such claim"`)."""
    return {
        status: {"description": described.get(f"e{status}", PROBLEM_TEXT[status]), "content": PROBLEM_CONTENT}
        for status in statuses
    }


EXPORTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A JSON page; with `format=csv|ndjson` (or that Accept) every matching item, streamed",
        "content": {
            "text/csv; charset=utf-8": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def document_models(api: FastAPI, *models: type[BaseModel]) -> None:
    """Add schemas that no route declares as a parameter (bodies a route reads itself, problem details) to
    the OpenAPI components once, so each is one named type in generated clients rather than many copies."""
    build = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schemas = build().setdefault("components", {}).setdefault("schemas", {})
            documented: list[type[BaseModel]] = [Problem, *models]
            for model in documented:
                schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            _problem_422s(api.openapi_schema or {})
        return api.openapi_schema  # type: ignore[return-value]

    api.openapi = openapi  # type: ignore[method-assign]


def _problem_422s(document: dict[str, Any]) -> None:
    """FastAPI documents its validation errors as `HTTPValidationError` JSON; this API answers them with a
    problem body (app.main), so say that instead."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            response = operation.get("responses", {}).get("422") if isinstance(operation, dict) else None
            if response is not None:
                response.update(problems(422)[422])
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def _run(engine: Engine, fn: Callable[[Db], T]) -> T:
    connection = engine.raw_connection()
    try:
        return fn(Db(connection.driver_connection, engine.dialect.name, time_limit_of(engine)))
    finally:
        connection.close()


async def read(request: Request, fn: Callable[[Db], T], *, inline: bool) -> T:
    """Run a read. On SQLite a cheap one (`inline`) runs on the event loop over the app's own reader
    connection: an index lookup costs less than the thread hop. Everything else, and every PostgreSQL
    read (network I/O), runs in the threadpool on a pooled connection."""
    engine: Engine = request.app.state.engine
    if inline and engine.dialect.name == "sqlite":
        state = request.app.state
        reader = getattr(state, "sqlite_reader", None)
        if reader is None:
            reader = state.sqlite_reader = engine.raw_connection()
        return fn(Db(reader.driver_connection, "sqlite", time_limit_of(engine)))
    limiter = getattr(request.app.state, "read_limiter", None)
    if limiter is None:  # made on first use: a limiter belongs to the running event loop
        limiter = request.app.state.read_limiter = CapacityLimiter(get_settings().aikb_read_concurrency)
    # Queued here, not on the CPU: a query's time limit counts its own running time, not that of forty
    # others sharing the core with it.
    return await to_thread.run_sync(_run, engine, fn, limiter=limiter)


class PageParams(BaseModel):
    """Paging shared by every list; unknown parameters are rejected, not ignored."""

    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200, description="Items per page (1-200)")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")
    format: Literal["json", "csv", "ndjson"] | None = Field(
        default=None,
        description="json (default), or csv / ndjson streaming every matching item (also by Accept)",
    )


class JSONResponse(responses.JSONResponse):
    """orjson-rendered JSON: dates as ISO strings, several times faster than the stdlib encoder. A subclass
    of FastAPI's JSONResponse so that OpenAPI documents each route's response model (for any other class it
    writes `{"type": "string"}`, and generated clients hand back untyped JSON)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        # SQLite hands back the stored UTC timestamps without their zone: say it, so each is RFC 3339.
        return orjson.dumps(content, option=orjson.OPT_NAIVE_UTC)


def page_response(
    items: list[dict[str, Any]],
    next_cursor: str | None,
    *,
    request: Request | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """A list body; with the request, also `Link: <…>; rel="next"` pointing at the next page."""
    response = JSONResponse({"items": items, "next_cursor": next_cursor, **(extra or {})})
    if request is not None and next_cursor:
        response.headers["link"] = next_link(request, next_cursor)
    return response


def next_link(request: Request, cursor: str) -> str:
    """`<url>; rel="next"`: this request's URL with `cursor` replaced (cursors are URL-safe base64), built
    from the raw query string (Starlette's URL rebuilding costs ~60 µs, a fifth of a page request)."""
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
