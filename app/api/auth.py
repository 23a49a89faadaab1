"""API keys on requests: `Authorization: Bearer aikb_…`. Writes need `write`; reads need `read` only when
AIKB_READ_REQUIRES_KEY is set."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import keys
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey

__all__ = ["require_read", "require_write"]

bearer = HTTPBearer(auto_error=False, description="An API key made with `aikb keys create NAME --scope …`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _authenticate(engine: Engine, secret: str) -> ApiKey:
    with Session(engine, expire_on_commit=False) as session:
        key = keys.authenticate(session, secret)
        session.commit()  # last_used_at, in its own short transaction before the request's work
        return key


async def _key(request: Request, credentials: HTTPAuthorizationCredentials | None) -> ApiKey | None:
    """The request's key, None without one; a key that is presented but unknown or revoked is a 401 even
    where none is needed, so a client learns about it at once. An anonymous request (most reads) costs no
    thread hop and no connection."""
    if credentials is None:
        return None
    return await run_in_threadpool(_authenticate, request.app.state.engine, credentials.credentials)


# Each is one dependency (plus the bearer scheme, which documents the key in OpenAPI): FastAPI solves
# every dependency of every request anew, and reads are served by the thousand per second.


async def require_read(request: Request, credentials: Credentials) -> None:
    """Reads are public unless AIKB_READ_REQUIRES_KEY is set; then any live key will do."""
    key = await _key(request, credentials)
    if key is None and request.app.state.settings.aikb_read_requires_key:
        raise Unauthorized("reads need an API key: Authorization: Bearer <key>")


async def require_write(request: Request, credentials: Credentials) -> None:
    """Writes need a key with the `write` scope."""
    key = await _key(request, credentials)
    if key is None:
        raise Unauthorized("writes need an API key with the write scope: Authorization: Bearer <key>")
    if "write" not in key.scopes:
        raise Forbidden(f"API key {key.id} ({key.name}) has scopes {key.scopes}; this needs write")
