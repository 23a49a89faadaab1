"""API keys on requests: `Authorization: Bearer aikb_…`. Writes need `write`; reads need `read` only when
AIKB_READ_REQUIRES_KEY is set."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import keys
from app.api.deps import SessionDep, SettingsDep
from app.config import Settings, get_settings
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey

__all__ = ["authorize_read", "require_read", "require_write"]

bearer = HTTPBearer(auto_error=False, description="An API key made with `aikb keys create NAME --scope …`")


def current_key(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey | None:
    """The request's key, None without one; a key that is presented but unknown or revoked is a 401 even
    where none is needed, so a client learns about it at once."""
    if credentials is None:
        return None
    key = keys.authenticate(session, credentials.credentials)
    session.commit()  # last_used_at, in its own short transaction before the request's work
    return key


KeyDep = Annotated[ApiKey | None, Depends(current_key)]


def require_read(settings: SettingsDep, key: KeyDep) -> None:
    """Reads are public unless AIKB_READ_REQUIRES_KEY is set; then any live key will do."""
    if key is None and settings.aikb_read_requires_key:
        raise Unauthorized("reads need an API key: Authorization: Bearer <key>")


def require_write(key: KeyDep) -> None:
    """Writes need a key with the `write` scope."""
    if key is None:
        raise Unauthorized("writes need an API key with the write scope: Authorization: Bearer <key>")
    if "write" not in key.scopes:
        raise Forbidden(f"API key {key.id} ({key.name}) has scopes {key.scopes}; this needs write")


async def authorize_read(request: Request) -> None:
    """`require_read` for endpoints that skip FastAPI's dependency solving (see claims.DirectRoute): the
    same rules, and nothing to do (no database) for an anonymous read when reads are public."""
    provider = request.app.dependency_overrides.get(get_settings, get_settings)
    settings: Settings = provider()
    header = request.headers.get("authorization")
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        if settings.aikb_read_requires_key:
            raise Unauthorized("reads need an API key: Authorization: Bearer <key>")
        return

    def check() -> None:
        with Session(request.app.state.engine) as session:
            keys.authenticate(session, token.strip())
            session.commit()

    await run_in_threadpool(check)
