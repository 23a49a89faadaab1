"""Entities and the relations between them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import Field

from app import queries
from app.api.claims import ClaimPage, claims_page
from app.api.deps import EXPORTS, JSONResponse, PageParams, SessionDep, problems
from app.api.formats import list_response
from app.errors import NotFound
from app.models import (
    PREDICATE_HELP,
    EntityDetail,
    EntityPublic,
    EntityType,
    Page,
    Predicate,
    RelationPublic,
    TopicId,
)
from app.queries import ClaimFilter

router = APIRouter(tags=["entities"])


class EntityFilter(PageParams):
    type: EntityType | None = None
    topic: TopicId | None = Field(default=None, description="Only entities with claims on this topic")
    sort: Literal["id", "name", "-claims"] = Field(
        default="id", description="id, name, or -claims (most first)"
    )
    q: str | None = Field(default=None, min_length=1, max_length=200, description="Prefix of a name or alias")


class RelationFilter(PageParams):
    subject: str | None = Field(default=None, description="Entity id of the subject")
    predicate: Predicate | None = Field(default=None, description=PREDICATE_HELP)
    object: str | None = Field(default=None, description="Entity id of the object")
    source: str | None = Field(default=None, description="Source id: relations that article states")
    min_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Only relations at least this confident (0-1; catalog relations are 1.0, relations an "
        "older extractor wrote have none and are left out)",
    )


NO_ENTITY = problems(404, e404="No such entity")
REDIRECT: dict[int | str, dict[str, Any]] = {
    301: {"description": "An alias or old id: `Location` is the canonical entity's URL"}
}


@router.get("/entities", response_model=Page[EntityPublic], responses={**EXPORTS, **problems(400)})
def list_entities(
    request: Request, session: SessionDep, params: Annotated[EntityFilter, Query()]
) -> Response:
    """List entities, optionally by type or name/alias prefix (for autocomplete)."""
    return list_response(
        request,
        session,
        params,
        lambda s, cursor, limit: queries.list_entities(
            s, limit=limit, cursor=cursor, type=params.type, q=params.q, topic=params.topic, sort=params.sort
        ),
    )


def _entity_or_redirect(session: SessionDep, entity_id: str, request: Request) -> RedirectResponse | None:
    """None when the id exists; a 301 to the canonical entity when it is an alias or an old id."""
    try:
        queries.get_entity_exists(session, entity_id)
        return None
    except NotFound:
        canonical = queries.canonical_entity(session, entity_id)
        if canonical is None or canonical == entity_id:
            raise
        target = request.url.path.replace(f"/entities/{entity_id}", f"/entities/{canonical}", 1)
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(target + query, status_code=301)


@router.get("/entities/{entity_id}", response_model=EntityDetail, responses={**REDIRECT, **NO_ENTITY})
def get_entity(entity_id: str, request: Request, session: SessionDep) -> Any:
    """An entity: aliases, attributes, relations in and out, claim counts by topic, sources mentioning it.
    An alias or old id (`/entities/nvidia-corporation`) answers 301 with the canonical URL."""
    return _entity_or_redirect(session, entity_id, request) or JSONResponse(
        queries.get_entity(session, entity_id)
    )


@router.get(
    "/entities/{entity_id}/claims",
    response_model=ClaimPage,
    responses={**EXPORTS, **REDIRECT, **problems(400), **NO_ENTITY},
)
def entity_claims(
    entity_id: str, request: Request, session: SessionDep, params: Annotated[ClaimFilter, Query()]
) -> Any:
    """Claims about the entity, with every /claims filter."""
    redirect = _entity_or_redirect(session, entity_id, request)
    if redirect is not None:
        return redirect
    return claims_page(request, session, params.model_copy(update={"entity": [entity_id, *params.entity]}))


@router.get(
    "/entities/{entity_id}/relations",
    response_model=Page[RelationPublic],
    responses={**EXPORTS, **REDIRECT, **problems(400), **NO_ENTITY},
)
def entity_relations(
    entity_id: str, request: Request, session: SessionDep, params: Annotated[PageParams, Query()]
) -> Any:
    """Relations in which the entity is subject or object, with their provenance."""
    redirect = _entity_or_redirect(session, entity_id, request)
    if redirect is not None:
        return redirect
    return list_response(
        request,
        session,
        params,
        lambda s, cursor, limit: queries.entity_relations(s, entity_id, limit=limit, cursor=cursor),
    )


@router.get("/relations", response_model=Page[RelationPublic], responses={**EXPORTS, **problems(400)})
def list_relations(
    request: Request, session: SessionDep, params: Annotated[RelationFilter, Query()]
) -> Response:
    """List relations with their provenance: for a relation read from an article, the source, the claim, the
    span of the wording that states it and that wording as `evidence`, with a calibrated `confidence`; for a
    catalog relation, the catalog's basis as `evidence` (confidence 1.0). See `predicate` for what each
    relation means and which way it reads."""
    return list_response(
        request,
        session,
        params,
        lambda s, cursor, limit: queries.list_relations(
            s,
            limit=limit,
            cursor=cursor,
            subject=params.subject,
            predicate=params.predicate,
            object=params.object,
            source=params.source,
            min_confidence=params.min_confidence,
        ),
    )
