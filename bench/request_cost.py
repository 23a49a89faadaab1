"""CPU per request of the real app, in process: the ASGI app called directly, no server, no sockets.

    .venv/bin/python bench/request_cost.py --db /tmp/kb1m.db [--requests 3000] [--reps 5]
    .venv/bin/python bench/request_cost.py --db /tmp/kb1m.db --app-root /path/to/another/checkout

What a request costs the process (CPU time: SQL, routing, dependencies, validation, rendering, the
middleware), measured with time.process_time(), which a busy neighbour on a shared machine does not
inflate the way it inflates wall time and wrk's throughput. Not what a client sees (no HTTP parsing, no
socket writes): a way to compare two versions of the app on the same KB, request by request. With
`--app-root`, that checkout's `app` package is measured instead (same KB, same requests).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REQUESTS = [
    "/claims?topic=chips&limit=50",
    "/claims?entity=huawei&limit=50",
    "/claims?topic=chips&facets=topic,kind&limit=1",
    "/claims?q=export+controls&limit=50",
    "/claims?topic=chips&kind=quote&limit=50",
    "/claims/{claim}",
    "/entities?type=company&sort=-claims&limit=50",
    "/sources?limit=50",
]


async def call(app: Any, path: str) -> tuple[int, bytes]:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"bench"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
        "app": app,
    }
    status, body = 0, b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            body += message.get("body", b"")

    await app(scope, receive, send)
    return status, body


async def measure(app: Any, path: str, requests: int) -> float:
    """CPU seconds per request over `requests` calls."""
    started = time.process_time()
    for _ in range(requests):
        await call(app, path)
    return (time.process_time() - started) / requests


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True, help="SQLite KB from bench/build_kb.py")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--app-root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    sys.path.insert(0, str(args.app_root.resolve()))
    import app as package
    from app.db import engine_for
    from app.main import create_app

    engine = engine_for(f"sqlite:///{args.db.resolve()}", time_limit_ms=5000)
    api = create_app(engine)
    loop = asyncio.new_event_loop()
    status, body = loop.run_until_complete(call(api, "/claims?topic=chips&limit=1"))
    claim = body.split(b'"id":"', 1)[1].split(b'"', 1)[0].decode()
    paths = [p.replace("{claim}", claim) for p in REQUESTS]
    for path in paths:  # warm up: routes, statements, page cache
        status, _ = loop.run_until_complete(call(api, path))
        assert status == 200, (path, status)
        loop.run_until_complete(measure(api, path, 200))
    timings: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(args.reps):
        for path in paths:
            timings[path].append(loop.run_until_complete(measure(api, path, args.requests)))
    print(f"app: {Path(package.__file__).parent}; {args.requests} requests x {args.reps} reps, median CPU µs")
    for path, values in timings.items():
        print(f"  {statistics.median(values) * 1e6:8.1f} µs  {path}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
