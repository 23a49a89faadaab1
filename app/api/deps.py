"""Dependencies shared by the routers: the session and the page parameters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.db import get_session

__all__ = ["JSONResponse", "PageParams", "SessionDep", "page_response"]

SessionDep = Annotated[Session, Depends(get_session)]


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
