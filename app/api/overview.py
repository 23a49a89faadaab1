"""Topics, search across entities and claims, and the size of the knowledge base."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from app import queries
from app.api.deps import SessionDep
from app.api.responses import JSONResponse
from app.models import SearchResults, Stats, TopicPublic
from app.queries import SearchParams

router = APIRouter(tags=["overview"])


class TopicCount(TopicPublic):
    claim_count: int = Field(description="Claims on this topic")


@router.get("/topics", response_model=list[TopicCount])
def list_topics(session: SessionDep) -> JSONResponse:
    """The eleven topics: ids, labels, definitions and claim counts."""
    return JSONResponse(queries.list_topics(session))


@router.get("/search", response_model=SearchResults)
def search(session: SessionDep, params: Annotated[SearchParams, Query()]) -> JSONResponse:
    """Entities whose name or alias starts with q, and the claims ranked by how well they match q."""
    return JSONResponse(queries.search(session, params))


@router.get("/stats", response_model=Stats)
def stats(session: SessionDep) -> JSONResponse:
    """Sizes of the knowledge base: sources, claims by kind, entities by type, relations by origin."""
    return JSONResponse(queries.stats(session))
