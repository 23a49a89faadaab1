"""Sources: the articles, with their exact text and the entities they mention."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app import queries
from app.api.claims import ClaimFilterDep, ClaimPage, claims_page
from app.api.deps import SessionDep, SourceId
from app.api.problems import problem_responses
from app.api.responses import EXPORTS, JSONResponse, list_response
from app.errors import NotFound
from app.models import Page, SourceDetail, SourcePublic
from app.queries import SourceFilter

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", response_model=Page[SourcePublic], responses={**EXPORTS, **problem_responses(400)})
def list_sources(request: Request, session: SessionDep, params: Annotated[SourceFilter, Query()]) -> Response:
    """List sources (without their text)."""
    return list_response(request, session, params, queries.list_sources)


@router.get("/{source_id}", response_model=SourceDetail, responses=problem_responses(404))
def get_source(source_id: SourceId, session: SessionDep) -> JSONResponse:
    """One source: metadata, the exact text every span indexes into, and the entities it mentions."""
    return JSONResponse(queries.get_source(session, source_id))


@router.get(
    "/{source_id}/claims", response_model=ClaimPage, responses={**EXPORTS, **problem_responses(400, 404)}
)
def source_claims(
    source_id: SourceId, request: Request, session: SessionDep, params: ClaimFilterDep
) -> Response:
    """The claims of one source (reading order by default), with every /claims filter."""
    if not queries.source_exists(session, source_id):
        raise NotFound(f"no source with id {source_id!r}")
    return claims_page(request, session, params.model_copy(update={"source": source_id}))
