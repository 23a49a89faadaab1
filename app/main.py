"""The ASGI app: routers, middleware and the problem-details error handlers. Nothing else."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from starlette.middleware.cors import CORSMiddleware

from app.api import changes, claims, entities, health, overview, problems, sources, write
from app.api.auth import require_read
from app.api.caching import ETagMiddleware
from app.api.head import HeadMiddleware
from app.api.limits import BodyLimitMiddleware
from app.api.observability import ObservabilityMiddleware
from app.api.openapi import document_models
from app.api.problems import install_problem_handlers
from app.api.responses import JSONResponse
from app.config import Settings, get_settings
from app.db import get_engine
from app.ingest import ArticleIn, ArticleMetadata
from app.memory import limit_malloc_arenas
from app.telemetry import HttpMetrics
from app.ui import routes as ui

PAGE_PATHS = ("/ui/", "/docs", "/redoc")  # HTML: the pages' Content-Security-Policy (observability.py)

__all__ = ["app", "create_app"]


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


def create_app(engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the application over `engine` (default: the engine for DATABASE_URL) with `settings`
    (default: from the environment)."""
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
    settings = settings or get_settings()
    api.state.settings = settings
    api.state.engine = engine if engine is not None else get_engine()
    # The bodies of POST and PATCH /sources, under the names clients know them by.
    document_models(api, SourceCreate=ArticleIn, SourcePatch=ArticleMetadata)
    api.add_middleware(ETagMiddleware)
    # Outside the ETag layer, which hashes the GET body a HEAD then drops.
    api.add_middleware(HeadMiddleware)
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
            responses=problems.problem_responses(
                401, 422, 503, e401="An unknown or revoked API key, or none when reads need one"
            ),
        )
    # Any request can be refused with a 422 (a NUL in a parameter: app/api/limits.py).
    for module in (write, health, problems):
        api.include_router(module.router, responses=problems.problem_responses(422))
    # The explorer (HTML pages under /ui/, their assets) and the API documentation pages.
    api.include_router(ui.router)
    api.include_router(ui.docs_router)
    api.mount(ui.STATIC_PATH, ui.static_files(), name="ui-static")

    install_problem_handlers(api)
    return api


app = create_app()
