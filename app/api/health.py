"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import JSONResponse, SessionDep

router = APIRouter(tags=["operations"])


@router.get("/health")
def health(session: SessionDep) -> JSONResponse:
    """The service is up and its database answers."""
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
