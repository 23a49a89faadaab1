"""Sources: the articles, with their exact text and the entities they mention."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from app import queries
from app.api.claims import ClaimPage, claims_page
from app.api.deps import EXPORTS, JSONResponse, PageParams, SessionDep, problems
from app.api.formats import list_response
from app.models import Page, SourceDetail, SourcePublic
from app.queries import ClaimFilter

router = APIRouter(prefix="/sources", tags=["sources"])


class SourceFilter(PageParams):
    publisher: str | None = Field(default=None, description="Exact publisher name")
    published_from: date | None = Field(default=None, description="Published (or not before) on or after")
    published_to: date | None = Field(default=None, description="Published (or not before) on or before")


@router.get("", response_model=Page[SourcePublic], responses={**EXPORTS, **problems(400)})
def list_sources(request: Request, session: SessionDep, params: Annotated[SourceFilter, Query()]) -> Response:
    """List sources (without their text)."""
    return list_response(
        request,
        session,
        params,
        lambda s, cursor, limit: queries.list_sources(
            s,
            limit=limit,
            cursor=cursor,
            publisher=params.publisher,
            published_from=params.published_from,
            published_to=params.published_to,
        ),
    )


@router.get("/{source_id}", response_model=SourceDetail, responses=problems(404))
def get_source(source_id: str, session: SessionDep) -> JSONResponse:
    """One source: metadata, the exact text every span indexes into, and the entities it mentions."""
    return JSONResponse(queries.get_source(session, source_id))


@router.get("/{source_id}/claims", response_model=ClaimPage, responses={**EXPORTS, **problems(400, 404)})
def source_claims(
    source_id: str, request: Request, session: SessionDep, params: Annotated[ClaimFilter, Query()]
) -> Response:
    """The claims of one source (reading order by default), with every /claims filter."""
    queries.get_source_exists(session, source_id)
    return claims_page(request, session, params.model_copy(update={"source": source_id}))
