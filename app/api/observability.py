"""Request ids, security headers, metrics, access and error logs for every HTTP request, as one pure ASGI
middleware."""

from __future__ import annotations

import logging
from collections.abc import Collection
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import send_problem
from app.errors import InternalError
from app.telemetry import REQUEST_ID, HttpMetrics, new_request_id, valid_request_id

__all__ = ["ObservabilityMiddleware"]

access_log = logging.getLogger("aikb.access")
error_log = logging.getLogger("aikb.error")

Header = tuple[bytes, bytes]
# The API serves JSON, CSV and problem bodies only: nothing may run, frame or embed them.
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# The HTML pages (the explorer under /ui/, Swagger UI at /docs, ReDoc at /redoc) load scripts, styles and
# images from the app itself and nowhere else; no inline script or event handler runs. Images may be data:
# URIs (Swagger UI's icons). ReDoc's bundle inserts <style> elements: empty ones that it fills through the
# CSSOM (allowed), and one fixed stylesheet (its scrollbar's); their two hashes are allowed, nothing else
# inline. ReDoc runs its search index in a blob: worker.
STYLE_HASHES = (
    b"'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "  # the empty string
    b"'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"  # redoc 2.5.2's perfect-scrollbar CSS
)
PAGE_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' " + STYLE_HASHES + b"; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; form-action 'self'; base-uri 'none'; "
    b"frame-ancestors 'none'"
)


def security_headers(*, cors: bool, csp: bytes = API_CSP) -> tuple[Header, ...]:
    """The headers every response carries. Cross-Origin-Resource-Policy: same-origin keeps other sites from
    embedding responses; with CORS configured, the CORS headers decide instead, so it is left off."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", csp),
    ]
    if not cors:
        headers.append((b"cross-origin-resource-policy", b"same-origin"))
    return tuple(headers)


class ObservabilityMiddleware:
    """Pure ASGI (a BaseHTTPMiddleware costs a task and a stream per request). Per request: take the
    client's X-Request-ID or make one, set it for the logs, echo it in the response with the security
    headers (precomputed tuples, appended to every response: errors, 304s and probes too), count the request
    under its route template, and turn an unhandled exception into a logged 500 problem."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HttpMetrics,
        access_log: bool = False,
        cors: bool = False,
        page_paths: Collection[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self.headers = security_headers(cors=cors)
        self.page_headers = security_headers(cors=cors, csp=PAGE_CSP)
        # A path ending in "/" is a prefix (every page under it); others match exactly.
        self.page_prefixes = tuple(p for p in page_paths if p.endswith("/"))
        self.page_paths = frozenset(p for p in page_paths if not p.endswith("/"))

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
        path = scope["path"]
        page = path in self.page_paths or path.startswith(self.page_prefixes)
        extra = self.page_headers if page else self.headers
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header, *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unhandled error", extra={"method": scope["method"], "path": scope["path"]})
            if status:  # the response has begun: nothing left to do but let the server drop it
                status = 500
                raise
            error = InternalError(f"unexpected error; it was logged with request id {request_id}")
            await send_problem(send_with_id, error, {"request_id": request_id})
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
