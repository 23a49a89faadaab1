"""Errors as RFC 9457 problem details: the one renderer every error path uses (the app's exception handlers
and the pure ASGI middlewares that answer before the app), how OpenAPI documents them, and `GET
/problems/{slug}`, which explains each problem type (a body's `type` resolves to it)."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

import orjson
import psycopg
import sqlalchemy.exc
from fastapi import APIRouter, FastAPI, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from app.config import get_settings
from app.db import is_timeout
from app.errors import (
    PROBLEM_TYPES,
    HttpStatus,
    InvalidParameter,
    KBError,
    MethodNotAllowed,
    NotFound,
    QueryTimeLimit,
    invalid_parameter,
    validation_message,  # the explorer's error page says a 422 as the API does
)

__all__ = [
    "PROBLEM_CONTENT",
    "Problem",
    "install_problem_handlers",
    "problem_response",
    "problem_responses",
    "router",
    "send_problem",
    "validation_message",
]

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error."""

    type: str = Field(
        examples=["/problems/invalid-parameter"],
        description="The problem type: GET it (relative to the API) for what it means",
    )
    title: str = Field(examples=["Invalid parameter"], description="The problem type's short name")
    status: int = Field(examples=[422], description="The HTTP status of the response")
    detail: str = Field(
        examples=["'chip' is not one of chips, models, …; did you mean 'chips'?"],
        description="What went wrong in this request, and what to do instead",
    )
    parameter: str | None = Field(default=None, description="The parameter or field at fault")


def _body(error: KBError, extra: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({**error.problem(), **(extra or {})})


def problem_response(error: KBError, extra: dict[str, Any] | None = None) -> Response:
    """The response for an error: its status, its headers, its problem body (plus `extra` members)."""
    return Response(_body(error, extra), error.status, error.response_headers(), MEDIA_TYPE)


async def send_problem(
    send: Send, error: KBError, extra: dict[str, Any] | None = None, *, close: bool = False
) -> None:
    """The same response, sent by a pure ASGI middleware (outside the app's handlers). `close` asks the
    client to drop the connection (a body was left unread on it)."""
    body = _body(error, extra)
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", b"%d" % len(body))]
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.response_headers().items()
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _invalid_parameter(exc: RequestValidationError) -> InvalidParameter:
    """FastAPI's validation error as this API's: the first complaint, naming its parameter."""
    return invalid_parameter(exc.errors())


def _http_error(exc: StarletteHTTPException) -> KBError:
    """Starlette's own errors (no route for a path, or not for this method) as problems of their type."""
    if exc.status_code == 404:
        return NotFound(f"no such path; {exc.detail}" if exc.detail != "Not Found" else "no such path")
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow")
        if allow and "GET" in allow.split(", ") and "HEAD" not in allow:
            allow += ", HEAD"  # answered for every GET route (app.api.head)
        return MethodNotAllowed("this path does not take this method", allow=allow)
    # Nothing else is raised by the framework here; should it be, the status speaks for itself.
    return HttpStatus(exc.status_code, str(exc.detail))


def install_problem_handlers(api: FastAPI) -> None:
    """Every error the app raises, rendered by problem_response."""

    @api.exception_handler(KBError)
    async def kb_error(_request: Request, exc: KBError) -> Response:
        return problem_response(exc)

    @api.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        return problem_response(_invalid_parameter(exc))

    @api.exception_handler(sqlalchemy.exc.DBAPIError)
    @api.exception_handler(sqlite3.OperationalError)
    @api.exception_handler(psycopg.Error)
    async def database_error(_request: Request, exc: Exception) -> Response:
        if is_timeout(exc):
            limit = get_settings().query_time_limit_ms
            return problem_response(
                QueryTimeLimit(
                    f"the query ran longer than the {limit} ms limit; narrow it (fewer or more selective "
                    "filters, a date range) or page with a smaller limit"
                )
            )
        raise exc

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(_http_error(exc))


# --- OpenAPI --------------------------------------------------------------------------------------------

PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STATUS_TEXT = {
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


def problem_responses(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each a problem+json body; `described` replaces the
    usual description of a status (`e404="No such claim"`)."""
    return {
        status: {"description": described.get(f"e{status}", _STATUS_TEXT[status]), "content": PROBLEM_CONTENT}
        for status in statuses
    }


# --- what each type means -------------------------------------------------------------------------------


class ProblemType(BaseModel):
    """One problem type: what a problem body with this `type` means."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/invalid-cursor",
                    "title": "Invalid cursor",
                    "status": 400,
                    "about": "A `cursor` this API did not issue (garbled, or the position of another list or "
                    "sort); start from the first page again.",
                }
            ]
        }
    )

    type: str = Field(description="The `type` problem bodies carry")
    title: str = Field(description="Their title")
    status: int = Field(description="The HTTP status they come with")
    about: str = Field(description="What the problem means and how to avoid it")


router = APIRouter(prefix="/problems", tags=["operations"])


def _described(error: type[KBError]) -> dict[str, Any]:
    return {"type": error.type_uri(), "title": error.title, "status": error.status, "about": error.about}


@router.get("", response_model=list[ProblemType])
async def list_problem_types() -> Response:
    """Every problem type this API answers with."""
    return Response(
        orjson.dumps([_described(e) for e in PROBLEM_TYPES.values()]), media_type="application/json"
    )


@router.get(
    "/{slug}", response_model=ProblemType, responses=problem_responses(404, e404="No such problem type")
)
async def get_problem_type(
    slug: Annotated[str, Path(pattern="^[a-z-]{1,40}$", description="The last part of a problem's `type`")],
) -> Response:
    """What a problem body whose `type` is `/problems/{slug}` means."""
    error = PROBLEM_TYPES.get(slug)
    if error is None:
        raise NotFound(f"no problem type {slug!r}; GET /problems lists them")
    return Response(orjson.dumps(_described(error)), media_type="application/json")
