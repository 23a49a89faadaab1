"""A cap on request bodies, enforced while they arrive rather than after buffering them; and no NUL in the
parameters, which no database takes (PostgreSQL refuses it in text, and SQLite would store it)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import send_problem
from app.errors import InvalidParameter, PayloadTooLarge

__all__ = ["BodyLimitMiddleware"]


class BodyLimitMiddleware:
    """Pure ASGI. A request announcing a larger Content-Length is answered 413 before a byte is read; a
    chunked (or understated) body is counted as it is received, and the receive that crosses the limit
    raises PayloadTooLarge, which the app renders as the usual problem body. Requests without a body
    (every GET) pass straight through. A NUL character in the path or the query string is a 422 naming the
    parameter, whatever the route (two substring tests per request)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope["query_string"]
        if b"%00" in query or "\x00" in scope["path"]:
            await send_problem(send, _nul_error(scope["path"], query))
            return
        length: bytes | None = None
        chunked = False
        for key, value in scope["headers"]:
            if key == b"content-length":
                length = value
            elif key == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if length is None and not chunked:
            await self.app(scope, receive, send)
            return
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send, int(length))
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._detail(received, at_least=True))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLarge:  # read outside a route (no handler saw it)
            if started:
                raise
            await self._refuse(send, received)

    def _detail(self, size: int, *, at_least: bool = False) -> str:
        more = "at least " if at_least else ""
        return f"request body is {more}{size} bytes; the limit is {self.max_bytes} (AIKB_MAX_BODY_BYTES)"

    async def _refuse(self, send: Send, size: int) -> None:
        # The unread body is left on the connection: the client is asked to close it.
        await send_problem(send, PayloadTooLarge(self._detail(size)), close=True)


def _nul_error(path: str, query: bytes) -> InvalidParameter:
    detail = "a NUL character (%00) is not allowed in a parameter"
    if "\x00" in path:
        return InvalidParameter(f"{detail}; it is in the path", parameter="path")
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return InvalidParameter(detail, parameter=name.replace("\x00", "") or "query")
    return InvalidParameter(detail, parameter="query")
