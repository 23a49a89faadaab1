"""The ASGI app: routers and the one error handler. Nothing else."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import sqlalchemy.exc
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from app.api import changes, claims, entities, health, overview, sources, write
from app.api.auth import require_read
from app.api.caching import ETagMiddleware
from app.api.deps import JSONResponse, document_models, problems, validation_message
from app.api.limits import BodyLimitMiddleware
from app.api.observability import ObservabilityMiddleware
from app.config import get_settings
from app.db import get_engine, is_timeout
from app.errors import KBError
from app.memory import limit_malloc_arenas
from app.models import SourceCreate, SourcePatch
from app.observability import HttpMetrics
from app.ui import routes as ui

PAGE_PATHS = ("/ui/", "/docs", "/redoc")  # HTML: the pages' Content-Security-Policy (observability.py)

__all__ = ["app", "create_app"]


def _problem(
    status: int,
    title: str,
    detail: str,
    parameter: str | None = None,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if parameter:
        body["parameter"] = parameter
    response = JSONResponse(body, status_code=status, headers=headers)
    response.headers["content-type"] = "application/problem+json"
    return response


@asynccontextmanager
async def _lifespan(api: FastAPI) -> AsyncIterator[None]:
    # The app's long-lived objects (routes, models, the catalog) never become garbage: moving them out of
    # the collector's generations keeps full collections, and the p99 spikes they cause, short.
    gc.collect()
    gc.freeze()
    yield
    reader = getattr(api.state, "sqlite_reader", None)
    if reader is not None:
        reader.close()
        api.state.sqlite_reader = None


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the application over `engine` (default: the engine for DATABASE_URL)."""
    limit_malloc_arenas()  # before the threadpool's threads exist
    api = FastAPI(
        title="aikb",
        version="0.1.0",
        description="A source-traceable knowledge base of the China/US AI race.",
        default_response_class=JSONResponse,
        lifespan=_lifespan,
        # Operation ids are the route functions' names: `create_source`, not `create_source_sources_post`.
        generate_unique_id_function=lambda route: route.name,
        # /docs and /redoc are the explorer's (app.ui.routes): the same pages on assets the app serves.
        docs_url=None,
        redoc_url=None,
    )
    api.state.engine = engine if engine is not None else get_engine()
    document_models(api, SourceCreate, SourcePatch)
    settings = get_settings()
    api.add_middleware(ETagMiddleware)
    api.add_middleware(BodyLimitMiddleware, max_bytes=settings.aikb_max_body_bytes)
    if settings.cors_origins:  # off unless configured: no layer, no headers, preflights not allowed
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", "Link", "Location", "X-Request-ID", "Retry-After"],
        )
    # Added last, so outermost: it times and counts everything, 304s, errors and preflights included, and
    # stamps the security headers on all of them.
    api.state.http_metrics = HttpMetrics()
    api.add_middleware(
        ObservabilityMiddleware,
        metrics=api.state.http_metrics,
        access_log=settings.aikb_access_log,
        cors=bool(settings.cors_origins),
        page_paths=PAGE_PATHS,
    )
    # Writes check their own (write) scope; reads need a key only when AIKB_READ_REQUIRES_KEY is set.
    for module in (claims, sources, entities, overview, changes):  # the busiest routes first
        api.include_router(
            module.router,
            dependencies=[Depends(require_read)],
            responses=problems(
                401, 422, 503, e401="An unknown or revoked API key, or none when reads need one"
            ),
        )
    # Any request can be refused with a 422 (a NUL in a parameter: app/api/limits.py).
    api.include_router(write.router, responses=problems(422))
    api.include_router(health.router, responses=problems(422))
    # The explorer (HTML pages under /ui/, their assets) and the API documentation pages.
    api.include_router(ui.router)
    api.include_router(ui.docs_router)
    api.mount(ui.STATIC_PATH, ui.static_files(), name="ui-static")

    @api.exception_handler(KBError)
    async def kb_error(_request: Request, exc: KBError) -> JSONResponse:
        return _problem(exc.status, exc.title, exc.detail, exc.parameter, exc.type, exc.headers)

    @api.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parameter, message = validation_message(exc.errors()[0] if exc.errors() else {})
        return _problem(422, "Invalid parameter", message, parameter)

    @api.exception_handler(sqlalchemy.exc.DBAPIError)
    @api.exception_handler(sqlite3.OperationalError)
    @api.exception_handler(psycopg.Error)
    async def database_error(_request: Request, exc: Exception) -> JSONResponse:
        if is_timeout(exc):
            limit = get_settings().query_time_limit_ms
            response = _problem(
                503,
                "Query time limit",
                f"the query ran longer than the {limit} ms limit; narrow it (fewer or more selective "
                "filters, a date range) or page with a smaller limit",
            )
            response.headers["retry-after"] = "1"
            return response
        raise exc

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _problem(exc.status_code, str(exc.detail), str(exc.detail))

    return api


app = create_app()
