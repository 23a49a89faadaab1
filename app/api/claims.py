"""Claims: assertions with their exact span, topics, entities, quantities, speaker and cited source."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from app import queries
from app.api.deps import JSONResponse, PageParams, SessionDep, page_response
from app.models import ClaimPublic, Page

router = APIRouter(prefix="/claims", tags=["claims"])

TopicId = Literal[
    "chips",
    "models",
    "policy",
    "talent",
    "research",
    "investment",
    "infrastructure",
    "open_source",
    "applications",
    "geopolitics",
    "market",
]


class ClaimFilter(PageParams):
    source: str | None = Field(default=None, description="Source id: that article's claims in reading order")
    topic: list[TopicId] = Field(default_factory=list, description="Topic id; repeat for all of several")
    entity: list[str] = Field(default_factory=list, description="Entity id; repeat for all of several")
    kind: Literal["statistic", "event", "quote", "assessment", "forecast"] | None = None
    speaker: str | None = Field(default=None, description="Entity id of the speaker")


@router.get("", response_model=Page[ClaimPublic])
def list_claims(session: SessionDep, params: Annotated[ClaimFilter, Query()]) -> JSONResponse:
    """List claims matching every filter."""
    items, cursor = queries.list_claims(
        session,
        limit=params.limit,
        cursor=params.cursor,
        source=params.source,
        topics=params.topic,
        entities=params.entity,
        kind=params.kind,
        speaker=params.speaker,
    )
    return page_response(items, cursor)
