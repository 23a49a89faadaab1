"""Claims: assertions with their exact span, topics, entities, quantities, speaker and cited source."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app import queries
from app.api.deps import JSONResponse, SessionDep, page_response
from app.api.formats import export_response, wanted_format
from app.models import ClaimPublic, Page
from app.queries import ClaimFilter

router = APIRouter(prefix="/claims", tags=["claims"])


class ClaimPage(Page[ClaimPublic]):
    facets: dict[str, list[dict[str, Any]]] | None = None


def claims_page(request: Request, session: SessionDep, params: ClaimFilter) -> Response:
    """The one path every claim list goes through: filter, sort, page, facets, Link header, formats."""
    fmt = wanted_format(request, params.format)
    if fmt != "json":
        return export_response(
            session.get_bind(),  # type: ignore[arg-type]
            fmt,
            params.cursor,
            lambda s, cursor, n: queries.list_claims(
                s, params.model_copy(update={"cursor": cursor, "limit": n})
            ),
        )
    items, cursor = queries.list_claims(session, params)
    facets = queries.claim_facets(session, params)
    return page_response(items, cursor, request=request, extra={"facets": facets} if facets else None)


@router.get("", response_model=ClaimPage)
def list_claims(request: Request, session: SessionDep, params: Annotated[ClaimFilter, Query()]) -> Response:
    """List claims matching every filter, e.g. `?topic=chips&entity=huawei&published_from=2025-01-01`."""
    return claims_page(request, session, params)


@router.get("/{claim_id}", response_model=ClaimPublic)
def get_claim(claim_id: str, session: SessionDep) -> JSONResponse:
    """One claim with its source (title, publisher, url, dates) and the sentences before and after it."""
    return JSONResponse(queries.get_claim(session, claim_id))
