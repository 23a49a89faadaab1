"""Sources: the articles, with their exact text and the entities they mention."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from app import queries
from app.api.deps import JSONResponse, PageParams, SessionDep, page_response
from app.models import Page, SourceDetail, SourcePublic

router = APIRouter(prefix="/sources", tags=["sources"])


class SourceFilter(PageParams):
    publisher: str | None = Field(default=None, description="Exact publisher name")


@router.get("", response_model=Page[SourcePublic])
def list_sources(session: SessionDep, params: Annotated[SourceFilter, Query()]) -> JSONResponse:
    """List sources (without their text)."""
    items, cursor = queries.list_sources(
        session, limit=params.limit, cursor=params.cursor, publisher=params.publisher
    )
    return page_response(items, cursor)


@router.get("/{source_id}", response_model=SourceDetail)
def get_source(source_id: str, session: SessionDep) -> JSONResponse:
    """One source: metadata, the exact text every span indexes into, and the entities it mentions."""
    return JSONResponse(queries.get_source(session, source_id))
