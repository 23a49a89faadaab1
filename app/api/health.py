"""Operations: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import SessionDep
from app.api.problems import problem_responses
from app.api.responses import JSONResponse
from app.errors import NotReady
from app.migrate import current_revisions, head_revisions
from app.telemetry import HttpMetrics, exposition, kb_size_families, kb_sizes

router = APIRouter(tags=["operations"])
# A probe or a scrape must see the live state, never a cached copy (see caching.py).
NO_STORE = {"cache-control": "no-store"}


class Health(BaseModel):
    """GET /health: the process serves and its database answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
    status: Literal["ok"] = Field(description="Always `ok` (a failing check answers 5xx instead)")


class Ready(BaseModel):
    """GET /ready: the database is reachable and at the newest migration."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ready", "revision": "0010"}]})
    status: Literal["ready"] = Field(description="Always `ready` (otherwise the answer is a 503 problem)")
    revision: str = Field(description="The database's migration revision (the code's head)")


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> JSONResponse:
    """Liveness: the service is up and its database answers."""
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get(
    "/ready",
    response_model=Ready,
    responses=problem_responses(503, e503="Database unreachable, or migrations behind"),
)
def ready(session: SessionDep) -> JSONResponse:
    """Readiness: the database answers and its schema is at the newest migration (else 503, saying which)."""
    try:
        current = current_revisions(session.connection())
    except SQLAlchemyError as exc:
        raise NotReady(f"database unreachable: {type(exc).__name__}") from exc
    expected = head_revisions()
    if current != expected:
        raise NotReady(
            f"migrations not at head: database at {', '.join(sorted(current)) or 'no revision'}, "
            f"code expects {', '.join(sorted(expected))}; run `aikb migrate`"
        )
    return JSONResponse({"status": "ready", "revision": ", ".join(sorted(current))}, headers=NO_STORE)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request, session: SessionDep) -> Response:
    """Prometheus text format: requests by method, route and status, latencies, knowledge-base sizes."""
    http_metrics: HttpMetrics = request.app.state.http_metrics
    sizes = kb_sizes(connection=session.connection())
    return Response(
        exposition(http_metrics, kb_size_families(sizes)),
        media_type="text/plain; version=0.0.4; charset=utf-8",
        headers=NO_STORE,
    )
