"""Request ids, metrics, access and error logs for every HTTP request, as one pure ASGI middleware."""

from __future__ import annotations

import logging
from time import perf_counter

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import REQUEST_ID, HttpMetrics, new_request_id, valid_request_id

__all__ = ["ObservabilityMiddleware"]

access_log = logging.getLogger("aikb.access")
error_log = logging.getLogger("aikb.error")


class ObservabilityMiddleware:
    """Pure ASGI (a BaseHTTPMiddleware costs a task and a stream per request). Per request: take the
    client's X-Request-ID or make one, set it for the logs, echo it in the response, count the request
    under its route template, and turn an unhandled exception into a logged 500 problem."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics, access_log: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        request_id = None
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                request_id = valid_request_id(value)
                break
        if request_id is None:
            request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        id_header = (b"x-request-id", request_id.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unhandled error", extra={"method": scope["method"], "path": scope["path"]})
            if status:  # the response has begun: nothing left to do but let the server drop it
                status = 500
                raise
            body = _problem_500(request_id)
            headers = [(b"content-type", b"application/problem+json"), (b"content-length", b"%d" % len(body))]
            await send_with_id({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            seconds = perf_counter() - started
            # The router stores the matched route in the scope: its template keeps label values bounded.
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, seconds)
            if self.access_log:
                access_log.info(
                    "%s %s %d",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={"route": template, "status": status, "duration_ms": round(seconds * 1000, 3)},
                )
            REQUEST_ID.reset(token)


def _problem_500(request_id: str) -> bytes:
    return orjson.dumps(
        {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": f"unexpected error; it was logged with request id {request_id}",
            "request_id": request_id,
        }
    )
