"""Entities and the relations between them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from app import queries
from app.api.deps import JSONResponse, PageParams, SessionDep, page_response
from app.models import EntityPublic, Page, RelationPublic

router = APIRouter(tags=["entities"])

EntityTypeParam = Literal["company", "model", "chip", "policy", "person", "organization", "country"]
Predicate = Literal[
    "develops",
    "makes",
    "leads",
    "employs",
    "issued_by",
    "restricts",
    "headquartered_in",
    "invests_in",
    "partners_with",
    "owns",
    "cites",
]


class EntityFilter(PageParams):
    type: EntityTypeParam | None = None
    q: str | None = Field(default=None, min_length=1, max_length=200, description="Prefix of a name or alias")


class RelationFilter(PageParams):
    subject: str | None = Field(default=None, description="Entity id of the subject")
    predicate: Predicate | None = None
    object: str | None = Field(default=None, description="Entity id of the object")
    source: str | None = Field(default=None, description="Source id: relations that article states")


@router.get("/entities", response_model=Page[EntityPublic])
def list_entities(session: SessionDep, params: Annotated[EntityFilter, Query()]) -> JSONResponse:
    """List entities, optionally by type or name/alias prefix."""
    items, cursor = queries.list_entities(
        session, limit=params.limit, cursor=params.cursor, type=params.type, q=params.q
    )
    return page_response(items, cursor)


@router.get("/relations", response_model=Page[RelationPublic])
def list_relations(session: SessionDep, params: Annotated[RelationFilter, Query()]) -> JSONResponse:
    """List relations with their provenance (the stating span, or the catalog's basis)."""
    items, cursor = queries.list_relations(
        session,
        limit=params.limit,
        cursor=params.cursor,
        subject=params.subject,
        predicate=params.predicate,
        object=params.object,
        source=params.source,
    )
    return page_response(items, cursor)
