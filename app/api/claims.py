"""Claims: assertions with their exact span, topics, entities, quantities, speaker and cited source."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app import queries
from app.api.auth import authorize_read
from app.api.deps import EXPORTS, JSONResponse, SessionDep, next_link, problems, read
from app.api.formats import export_response, wanted_format
from app.models import ClaimPublic, Page
from app.queries import ClaimFilter, Db

router = APIRouter(prefix="/claims", tags=["claims"])


class ClaimPage(Page[ClaimPublic]):
    facets: dict[str, list[dict[str, Any]]] | None = None


_LISTS = {
    name
    for name, field in ClaimFilter.model_fields.items()
    if field.annotation is not None and "list[" in str(field.annotation)
}


def parse_claim_filter(request: Request) -> ClaimFilter:
    """The query string as a ClaimFilter, validated by the same model FastAPI would use, without FastAPI's
    per-parameter machinery (a large share of a request at this endpoint's speed); errors take the same
    path as FastAPI's own (one problem body)."""
    query = request.query_params
    data: dict[str, Any] = {}
    for name, value in query.multi_items():
        if name in _LISTS:
            data.setdefault(name, []).append(value)
        else:
            data[name] = value
    try:
        return ClaimFilter.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


def _openapi_parameters() -> list[dict[str, Any]]:
    """The query parameters of GET /claims for the OpenAPI document, from ClaimFilter's JSON schema."""
    schema = ClaimFilter.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    inlined: list[dict[str, Any]] = _inline_refs(parameters, schema.get("$defs", {}))
    return inlined


def _inline_refs(value: Any, defs: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline_refs(v, defs) for k, v in value.items()}
    if isinstance(value, list):
        return [_inline_refs(v, defs) for v in value]
    return value


def claims_body(db: Db, request: Request, params: ClaimFilter) -> Response:
    """A JSON page of claims: the stored documents spliced into the body, never parsed or re-encoded."""
    docs, cursor = queries.list_claims(db, params)
    facets = queries.claim_facets(db, params)
    body = b'{"items":[' + b",".join(docs) + b'],"next_cursor":' + orjson.dumps(cursor)
    if facets:
        body += b',"facets":' + orjson.dumps(facets)
    headers = {"link": next_link(request, cursor)} if cursor else None
    return Response(body + b"}", media_type="application/json", headers=headers)


def _export(request: Request, params: ClaimFilter) -> Response | None:
    fmt = wanted_format(request, params.format)
    if fmt == "json":
        return None

    def fetch(session: Any, cursor: str | None, n: int) -> tuple[list[dict[str, Any]], str | None]:
        return queries.claim_items(session, params.model_copy(update={"cursor": cursor, "limit": n}))

    return export_response(request.app.state.engine, fmt, params.cursor, fetch)


def claims_page(request: Request, session: SessionDep, params: ClaimFilter) -> Response:
    """Claims of a sub-resource (/entities/{id}/claims, /sources/{id}/claims) in a sync endpoint's session."""
    return _export(request, params) or claims_body(Db.of(session), request, params)


def _cheap(params: ClaimFilter) -> bool:
    """A read answered by one index range read (no filter but one topic, entity or source and dates; facets
    from the kept counts): safe to run on the event loop, where it costs less than a thread hop. Anything
    else, whose rows may be tested by the thousand before a page fills (a rare kind, speaker or quantity
    within a topic) or ranked (full text), runs in the threadpool, so it cannot stall other requests."""
    p = params
    if p.q or p.sort == "relevance" or len(p.topic) + len(p.entity) + (p.source is not None) > 1:
        return False
    if p.kind or p.entity_type or p.publisher or p.speaker or p.cited or p.unit:
        return False
    if p.has_quantity is not None or p.value_min is not None or p.value_max is not None:
        return False
    return not p.facets or queries._facet_scope(p) is not None


class DirectRoute(APIRoute):
    """A route whose endpoint takes the Request and returns a Response itself: FastAPI's dependency solving
    and response validation (~40 µs, a sixth of a page request) are skipped; the OpenAPI entry is kept."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response: Response = await endpoint(request)
            return response

        return handler


async def list_claims(request: Request) -> Response:
    """List claims matching every filter, e.g. `?topic=chips&entity=huawei&published_from=2025-01-01`."""
    await authorize_read(request)
    params = parse_claim_filter(request)
    if wanted_format(request, params.format) != "json":  # the first batch is read before streaming
        exported = await run_in_threadpool(_export, request, params)
        if exported is not None:
            return exported
    return await read(request, lambda db: claims_body(db, request, params), inline=_cheap(params))


router.add_api_route(
    "",
    list_claims,
    methods=["GET"],
    response_model=ClaimPage,
    responses={**EXPORTS, **problems(400, 422)},
    openapi_extra={"parameters": _openapi_parameters()},
    route_class_override=DirectRoute,
)


@router.get("/{claim_id}", response_model=ClaimPublic, responses=problems(404, e404="No such claim"))
async def get_claim(claim_id: str, request: Request) -> JSONResponse:
    """One claim with its source (title, publisher, url, dates) and the sentences before and after it."""
    return await read(request, lambda db: JSONResponse(queries.get_claim(db, claim_id)), inline=True)
