"""Entities and the relations between them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app import queries
from app.api.claims import ClaimFilterDep, ClaimPage, claims_page
from app.api.deps import EntityId, SessionDep
from app.api.problems import problem_responses
from app.api.responses import EXPORTS, JSONResponse, list_response
from app.errors import NotFound
from app.models import EntityDetail, EntityPublic, Page, RelationPublic
from app.queries import EntityFilter, PageParams, RelationFilter

router = APIRouter(tags=["entities"])

NO_ENTITY = problem_responses(404, e404="No such entity")
REDIRECT: dict[int | str, dict[str, Any]] = {
    301: {"description": "An alias or old id: `Location` is the canonical entity's URL"}
}


@router.get("/entities", response_model=Page[EntityPublic], responses={**EXPORTS, **problem_responses(400)})
def list_entities(
    request: Request, session: SessionDep, params: Annotated[EntityFilter, Query()]
) -> Response:
    """List entities, optionally by type or name/alias prefix (for autocomplete)."""
    return list_response(request, session, params, queries.list_entities)


def _redirect_unless_entity(session: Session, entity_id: str, request: Request) -> RedirectResponse | None:
    """None when the id exists; a 301 to the canonical entity when it is an alias or an old id; else 404."""
    if queries.entity_exists(session, entity_id):
        return None
    canonical = queries.canonical_entity(session, entity_id)
    if canonical is None or canonical == entity_id:
        raise NotFound(f"no entity with id {entity_id!r}")
    target = request.url.path.replace(f"/entities/{entity_id}", f"/entities/{canonical}", 1)
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(target + query, status_code=301)


@router.get("/entities/{entity_id}", response_model=EntityDetail, responses={**REDIRECT, **NO_ENTITY})
def get_entity(entity_id: EntityId, request: Request, session: SessionDep) -> Any:
    """An entity: aliases, attributes, relations in and out, claim counts by topic, sources mentioning it.
    An alias or old id (`/entities/nvidia-corporation`) answers 301 with the canonical URL."""
    return _redirect_unless_entity(session, entity_id, request) or JSONResponse(
        queries.get_entity(session, entity_id)
    )


@router.get(
    "/entities/{entity_id}/claims",
    response_model=ClaimPage,
    responses={**EXPORTS, **REDIRECT, **problem_responses(400), **NO_ENTITY},
)
def entity_claims(entity_id: EntityId, request: Request, session: SessionDep, params: ClaimFilterDep) -> Any:
    """Claims about the entity, with every /claims filter."""
    redirect = _redirect_unless_entity(session, entity_id, request)
    if redirect is not None:
        return redirect
    return claims_page(request, session, params.model_copy(update={"entity": [entity_id, *params.entity]}))


@router.get(
    "/entities/{entity_id}/relations",
    response_model=Page[RelationPublic],
    responses={**EXPORTS, **REDIRECT, **problem_responses(400), **NO_ENTITY},
)
def entity_relations(
    entity_id: EntityId, request: Request, session: SessionDep, params: Annotated[PageParams, Query()]
) -> Any:
    """Relations in which the entity is subject or object, with their provenance."""
    redirect = _redirect_unless_entity(session, entity_id, request)
    if redirect is not None:
        return redirect

    def relations(s: Session, page: PageParams) -> tuple[list[dict[str, Any]], str | None]:
        return queries.entity_relations(s, entity_id, page)

    return list_response(request, session, params, relations)


@router.get(
    "/relations", response_model=Page[RelationPublic], responses={**EXPORTS, **problem_responses(400)}
)
def list_relations(
    request: Request, session: SessionDep, params: Annotated[RelationFilter, Query()]
) -> Response:
    """List relations with their provenance: for a relation read from an article, the source, the claim, the
    span of the wording that states it and that wording as `evidence`, with a calibrated `confidence`; for a
    catalog relation, the catalog's basis as `evidence` (confidence 1.0). See `predicate` for what each
    relation means and which way it reads; `min_confidence` keeps the surer ones."""
    return list_response(request, session, params, queries.list_relations)
