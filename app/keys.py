"""API keys: the secret is shown once at creation; the database keeps only its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session

from app.errors import Unauthorized
from app.models import ApiKey

__all__ = ["PREFIX", "Scope", "authenticate", "create_key", "hash_secret", "list_keys", "revoke_key"]

PREFIX = "aikb_"  # recognisable in logs and by secret scanners
Scope = Literal["read", "write"]
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint, not an audit log: one write a minute at most


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(session: Session, *, name: str, scope: Scope) -> tuple[ApiKey, str]:
    """A new key and its secret (which is stored nowhere); `write` implies `read`. The caller commits."""
    secret = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        scopes=["read", "write"] if scope == "write" else ["read"],
        secret_hash=hash_secret(secret),
        created_at=datetime.now(UTC),
    )
    session.add(key)
    session.flush()
    return key, secret


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))  # type: ignore[arg-type]


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Mark a key revoked (kept, so `keys list` still shows who it was); None when there is no such key."""
    key = session.get(ApiKey, key_id)
    if key is not None and key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.flush()
    return key


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


def authenticate(session: Session, secret: str) -> ApiKey:
    """The live key with this secret, or Unauthorized. Found by its hash (an indexed lookup that reveals
    nothing about near misses), then compared in constant time."""
    digest = hash_secret(secret)
    key = session.scalars(select(ApiKey).where(ApiKey.secret_hash == digest)).first()  # type: ignore[arg-type]
    if key is None or not hmac.compare_digest(key.secret_hash, digest):
        raise Unauthorized("unknown API key")
    if key.revoked_at is not None:
        raise Unauthorized("this API key has been revoked")
    now = datetime.now(UTC)
    if key.last_used_at is None or now - _aware(key.last_used_at) > TOUCH_EVERY:
        key.last_used_at = now
        session.flush()
    return key
