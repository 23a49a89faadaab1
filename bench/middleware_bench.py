"""Per-request cost of the observability middleware, in process: the ASGI app called directly in a loop.

    .venv/bin/python bench/middleware_bench.py [--requests 20000] [--reps 7]

Three bare FastAPI apps with one `async def` endpoint returning a constant body: without the middleware,
with it (AIKB_ACCESS_LOG off, the default), and with the access log on (JSON lines to /dev/null). No
server, no sockets: the difference between them is the middleware alone (request id, header, route
template, counter + histogram, and the log line when on). Medians of `--reps` alternating runs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from typing import Any

from fastapi import FastAPI, Response

from app.api.observability import ObservabilityMiddleware
from app.telemetry import HttpMetrics, JsonFormatter, RequestIdFilter

BODY = b'{"items":[],"next_cursor":null}'


def bare_app(*, middleware: bool, access_log: bool = False) -> FastAPI:
    app = FastAPI()

    @app.get("/claims/{claim_id}")
    async def claim(claim_id: str) -> Response:
        return Response(BODY, media_type="application/json")

    if middleware:
        app.add_middleware(ObservabilityMiddleware, metrics=HttpMetrics(), access_log=access_log)
    return app


async def run(app: Any, requests: int) -> float:
    """Seconds per request, calling the ASGI app directly."""
    scope_base = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/claims/c_1",
        "raw_path": b"/claims/c_1",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"accept", b"*/*"), (b"user-agent", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope_base), receive, send)
    return (time.perf_counter() - started) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger("aikb").addHandler(handler)
    logging.getLogger("aikb").setLevel(logging.INFO)

    apps = {
        "without middleware": bare_app(middleware=False),
        "with middleware": bare_app(middleware=True),
        "with middleware + access log": bare_app(middleware=True, access_log=True),
    }
    timings: dict[str, list[float]] = {name: [] for name in apps}
    loop = asyncio.new_event_loop()
    for app in apps.values():  # warm up: route compilation, labelled children, caches
        loop.run_until_complete(run(app, 2000))
    for rep in range(args.reps):
        names = list(apps)
        names = names[rep % len(names) :] + names[: rep % len(names)]  # rotate the order each rep
        for name in names:
            timings[name].append(loop.run_until_complete(run(apps[name], args.requests)))
    base = statistics.median(timings["without middleware"])
    print(f"{args.requests} requests x {args.reps} reps, medians (µs per request)")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"  {name:32s} {median * 1e6:7.2f} µs   overhead {(median - base) * 1e6:+6.2f} µs")


if __name__ == "__main__":
    main()
