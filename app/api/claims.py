"""Claims: assertions with their exact span, topics, entities, quantities, speaker and cited source."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import queries
from app.api.deps import ClaimId, run_query
from app.api.fast_query import fast_query_route
from app.api.formats import export_response, wanted_format
from app.api.problems import problem_responses
from app.api.responses import EXPORTS, JSONResponse, export_limit, next_link
from app.models import ClaimDetail, ClaimPublic, EntityType, Page
from app.queries import COUNT_LIMIT, ClaimFilter, DocumentPage
from app.sql import Db

__all__ = ["ClaimFilterDep", "ClaimPage", "FacetValue", "claims_page", "router"]

router = APIRouter(prefix="/claims", tags=["claims"])
ClaimFilterDep = Annotated[ClaimFilter, Query()]


class FacetValue(BaseModel):
    """How many of the matching claims have one value of a facet."""

    value: str = Field(description="The value: a topic, entity, kind or source id")
    count: int = Field(description="Matching claims with it")
    name: str | None = Field(default=None, description="The entity's name (entity and speaker facets)")
    type: EntityType | None = Field(default=None, description="The entity's type (entity and speaker facets)")


class ClaimPage(Page[ClaimPublic]):
    """A page of claims, with facets and a count when asked."""

    facets: dict[str, list[FacetValue]] | None = Field(
        default=None, description="With `facets`: counts by each facet asked, largest first (up to 50 each)"
    )
    count: int | None = Field(
        default=None,
        description=f"With `count=true`: how many claims match (at most {COUNT_LIMIT:,}; see "
        "count_truncated)",
    )
    count_truncated: bool | None = Field(
        default=None,
        description=f"With `count=true`: true when more than {COUNT_LIMIT:,} claims match and `count` "
        "stopped there (filters by one topic, one entity or nothing are counted exactly)",
    )


def _body(request: Request, found: DocumentPage) -> Response:
    """A JSON page of claims: the stored documents spliced into the body, never parsed or re-encoded."""
    body = b'{"items":[' + b",".join(found.docs) + b'],"next_cursor":' + orjson.dumps(found.next_cursor)
    if found.facets:
        body += b',"facets":' + orjson.dumps(found.facets)
    if found.count is not None:
        body += b',"count":%d,"count_truncated":%s' % (
            found.count[0],
            b"true" if found.count[1] else b"false",
        )
    headers = {"link": next_link(request, found.next_cursor)} if found.next_cursor else None
    return Response(body + b"}", media_type="application/json", headers=headers)


def _export(request: Request, params: ClaimFilter) -> Response:
    def batch(session: Session, cursor: str | None, n: int) -> tuple[list[dict[str, Any]], str | None]:
        return queries.claim_items(session, params.model_copy(update={"cursor": cursor, "limit": n}))

    fmt = wanted_format(request, params.format)
    return export_response(request, request.app.state.engine, fmt, params.cursor, batch, export_limit(params))


def claims_page(request: Request, session: Session, params: ClaimFilter) -> Response:
    """Claims of a sub-resource (/entities/{id}/claims, /sources/{id}/claims) in a sync endpoint's session."""
    if wanted_format(request, params.format) != "json":
        return _export(request, params)
    return _body(request, queries.claim_page(Db.of(session), params))


@fast_query_route(router, "", response_model=ClaimPage, responses={**EXPORTS, **problem_responses(400, 422)})
async def list_claims(request: Request, params: ClaimFilterDep) -> Response:
    """List claims matching every filter, e.g. `?topic=chips&entity=huawei&published_from=2025-01-01`."""
    if wanted_format(request, params.format) != "json":  # the first batch is read before streaming
        return await run_in_threadpool(_export, request, params)
    found = await run_query(
        request, partial(queries.claim_page, f=params), inline=queries.runs_inline(params)
    )
    return _body(request, found)


@router.get("/{claim_id}", response_model=ClaimDetail, responses=problem_responses(404, e404="No such claim"))
async def get_claim(claim_id: ClaimId, request: Request) -> JSONResponse:
    """One claim as lists serve it, plus its source's title, publisher, url and dates (`source_info`) and the
    sentences before and after it (`context`)."""
    return JSONResponse(await run_query(request, partial(queries.get_claim, claim_id=claim_id), inline=True))
