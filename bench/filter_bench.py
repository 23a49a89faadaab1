"""Per-request cost of `GET /claims` in process, by kind of filter: the whole app (middlewares, routing,
validation, name resolution, the query, the body) called as an ASGI app in a loop, on a KB built by
bench/build_kb.py. No server, no sockets: what differs between two checkouts of the code run on the same
KB is the code alone.

    .venv/bin/python bench/build_kb.py /tmp/kb100k.db --claims 100000 --sources 1000
    .venv/bin/python bench/filter_bench.py --db /tmp/kb100k.db [--requests 3000] [--reps 7]
    # another checkout on the same KB: PYTHONPATH=<checkout> .venv/bin/python bench/filter_bench.py …

Medians of `--reps` rotating runs, in microseconds of this process's CPU time per request (SQLite runs in
the process, so its work counts; time spent waiting for a core on a shared machine does not), for the hot
path (`topic=chips`) and the named filters that resolve a name (`entity` by id, by name, by an alias) and a
unit written in another case. `--only` picks some of them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

REQUESTS = {
    "topic=chips&limit=50": b"topic=chips&limit=50",
    "entity=huawei&limit=50": b"entity=huawei&limit=50",
    "entity=Huawei&limit=50": b"entity=Huawei&limit=50",
    "entity=huawei-technologies&limit=50": b"entity=huawei-technologies&limit=50",
    "topic=chips&unit=usd&limit=50": b"topic=chips&unit=usd&limit=50",
}


async def run(app: Any, query: bytes, requests: int) -> float:
    """CPU seconds per request, calling the ASGI app directly; every answer must be a 200."""
    scope_base = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/claims",
        "raw_path": b"/claims",
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"bench"), (b"accept", b"*/*"), (b"user-agent", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
        "app": app,
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.process_time()
    for _ in range(requests):
        await app(dict(scope_base), receive, send)
    elapsed = (time.process_time() - started) / requests
    assert set(statuses) == {200}, (query, set(statuses))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file built by bench/build_kb.py")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--only", nargs="*", choices=list(REQUESTS), help="these requests only")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"

    from app import main as app_main
    from app.db import engine_for

    app = app_main.create_app(engine_for(os.environ["DATABASE_URL"]))
    print(f"code: {os.path.dirname(os.path.dirname(str(app_main.__file__)))}")
    loop = asyncio.new_event_loop()
    wanted = {name: query for name, query in REQUESTS.items() if not args.only or name in args.only}
    for name, query in list(wanted.items()):  # warm up; a name the code does not resolve is left out
        try:
            loop.run_until_complete(run(app, query, 200))
        except AssertionError:
            print(f"  {name}: not a 200 with this code, left out")
            del wanted[name]
    timings: dict[str, list[float]] = {name: [] for name in wanted}
    for rep in range(args.reps):
        names = list(wanted)
        names = names[rep % len(names) :] + names[: rep % len(names)]
        for name in names:
            timings[name].append(loop.run_until_complete(run(app, wanted[name], args.requests)))
    print(f"{args.requests} requests x {args.reps} reps on {args.db}, medians (CPU µs per request)")
    for name, values in timings.items():
        print(f"  GET /claims?{name:40s} {statistics.median(values) * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
