"""ETag and Cache-Control on successful reads; 304 when the client already holds the representation.

Cache-Control: `public, max-age=60` for an anonymous read; `private, max-age=60` (no shared cache may keep
it) when the request carried `Authorization` or reads need a key (AIKB_READ_REQUIRES_KEY); a route that
sets its own (`no-cache` on the /changes sync feed, `no-store` on probes) keeps it."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ETagMiddleware"]


class ETagMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware thread hop): buffers a GET's single-chunk 200 body, hashes it, and
        answers 304 with no body when If-None-Match names that hash. Streamed bodies, and responses that say
    `Cache-Control: no-store` (probes, metrics), pass through untouched."""

    def __init__(self, app: ASGIApp, *, max_age: int = 60) -> None:
        self.app = app
        self.public = f"public, max-age={max_age}".encode()
        self.private = f"private, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        wanted = None
        authorized = False
        for key, value in scope["headers"]:
            if key == b"if-none-match":
                wanted = bytes(value)
            elif key == b"authorization":
                authorized = True
        start: MutableMapping[str, Any] | None = None

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200 or (b"cache-control", b"no-store") in message["headers"]:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            if message.get("more_body"):  # streamed: no ETag, send what was held back
                held, start = start, None
                await send(held)
                await send(message)
                return
            body = message.get("body", b"")
            # SHA-256: hardware-accelerated on current CPUs, faster than BLAKE2b here (docs/PERFORMANCE.md).
            etag = b'"' + hashlib.sha256(body).hexdigest()[:24].encode() + b'"'
            own = None
            headers = []
            for k, v in start["headers"]:
                if k == b"cache-control":
                    own = v
                elif k != b"etag":
                    headers.append((k, v))
            if own is None:
                own = self.private if authorized or self._reads_need_key(scope) else self.public
            headers += [(b"etag", etag), (b"cache-control", own)]
            if wanted is not None and etag in [t.strip() for t in wanted.split(b",")]:
                headers = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send(message)

        await self.app(scope, receive, wrapped)

    @staticmethod
    def _reads_need_key(scope: Scope) -> bool:
        """AIKB_READ_REQUIRES_KEY as the app is configured (app.state.settings)."""
        return bool(scope["app"].state.settings.aikb_read_requires_key)
