"""HEAD on every GET endpoint: the GET's status and headers (ETag, Content-Length, Link, Cache-Control…),
no body (RFC 9110 §9.3.2). FastAPI routes answer only the methods they declare, so without this a HEAD is a
405 everywhere."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadMiddleware"]


class HeadMiddleware:
    """Pure ASGI. A HEAD goes through the app as a GET (routing, validation, ETag and 304 alike); its
    response keeps the headers and drops the body. The method is HEAD again once the response starts, so
    the metrics, the access log and the server (which expects no body for a HEAD) see the request as it
    came. A streamed export is still read to the end: its length is not known before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        scope["method"] = "GET"

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                scope["method"] = "HEAD"
                await send(message)
            elif message["type"] == "http.response.body":
                await send({**message, "body": b""})
            else:
                await send(message)

        try:
            await self.app(scope, receive, headers_only)
        finally:
            scope["method"] = "HEAD"
