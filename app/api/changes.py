"""The change feed: what happened to which source, in order, so a tool can sync without re-reading all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import SessionDep
from app.api.responses import JSONResponse
from app.changes import list_changes
from app.models import ChangePublic

router = APIRouter(tags=["changes"])
NO_CACHE = {"cache-control": "no-cache"}


class ChangeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The bound is the largest id a change can have (`change.id` is a 32-bit INTEGER on PostgreSQL).
    since: int = Field(
        default=0, ge=0, le=2**31 - 1, description="`next_cursor` of the previous call (0: from the start)"
    )
    limit: int = Field(default=100, ge=1, le=1000, description="Entries per call (1-1000)")


class ChangeFeed(BaseModel):
    items: list[ChangePublic] = Field(description="Changes after `since`, oldest first")
    next_cursor: int = Field(description="Pass as `since` next time; equals `since` when nothing is new")
    has_more: bool = Field(description="More entries are waiting: call again at once")


@router.get("/changes", response_model=ChangeFeed)
def changes(session: SessionDep, params: Annotated[ChangeParams, Query()]) -> JSONResponse:
    """Sources created, updated (text, metadata or re-extraction) and deleted, oldest first. The cursor is
    the sequence number of the last entry seen: keep it, and ask again with `since=<it>` later."""
    items, cursor, more = list_changes(session, since=params.since, limit=params.limit)
    # A sync feed: a client may keep it, but must revalidate (If-None-Match) every time it asks.
    return JSONResponse({"items": items, "next_cursor": cursor, "has_more": more}, headers=NO_CACHE)
