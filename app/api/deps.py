"""Dependencies shared by the routers: the session, settings, pipeline and page parameters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.config import Settings, get_settings
from app.db import get_session
from app.extraction.pipeline import Pipeline, get_pipeline

__all__ = [
    "JSONResponse",
    "PageParams",
    "PipelineDep",
    "Problem",
    "SessionDep",
    "SettingsDep",
    "page_response",
    "problems",
]

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
    400: "Malformed body (not JSON, not UTF-8, bad front matter)",
    401: "No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`)",
    403: "The API key lacks the scope this endpoint needs",
    404: "No such source",
    409: "Another source already has this url",
    413: "Body larger than the configured limit",
    415: "Content type not accepted here",
    422: "Invalid field: unknown, wrong type, bad date, empty text",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each a problem+json body."""
    schema = Problem.model_json_schema()
    return {
        status: {
            "description": PROBLEM_TEXT[status],
            "content": {"application/problem+json": {"schema": schema}},
        }
        for status in statuses
    }


class PageParams(BaseModel):
    """Paging shared by every list; unknown parameters are rejected, not ignored."""

    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200, description="Items per page (1-200)")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")
    format: Literal["json", "csv", "ndjson"] | None = Field(
        default=None,
        description="json (default), or csv / ndjson streaming every matching item (also by Accept)",
    )


class JSONResponse(Response):
    """orjson-rendered JSON: dates as ISO strings, several times faster than the stdlib encoder."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


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
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["link"] = f'<{url}>; rel="next"'
    return response
