"""Soak: mixed reads at 64 connections for 10 minutes with a write every second, on the 1M-claim KB.

    python bench/build_kb.py /tmp/kb1m.db             # once (see bench/load_test.py)
    python bench/soak.py --db /tmp/kb1m.db            # copies the KB, ~11 min

One uvicorn worker (pinned to CPU 1) serves a copy of the KB; wrk (CPU 0) runs a Lua script that cycles
through a mix of reads (claims by topic, entity, date range, quantity, full text, facets, a claim, entities,
sources, stats, the change feed), in back-to-back one-minute segments so p99 can be compared between the
start and the end; a writer thread POSTs one new generated article per second with a write key. The
server's RSS is sampled every second. Printed: one row per minute (req/s, p50, p99, non-2xx, socket
errors, RSS) and the writer's statuses and latencies; `--out` keeps the JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest_bench import make_article
from load_test import HOST, VENV_BIN, make_server, parse_wrk, running

READS = [
    "/claims?topic=chips&limit=50",
    "/claims?topic=policy&limit=50",
    "/claims?entity=huawei&limit=20",
    "/claims?entity=nvidia&topic=chips&limit=20",
    "/claims?topic=investment&has_quantity=true&unit=USD&value_min=1000000000&limit=20",
    "/claims?published_from=2025-01-01&published_to=2025-06-30&limit=50",
    "/claims?topic=chips&facets=topic,kind,entity&limit=1",
    "/claims?entity=china&facets=topic,kind&limit=1",
    "/claims?q=export+controls&limit=20",
    "/claims?q=data+centers&topic=infrastructure&limit=20",
    "/claims?kind=quote&limit=50",
    "/entities?type=company&sort=-claims&limit=20",
    "/entities?q=hua&limit=10",
    "/entities/huawei",
    "/sources?limit=20",
    "/topics",
    "/stats",
    "/changes?limit=50",
]

LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def non_2xx_by_route(port: int) -> dict[str, float]:
    """The server's own count of answers other than 2xx, by method, route and status (from /metrics)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/metrics")
    body = conn.getresponse().read().decode()
    conn.close()
    out: dict[str, float] = {}
    for line in body.splitlines():
        if line.startswith("aikb_http_requests_total{") and 'status="2' not in line:
            labels, value = line.rsplit(" ", 1)
            out[labels.removeprefix("aikb_http_requests_total")] = float(value)
    return out


def create_write_key(url: str) -> str:
    env = {"DATABASE_URL": url, "PATH": str(VENV_BIN)}
    out = subprocess.run(
        [str(VENV_BIN / "aikb"), "keys", "create", "soak-writer", "--scope", "write"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return out.stdout.strip().splitlines()[-1]


class Writer(threading.Thread):
    """POSTs one new article per second; records status and latency of each."""

    def __init__(self, port: int, key: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.stop_event = port, key, stop
        self.results: list[tuple[float, int, float]] = []  # (t, status, ms)
        self.rng = random.Random(20261124)

    def run(self) -> None:
        n = 0
        start = time.monotonic()
        while not self.stop_event.is_set():
            n += 1
            body = json.dumps(
                {
                    "text": make_article(self.rng, words=600),
                    "title": f"Soak article {n}",
                    "publisher": "Soak Wire",
                    "published": "2026-11-24",
                }
            )
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                conn.request(
                    "POST",
                    "/sources",
                    body=body,
                    headers={"content-type": "application/json", "authorization": f"Bearer {self.key}"},
                )
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = 0
            self.results.append((t0 - start, status, (time.monotonic() - t0) * 1000))
            self.stop_event.wait(max(0.0, start + n - time.monotonic()))  # one per second, on the second


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, type=Path, help="SQLite KB from bench/build_kb.py (copied)")
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--segment", type=int, default=60, help="seconds per wrk segment")
    parser.add_argument("--conns", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="aikb_soak_"))
    copy = tmp / "kb.db"
    shutil.copy(args.db, copy)
    url = f"sqlite:///{copy}"
    subprocess.run([str(VENV_BIN / "aikb"), "migrate"], check=True, env={"DATABASE_URL": url})
    key = create_write_key(url)
    script = tmp / "mix.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in READS))
    server = make_server("soak", "app.main:app", ["taskset", "-c", "1"], {"DATABASE_URL": url}, tmp)
    segments: list[dict[str, Any]] = []
    rss: list[tuple[float, float]] = []
    with running(server, "/health"):
        assert server.proc is not None
        pid = server.proc.pid
        stop = threading.Event()
        writer = Writer(server.port, key, stop)
        t_start = time.monotonic()

        def sample() -> None:
            while not stop.is_set():
                rss.append((time.monotonic() - t_start, rss_mb(pid)))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        writer.start()
        rounds = args.minutes * 60 // args.segment
        for n in range(rounds):
            cmd = ["taskset", "-c", "0", "wrk", f"-t{args.threads}", f"-c{args.conns}", f"-d{args.segment}s"]
            cmd += ["--timeout", "30s", "--latency", "-s", str(script), f"http://{HOST}:{server.port}"]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=args.segment + 120)
            r = parse_wrk(out.stdout)
            r["minute"] = n + 1
            r["rss_mb"] = rss[-1][1] if rss else None
            segments.append(r)
            print(
                f"minute {n + 1:>2}: {r['rps']:8.1f} req/s  "
                f"p50 {r['p50_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  "
                f"non-2xx {r['non2xx']}  socket errors {r['socket_errors'] or '-'}  "
                f"RSS {r['rss_mb']:.0f} MB  writes {len(writer.results)}",
                flush=True,
            )
        stop.set()
        writer.join(60)
        sampler.join(5)
        failures = non_2xx_by_route(server.port)
    writes = writer.results
    statuses: dict[str, int] = {}
    for _, status, _ in writes:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    write_ms = sorted(ms for _, _, ms in writes)
    summary = {
        "segments": segments,
        "rss_start_mb": rss[0][1] if rss else None,
        "rss_after_1min_mb": next((m for t, m in rss if t >= 60), None),
        "rss_end_mb": rss[-1][1] if rss else None,
        "writes": {
            "count": len(writes),
            "statuses": statuses,
            "p50_ms": round(statistics.median(write_ms), 1) if write_ms else None,
            "p99_ms": round(write_ms[int(len(write_ms) * 0.99) - 1], 1) if write_ms else None,
        },
        "reads": READS,
        "conns": args.conns,
        "server_non_2xx": failures,
    }
    errors = sum(s["non2xx"] for s in segments) + sum(1 for s in segments if s["socket_errors"])
    bad_writes = sum(n for s, n in statuses.items() if s != "201")
    print(json.dumps({k: v for k, v in summary.items() if k not in ("segments", "reads")}, indent=2))
    print(f"read errors: {errors}; write errors: {bad_writes}")
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if errors == 0 and bad_writes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
