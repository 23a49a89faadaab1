"""The explorer's pages under /ui/, the API documentation pages (/docs, /redoc) on local assets, and `/`,
which sends browsers to the explorer."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from app.api.auth import require_read
from app.api.deps import SessionDep
from app.api.fast_query import model_from_pairs
from app.api.problems import validation_message
from app.errors import KBError
from app.ui import data
from app.ui.data import ClaimFilter
from app.ui.reader import path_part
from app.ui.render import ENTITY_TYPES, TOPICS, chart, reader_markup, render

__all__ = ["STATIC_PATH", "docs_router", "router", "static_files"]

STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/ui/static"
IGNORED = {"select", "format", "facets"}  # API parameters that shape JSON, not which claims match


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def error_page(status: int, title: str, detail: str) -> HTMLResponse:
    """The page of an error: its status, and the words the API's problem body would carry."""
    return html(render("error.html", title=title, detail=detail, status=status), status)


class PageRoute(APIRoute):
    """A page route: the errors the query layer raises (404, 400, 422) become an HTML page with the same
    status and detail that the API's problem body carries."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except KBError as exc:
                return error_page(exc.status, exc.title, exc.detail)
            except RequestValidationError as exc:
                errors = exc.errors()
                parameter, message = validation_message(errors[0] if errors else {})
                detail = f"{parameter}: {message}" if parameter else message
                return error_page(422, "Invalid parameter", detail)

        return page


router = APIRouter(
    prefix="/ui", route_class=PageRoute, include_in_schema=False, dependencies=[Depends(require_read)]
)
docs_router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    """The stylesheet, script, icon and the vendored Swagger UI and ReDoc, served by the app itself."""
    return StaticFiles(directory=STATIC)


# --- overview and search --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(session: SessionDep) -> HTMLResponse:
    found = data.overview(session)
    return html(render("overview.html", **found, chart=chart(found["months"]), nav="overview"))


@router.get("/search", response_class=HTMLResponse)
def search(session: SessionDep, q: str = "") -> Response:
    q = q.strip()
    if not q:
        return RedirectResponse("/ui/claims", status_code=303)
    if len(q) > 200:
        return error_page(422, "Invalid parameter", "q: at most 200 characters")
    found = data.search(session, q)
    return html(render("search.html", q=q, **found, nav="search"))


# --- claims ---------------------------------------------------------------------------------------------


def _claim_query(request: Request) -> tuple[list[tuple[str, str]], bool]:
    """The query string's pairs without empty values (a form submits its empty fields), and whether any were
    dropped."""
    pairs = request.query_params.multi_items()
    kept = [(k, v) for k, v in pairs if v.strip() != ""]
    return kept, len(kept) != len(pairs)


def _claim_filter(pairs: list[tuple[str, str]]) -> ClaimFilter:
    return model_from_pairs(ClaimFilter, [(k, v) for k, v in pairs if k not in IGNORED])


@router.get("/claims", response_class=HTMLResponse)
def claims(request: Request, session: SessionDep) -> Response:
    pairs, dropped = _claim_query(request)
    if dropped:  # so that the address is exactly the API's query string
        target = "/ui/claims" + (f"?{urlencode(pairs)}" if pairs else "")
        return RedirectResponse(target, status_code=303)
    f = _claim_filter(pairs)
    found = data.claims_page(session, f)
    shown = [(k, v) for k, v in pairs if k not in IGNORED]
    return html(
        render(
            "claims.html",
            **found,
            f=f,
            query=shown,
            api_query=request.url.query,
            sort=f.effective_sort(),
            nav="claims",
        )
    )


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim(claim_id: str, session: SessionDep) -> HTMLResponse:
    found = data.claim_detail(session, claim_id)
    return html(render("claim.html", **found, nav="claims"))


# --- sources --------------------------------------------------------------------------------------------


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source(source_id: str, session: SessionDep) -> HTMLResponse:
    found = data.source_reader(session, source_id)
    markup = reader_markup(found["source"]["text"], found["claims"], found["mentions"], found["entities"])
    return html(render("source.html", **found, markup=markup, nav="sources"))


# --- entities -------------------------------------------------------------------------------------------


@router.get("/entities", response_class=HTMLResponse)
def entities(session: SessionDep, type: str = "", q: str = "", cursor: str = "") -> Response:
    if type and type not in ENTITY_TYPES:
        return error_page(422, "Invalid parameter", f"type: {type!r} is not one of {', '.join(ENTITY_TYPES)}")
    if len(q) > 200:
        return error_page(422, "Invalid parameter", "q: at most 200 characters")
    items, next_cursor = data.entity_list(
        session, type=type or None, q=q.strip() or None, cursor=cursor or None
    )
    return html(render("entities.html", items=items, next_cursor=next_cursor, type=type, q=q, nav="entities"))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(entity_id: str, session: SessionDep) -> Response:
    canonical = data.canonical_entity(session, entity_id)
    if canonical is not None:
        return RedirectResponse(f"/ui/entities/{path_part(canonical)}", status_code=301)
    found = data.entity_profile(session, entity_id)
    timeline = found["timeline"]
    drawn = chart(timeline["months"], TOPICS if timeline["by_topic"] else ("all",))
    return html(render("entity.html", **found, chart=drawn, nav="entities"))


# --- claim groups ---------------------------------------------------------------------------------------


@router.get("/conflicts", response_class=HTMLResponse)
def conflicts(session: SessionDep) -> HTMLResponse:
    groups = {kind: data.group_listing(session, kind)[0] for kind in ("conflicts", "corroborations")}
    return html(render("conflicts.html", groups=groups, nav="conflicts"))


# --- API documentation on local assets ------------------------------------------------------------------

Docs = Literal["swagger", "redoc"]


@docs_router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    return html(render("docs.html", kind="swagger"))


@docs_router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    return html(render("docs.html", kind="redoc"))


@docs_router.get("/")
def root(request: Request) -> Response:
    """Browsers (Accept: text/html) go to the explorer; API clients get the 404 they always got."""
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse("/ui/", status_code=303)
    raise StarletteHTTPException(404, "Not Found")
