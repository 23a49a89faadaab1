"""Query API under load: the real `GET /claims` against a bare-FastAPI ceiling, on a generated KB.

    python bench/build_kb.py /tmp/kb1m.db                     # once: ~2 min, 1,000,000 claims
    python bench/build_kb.py /tmp/kb100k.db --claims 100000 --sources 1000   # optional, for --compare-db
    python bench/load_test.py --db /tmp/kb1m.db [--compare-db /tmp/kb100k.db] [--profile]

What it measures, in one run (servers on 127.0.0.1 only, one uvicorn worker each, started and stopped here):

1. Throughput, `wrk -t2 -c32 -d15s --latency` after a 3 s warm-up (discarded), each run on a fresh server:
   (a) the ceiling, bench/ceiling_app.py: one `async def` endpoint returning the real response's exact bytes;
   (b) the real app (`app.main:app`, DATABASE_URL = the KB): `GET /claims?topic=chips&limit=50`.
   The two alternate (`--reps` times, order rotated), so their ratio is taken under the same machine weather.
2. Sequential latencies on one real server (one keep-alive connection, client pinned to the other core):
   the first page against the 1,000th (reached by following next_cursor 999 times), the facets request
   and the ranked full-text request; medians over `--seq-reps` alternating repetitions.
3. The facets and full-text requests under the same c=32 wrk load (shorter runs).
4. With --compare-db: the sequential latencies again on a smaller KB, to show what grows with the table.
5. With --profile: py-spy samples the real server for 20 s under c=32 load; top functions are printed.
6. The explorer's pages (/ui/…): sequential medians and HTML sizes of each page, against the targets of
   50 ms and 150 KB (`--pages-only` runs just this).

Pinning (as in ../shared/reference/perf_baselines.md): server on CPU `--server-cpu` (1), wrk and this
script on `--client-cpu` (0). Every loop is bounded in count and time; every server is stopped by its PID.
Results are printed as tables (with the exact commands) and written as JSON to `--out`.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
FIRST_PAGE = "/claims?topic=chips&limit=50"
FACETS = "/claims?topic=chips&facets=topic,kind&limit=1"
RANKED = "/claims?q=export+controls&limit=50"
# Asked once each: the cost of a query nobody asked before (nothing of it in SQLite's page cache beyond what
# other queries brought in). Phrases of the KB, with 8,000-109,000 hits each at 1M claims.
FRESH_QUERIES = [
    "data centers", "large language models", "AI researchers", "venture funding", "reasoning models",
    "compute clusters", "chip smuggling", "trade war", "patent filings", "GPU supply", "benchmark scores",
    "state subsidies", "export controls",
]  # fmt: skip
UVICORN_FLAGS = "--workers 1 --loop uvloop --http httptools --no-access-log --log-level warning"
TARGETS = {
    "ratio": 0.35,  # (b) >= 0.35 x (a) in req/s
    "p99_ms": 25.0,
    "deep_page_ratio": 1.2,  # 1,000th page within 1.2x the first page's latency
    "ranked_p50_ms": 20.0,
}
PAGE_TARGETS = {"median_ms": 50.0, "html_kb": 150.0}
SLOW_MS = 2000.0  # a request slower than this alone is not warmed up, nor put under c=32 load
ENTITY_TOPIC_CHART_MAX = 1000  # app.ui.data.ENTITY_TOPIC_CHART_MAX (not imported: the script stands alone)
UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


# --- servers --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    cmd: list[str]
    env: dict[str, str]
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    cwd: Path = ROOT  # `app.main:app` is imported from here

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def command_line(self) -> str:
        shown = [c.replace(str(VENV_BIN) + "/", ".venv/bin/") for c in self.cmd]
        extra = " ".join(
            f"{k}={v}" for k, v in self.env.items() if k in ("DATABASE_URL", "CEILING_BODY_FILE")
        )
        return f"{extra} {' '.join(shown)}".strip()


STARTED: list[Server] = []  # every server this script started and has not stopped yet


def make_server(
    name: str, app: str, pin: list[str], env_extra: dict[str, str], tmp: Path, cwd: Path = ROOT
) -> Server:
    port = free_port()
    app_args = ["--app-dir", str(ROOT / "bench"), app] if app.startswith("ceiling_app") else [app]
    cmd = [*pin, str(VENV_BIN / "python"), "-m", "uvicorn", *app_args, "--host", HOST, "--port", str(port)]
    cmd += UVICORN_FLAGS.split()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CEILING_BODY_FILE")}
    env.update(env_extra)
    return Server(name, cmd, env, port, tmp / f"server_{name}.log", cwd=cwd)


def start(server: Server, ready_path: str, timeout: float = 60.0) -> None:
    with server.log.open("ab") as log:
        server.proc = subprocess.Popen(server.cmd, cwd=server.cwd, env=server.env, stdout=log, stderr=log)
    STARTED.append(server)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}; see {server.log}")
        try:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
            conn.request("GET", ready_path)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
            raise RuntimeError(f"{server.name}: GET {ready_path} answered {status}; see {server.log}")
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{server.name} not ready after {timeout:.0f} s; see {server.log}")


def stop(server: Server) -> None:
    proc = server.proc
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if server in STARTED:
        STARTED.remove(server)


@contextmanager
def running(server: Server, ready_path: str) -> Iterator[Server]:
    try:
        start(server, ready_path)
        yield server
    finally:
        stop(server)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float = 60.0) -> bool:
    """After a warm-up, wait until the server has drained what closed connections left queued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.05:  # under 10% of a core over 0.5 s
            return True
    return False


# --- wrk ------------------------------------------------------------------------------------------------


def to_ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(m.group(1)) * UNIT_MS[m.group(2)]


def parse_wrk(out: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if not rps or not total:
        raise RuntimeError(f"cannot parse wrk output:\n{out}")
    r: dict[str, Any] = {"rps": float(rps.group(1)), "requests": int(total.group(1))}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        r[f"p{pct}_ms"] = to_ms(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)", out)
    r["socket_errors"] = m.group(1).strip() if m else ""
    return r


def wrk_cmd(args: argparse.Namespace, url: str, seconds: int, latency: bool = True) -> list[str]:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.conns}", f"-d{seconds}s", "--timeout", "30s"]
    return [*cmd, *(["--latency"] if latency else []), url]


def run_wrk(args: argparse.Namespace, server: Server, path: str, seconds: int) -> dict[str, Any]:
    """Warm-up (discarded), wait until idle, then the measured run with the server's CPU use."""
    pin = client_pin(args)
    url = server.url(path)
    subprocess.run(
        [*pin, *wrk_cmd(args, url, args.warmup, latency=False)],
        capture_output=True,
        check=True,
        timeout=args.warmup + 60,
    )
    assert server.proc is not None
    idle = wait_idle(server.proc.pid)
    load = Path("/proc/loadavg").read_text().split()[0]
    cmd = wrk_cmd(args, url, seconds)
    c0, t0 = cpu_seconds(server.proc.pid), time.monotonic()
    res = subprocess.run([*pin, *cmd], capture_output=True, text=True, check=True, timeout=seconds + 90)
    cpu = (cpu_seconds(server.proc.pid) - c0) / (time.monotonic() - t0) * 100
    r = parse_wrk(res.stdout)
    shown = [*pin, *cmd[:-1], f"'{url.replace(str(server.port), 'PORT')}'"]
    r.update(server_cpu_pct=round(cpu, 1), loadavg1=load, idle_before=idle, wrk_cmd=" ".join(shown))
    return r


def client_pin(args: argparse.Namespace) -> list[str]:
    return [] if args.no_pin else ["taskset", "-c", str(args.client_cpu)]


# --- sequential latencies -------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection; each call returns (milliseconds, parsed JSON body)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=600)

    def get(self, path: str) -> tuple[float, dict[str, Any]]:
        t0 = time.perf_counter()
        self.conn.request("GET", path)
        resp = self.conn.getresponse()
        body = resp.read()
        ms = (time.perf_counter() - t0) * 1000
        if resp.status != 200:
            raise RuntimeError(f"GET {path} -> {resp.status}: {body[:300]!r}")
        data: dict[str, Any] = json.loads(body)
        return ms, data

    def get_raw(self, path: str) -> tuple[float, bytes]:
        t0 = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept": "text/html"})
        resp = self.conn.getresponse()
        body = resp.read()
        ms = (time.perf_counter() - t0) * 1000
        if resp.status != 200:
            raise RuntimeError(f"GET {path} -> {resp.status}: {body[:300]!r}")
        return ms, body

    def close(self) -> None:
        self.conn.close()


def summary(ms: list[float]) -> dict[str, Any]:
    s = sorted(ms)
    return {
        "n": len(s),
        "median_ms": round(statistics.median(s), 3),
        "p90_ms": round(s[min(len(s) - 1, int(0.9 * len(s)))], 3),
        "min_ms": round(s[0], 3),
        "max_ms": round(s[-1], 3),
    }


def series(client: Client, path: str, reps: int, seconds: float) -> tuple[list[float], dict[str, Any]]:
    """Up to `reps` timed requests, stopping once `seconds` have passed. One warm-up request first,
    discarded unless it is slow (over SLOW_MS: then the series would be too long to afford one)."""
    ms, data = client.get(path)
    times = [ms] if ms > SLOW_MS else []
    deadline = time.monotonic() + seconds
    while len(times) < reps and time.monotonic() < deadline:
        ms, data = client.get(path)
        times.append(ms)
    return times, data


def sequential(args: argparse.Namespace, port: int) -> dict[str, Any]:
    """First vs n-th page (alternating), facets, ranked q: medians over up to args.seq_reps each."""
    client = Client(port)
    out: dict[str, Any] = {}
    try:
        client.get(FIRST_PAGE)  # warm the connection and the statement caches
        # Walk n-1 pages; keep each page's latency to show (lack of) growth with depth.
        walk: list[float] = []
        path = FIRST_PAGE
        deadline = time.monotonic() + args.walk_timeout
        for _ in range(args.deep_page - 1):
            ms, data = client.get(path)
            walk.append(ms)
            cursor = data.get("next_cursor")
            if not cursor:
                raise RuntimeError(f"ran out of pages after {len(walk)}: fewer chips claims than expected")
            path = f"{FIRST_PAGE}&cursor={cursor}"
            if time.monotonic() > deadline:
                raise RuntimeError(f"walking to page {args.deep_page} took over {args.walk_timeout} s")
        deep_path = path
        firsts: list[float] = []
        deeps: list[float] = []
        deadline = time.monotonic() + args.seq_timeout
        while len(firsts) < args.seq_reps and time.monotonic() < deadline:
            firsts.append(client.get(FIRST_PAGE)[0])
            ms, deep = client.get(deep_path)
            deeps.append(ms)
        out["first_page"] = summary(firsts)
        out["deep_page"] = summary(deeps) | {"page": args.deep_page, "items": len(deep["items"])}
        out["deep_page_ratio"] = round(out["deep_page"]["median_ms"] / out["first_page"]["median_ms"], 3)
        out["walk"] = {
            f"pages_2_{min(101, len(walk))}_median_ms": round(statistics.median(walk[1:101]), 3),
            f"pages_{max(1, len(walk) - 99)}_{len(walk)}_median_ms": round(statistics.median(walk[-100:]), 3),
            "total_s": round(sum(walk) / 1000, 2),
        }
        times, data = series(client, FACETS, args.seq_reps, args.seq_timeout)
        topic_counts = data.get("facets", {}).get("topic", [])
        out["facets"] = summary(times) | {
            "chips_count": next((f["count"] for f in topic_counts if f["value"] == "chips"), None)
        }
        fresh = []
        for phrase in FRESH_QUERIES:
            ms, data = client.get(f"/claims?q={phrase.replace(' ', '+')}&limit=50")
            fresh.append(ms)
        out["ranked_q_fresh"] = summary(fresh) | {"queries": len(FRESH_QUERIES)}
        times, data = series(client, RANKED, args.seq_reps, args.seq_timeout)
        out["ranked_q"] = summary(times) | {"items": len(data["items"])}
    finally:
        client.close()
    return out


def explorer_pages(client: Client) -> dict[str, str]:
    """The explorer's pages to time, with ids found through the API: a chips claim and its source, the
    entity with the most claims, the one with the most claims the entity chart still splits by topic
    (ENTITY_TOPIC_CHART_MAX: the costliest chart), and the one with the fewest claims."""
    _, page = client.get(FIRST_PAGE)
    claim = page["items"][0]
    ranked: list[dict[str, Any]] = []
    path = "/entities?sort=-claims&limit=200"
    while True:  # every entity, most claims first (5,000 in the benchmark's KB: 25 requests)
        _, listed = client.get(path)
        ranked += listed["items"]
        if not listed["next_cursor"]:
            break
        path = f"/entities?sort=-claims&limit=200&cursor={listed['next_cursor']}"
    split = next(e for e in ranked if e["claim_count"] <= ENTITY_TOPIC_CHART_MAX)
    ranked = [e for e in ranked if e["claim_count"] > 0]
    return {
        "overview": "/ui/",
        "claims (no filter)": "/ui/claims",
        "claims topic=chips": "/ui/claims?topic=chips",
        "claims topic=chips&kind=quote": "/ui/claims?topic=chips&kind=quote",
        "claims q=export controls": "/ui/claims?q=export+controls",
        "claim": f"/ui/claims/{claim['id']}",
        "source reader": f"/ui/sources/{claim['source']}",
        **{
            f"entity, {what} ({e['id']}, {e['claim_count']:,} claims)": f"/ui/entities/{e['id']}"
            for what, e in (("most claims", ranked[0]), ("charted by topic", split), ("tail", ranked[-1]))
        },
        "entities": "/ui/entities",
        "search q=huawei": "/ui/search?q=huawei",
        "conflicts": "/ui/conflicts",
    }


def pages(args: argparse.Namespace, port: int) -> dict[str, Any]:
    """Each explorer page: sequential median over up to args.seq_reps requests, and its HTML size."""
    client = Client(port)
    out: dict[str, Any] = {}
    try:
        for name, path in explorer_pages(client).items():
            client.get_raw(path)  # warm-up, discarded
            times: list[float] = []
            body = b""
            deadline = time.monotonic() + args.seq_timeout
            while len(times) < args.seq_reps and time.monotonic() < deadline:
                ms, body = client.get_raw(path)
                times.append(ms)
            out[name] = summary(times) | {"path": path, "html_kb": round(len(body) / 1024, 1)}
    finally:
        client.close()
    return out


# --- py-spy ---------------------------------------------------------------------------------------------

# Threads parked on a lock or condition are not using the CPU: threadpool workers waiting for work, a thread
# waiting for a pooled database connection (counted apart), the event loop in epoll (native mode).
IDLE_LEAF = re.compile(r"^(Condition\.wait|Event\.wait|Lock\.acquire|Semaphore\.acquire|wait) \(|^_worker \(")
IDLE_ANY = re.compile(r"^(Condition\.wait|Event\.wait|Semaphore\.acquire|Queue\.get) \(|^epoll_p?wait ")
POOL_WAIT = re.compile(r"QueuePool\._do_get")


def is_idle(stack: list[str]) -> bool:
    return bool(IDLE_LEAF.search(stack[-1])) or any(IDLE_ANY.search(f) for f in stack)


PHASES = [
    (
        "SQLite execute + fetch (DBAPI cursor)",
        r"do_execute |fetchall |_fetchall_impl|fetchone |_fetchone_impl",
    ),
    ("SQLAlchemy statement compile / cache key", r"_compile_w_cache|_generate_cache_key|compiler\.py"),
    ("SQLAlchemy connection checkout / session close", r"pool/base\.py|_checkout |close \(sqlalchemy/orm"),
    ("app.queries.list_claims", r"list_claims \(app/queries"),
    ("app.queries.hydrate_claims", r"hydrate_claims "),
    ("app.queries.claim_facets", r"claim_facets "),
    ("FastAPI solve_dependencies (params, ClaimFilter, Session)", r"solve_dependencies"),
    ("pydantic validation", r"validate_python|pydantic"),
    ("response rendering (orjson / page_response)", r"render \(app/api/deps|page_response|orjson"),
    ("anyio threadpool hand-off", r"anyio/|run_in_threadpool|to_thread"),
    ("uvicorn / httptools protocol", r"uvicorn/protocols"),
    ("garbage collection", r"\(gc\)|gc_collect|<gc>"),
]


def frame_name(frame: str) -> str:
    """'fn (/…/site-packages/pkg/mod.py:123)' -> 'fn (pkg/mod.py)'; the app's own frames keep their line
    number, which tells which statement of a function the time is in."""
    frame = frame.replace(str(ROOT) + "/", "")
    if not frame.rstrip(")").split("(")[-1].startswith("app/"):
        frame = re.sub(r":\d+\)$", ")", frame)
    return re.sub(r"\(.*?site-packages/", "(", frame)


def analyse_pyspy(raw: Path, top: int) -> dict[str, Any]:
    samples: list[tuple[list[str], int]] = []
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            samples.append((stack.split(";"), int(n)))
    raw_total = sum(n for _, n in samples)
    busy = [(st, n) for st, n in samples if not is_idle(st)]
    pool_wait = sum(n for st, n in samples if is_idle(st) and any(POOL_WAIT.search(f) for f in st))
    total = sum(n for _, n in busy) or 1
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for stack, n in busy:
        self_time[frame_name(stack[-1])] += n
        for name in {frame_name(f) for f in stack[1:]}:  # stack[0] is the thread
            inclusive[name] += n
    phases = {}
    for label, rx in PHASES:
        pattern = re.compile(rx)
        phases[label] = round(100 * sum(n for st, n in busy if any(pattern.search(f) for f in st)) / total, 1)
    return {
        "raw_samples": raw_total,
        "busy_samples": total,
        "pool_wait_samples": pool_wait,
        "self_pct": [(k, round(100 * n / total, 1)) for k, n in self_time.most_common(top)],
        "inclusive_pct": [(k, round(100 * n / total, 1)) for k, n in inclusive.most_common(top * 2)],
        "phases_pct": phases,
    }


def profile(args: argparse.Namespace, server: Server, tmp: Path) -> dict[str, Any]:
    pyspy = VENV_BIN / "py-spy"
    if not pyspy.exists():
        return {"error": "py-spy is not installed in the venv (pip install py-spy)"}
    pin = client_pin(args)
    url = server.url(FIRST_PAGE)
    subprocess.run(
        [*pin, *wrk_cmd(args, url, args.warmup, False)], capture_output=True, timeout=90, check=True
    )
    assert server.proc is not None
    wait_idle(server.proc.pid)
    seconds = args.profile_seconds
    load = subprocess.Popen(
        [*pin, *wrk_cmd(args, url, seconds + 5)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    raw = tmp / "pyspy_real.txt"
    try:
        time.sleep(2)
        # --native (SQLite's C frames) needs py-spy to pause the process for each sample.
        mode = ["--native"] if args.profile_native else ["--nonblocking"]
        cmd = [*pin, str(pyspy), "record", *mode, "--rate", "250", "--duration", str(seconds)]
        cmd += ["--format", "raw", "-o", str(raw), "--pid", str(server.proc.pid)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
        out, _ = load.communicate(timeout=seconds + 60)
    finally:
        if load.poll() is None:
            load.kill()
            load.wait(5)
    if res.returncode != 0 or not raw.exists():
        return {"error": f"py-spy failed: {res.stderr.strip()[-500:]}"}
    result = analyse_pyspy(raw, args.top)
    result["wrk_during_profile"] = parse_wrk(out)
    result["raw_file"] = str(raw)
    result["cmd"] = " ".join(c.replace(str(VENV_BIN) + "/", ".venv/bin/") for c in cmd).replace(
        str(server.proc.pid), "PID"
    )
    return result


# --- machine --------------------------------------------------------------------------------------------


def app_fingerprint() -> str:
    """A hash of app/**/*.py: ties the figures to a code state (app/ may be edited while this runs)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "app").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def kb_counts(db: str) -> dict[str, Any]:
    """Rows of the KB (a SQLite path or a PostgreSQL URL)."""
    queries = {t: f'SELECT count(*) FROM "{t}"' for t in ("claim", "source", "entity")}
    queries["chips"] = "SELECT count(*) FROM claim_topic WHERE topic_id = 'chips'"
    if db.startswith("postgresql"):
        import psycopg

        with psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://")) as con:
            counts: dict[str, Any] = {k: con.execute(q).fetchone()[0] for k, q in queries.items()}  # type: ignore[index]
        counts["has_sqlite_stat1"] = None
        return counts
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    counts = {k: con.execute(q).fetchone()[0] for k, q in queries.items()}
    counts["has_sqlite_stat1"] = bool(
        con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]
    )
    con.close()
    return counts


def machine(db: str) -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    packages = [
        "fastapi",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "sqlalchemy",
        "sqlmodel",
        "pydantic",
    ]
    packages += ["pydantic-core", "anyio", "orjson"]
    versions = {}
    for p in packages:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    counts = kb_counts(db)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else None,
        "app_sources_sha256": app_fingerprint(),
        "db": db,
        "db_mb": round(Path(db).stat().st_size / 1e6) if not db.startswith("postgresql") else None,
        "db_rows": counts,
        "swap_interval_s": sys.getswitchinterval(),
    }


# --- main -----------------------------------------------------------------------------------------------


@dataclass
class Results:
    machine: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    under_load: dict[str, dict[str, Any]] = field(default_factory=dict)
    sequential: dict[str, Any] = field(default_factory=dict)
    compare: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    body_bytes: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(res: Results, args: argparse.Namespace) -> None:
    m = res.machine
    print("\n" + "=" * 100)
    print(
        f"machine: nproc={m['nproc']}, {m['cpu_model']}, {m['mem_gib']} GiB; Python {m['python']}, "
        f"SQLite {m['sqlite']}; {m['wrk']}"
    )
    print("packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()))
    rows = m["db_rows"]
    print(
        f"KB: {m['db']} ({m['db_mb']:,} MB): {rows['claim']:,} claims, {rows['source']:,} sources, "
        f"{rows['entity']:,} entities; chips {rows['chips']:,}; sqlite_stat1: {rows['has_sqlite_stat1']}; "
        f"app sources sha256 {m['app_sources_sha256']}"
    )
    if m["app_sources_sha256_end"] != m["app_sources_sha256"]:
        print(
            f"WARNING: app/ changed during the run (now {m['app_sources_sha256_end']}): figures mix versions"
        )
    by: dict[str, list[dict[str, Any]]] = {"ceiling": [], "real": []}
    for r in res.runs:
        by.setdefault(r["server"], []).append(r)
    a, b = by["ceiling"], by["real"]
    ratios = [rb["rps"] / ra["rps"] for ra, rb in zip(a, b, strict=False)]

    def rng_(rs: list[dict[str, Any]], key: str) -> str:
        vals = [r[key] for r in rs if r[key] is not None]
        return f"{med(vals):,.1f} ({min(vals):,.1f}–{max(vals):,.1f})" if vals else "-"

    if res.runs:
        print(f"\nThroughput, body {res.body_bytes:,} bytes, {len(a)} alternating reps (median (min–max)):")
        print(f"(both send the real response's headers: {', '.join(res.response_headers)})")
        print("| measure | (a) ceiling | (b) real | (b)/(a) | target |\n|---|---:|---:|---:|---|")
        ratio = med(ratios)
        print(
            f"| req/s | {rng_(a, 'rps')} | {rng_(b, 'rps')} | **{ratio:.3g}** "
            f"(runs: {', '.join(f'{x:.3g}' for x in ratios)}) | ≥ {TARGETS['ratio']} "
            f"{'met' if ratio >= TARGETS['ratio'] else 'NOT met'} |"
        )
        p99 = med([r["p99_ms"] for r in b])
        print(f"| p50 ms | {rng_(a, 'p50_ms')} | {rng_(b, 'p50_ms')} | | |")
        print(
            f"| p99 ms | {rng_(a, 'p99_ms')} | {rng_(b, 'p99_ms')} | | (b) ≤ {TARGETS['p99_ms']:g} "
            f"{'met' if p99 <= TARGETS['p99_ms'] else 'NOT met'} |"
        )
        print(f"| server CPU % | {rng_(a, 'server_cpu_pct')} | {rng_(b, 'server_cpu_pct')} | | |")
        for name, runs in by.items():
            if name in ("ceiling", "real"):
                continue
            others = [rc["rps"] / ra["rps"] for ra, rc in zip(a, runs, strict=False)]
            print(
                f"| {name}: req/s | | {rng_(runs, 'rps')} | {med(others):.3g} "
                f"(runs: {', '.join(f'{x:.3g}' for x in others)}) | p99 {rng_(runs, 'p99_ms')} ms |"
            )
        errors = [
            (r["server"], r["non2xx"], r["socket_errors"])
            for r in res.runs
            if r["non2xx"] or r["socket_errors"]
        ]
        if errors:
            print(f"errors: {errors}")
    s = res.sequential
    if s:
        print("\nSequential (one keep-alive connection; medians):")
        print("| request | median ms | p90 ms | n | target |\n|---|---:|---:|---:|---|")
        dr = s["deep_page_ratio"]
        fp = s["first_page"]
        print(f"| first page `{FIRST_PAGE}` | {fp['median_ms']:.2f} | {fp['p90_ms']:.2f} | {fp['n']} | |")
        print(
            f"| page {s['deep_page']['page']:,} (cursor) | {s['deep_page']['median_ms']:.2f} | "
            f"{s['deep_page']['p90_ms']:.2f} | {s['deep_page']['n']} | {dr:.2f}× the first page; "
            f"≤ {TARGETS['deep_page_ratio']}× {'met' if dr <= TARGETS['deep_page_ratio'] else 'NOT met'} |"
        )
        print(f"| facets `{FACETS}` | {s['facets']['median_ms']:.2f} | {s['facets']['p90_ms']:.2f} | "
              f"{s['facets']['n']} | constant in table size |")  # fmt: skip
        rq = s["ranked_q"]["median_ms"]
        print(
            f"| ranked `{RANKED}` | {rq:.2f} | {s['ranked_q']['p90_ms']:.2f} | {s['ranked_q']['n']} | "
            f"p50 ≤ {TARGETS['ranked_p50_ms']:g} {'met' if rq <= TARGETS['ranked_p50_ms'] else 'NOT met'} |"
        )
        if "ranked_q_fresh" in s:
            rf = s["ranked_q_fresh"]
            print(
                f"| ranked, first time each of {rf['queries']} queries (asked once each) | "
                f"{rf['median_ms']:.2f} | {rf['p90_ms']:.2f} | {rf['n']} | "
                f"p50 ≤ {TARGETS['ranked_p50_ms']:g} "
                f"{'met' if rf['median_ms'] <= TARGETS['ranked_p50_ms'] else 'NOT met'} |"
            )
        print(f"walk to page {args.deep_page:,}: {s['walk']}")
    if res.under_load:
        print(f"\nUnder load (wrk c={args.conns}, a fresh real server each):")
        print("| request | seconds | requests | req/s | p50 ms | p99 ms | errors |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, r in res.under_load.items():
            if "skipped" in r:
                print(f"| {name} | not run: {r['skipped']} | | | | | |")
            else:
                print(
                    f"| {name} | {r['duration_s']} | {r['requests']} | {r['rps']:,.2f} | "
                    f"{r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} | {r['socket_errors'] or '-'} |"
                )
    if res.compare:
        c = res.compare
        print(
            f"\nGrowth with the table (sequential medians, ms): {c['db']} ({c['claims']:,} claims) vs main KB"
        )
        print("| request | small KB | main KB | main/small |\n|---|---:|---:|---:|")
        for key in ("first_page", "facets", "ranked_q"):
            small, big = c["sequential"][key]["median_ms"], s[key]["median_ms"]
            print(f"| {key} | {small:.2f} | {big:.2f} | {big / small:.2f} |")
    if res.profile:
        p = res.profile
        print("\npy-spy under load (real server):", p.get("error") or p.get("cmd"))
        if "self_pct" in p:
            w = p["wrk_during_profile"]
            print(
                f"wrk during profile: {w['rps']:.0f} req/s; {p['busy_samples']}"
                f" of {p['raw_samples']} samples busy; {p['pool_wait_samples']} waiting for a pooled"
                " connection"
            )
            print("top self time (leaf function):")
            for name, pct in p["self_pct"]:
                print(f"  {pct:5.1f}%  {name}")
            print("top inclusive time:")
            for name, pct in p["inclusive_pct"]:
                print(f"  {pct:5.1f}%  {name}")
            print("phases (inclusive):")
            for name, pct in p["phases_pct"].items():
                print(f"  {pct:5.1f}%  {name}")
    if res.pages:
        t_ms, t_kb = PAGE_TARGETS["median_ms"], PAGE_TARGETS["html_kb"]
        print(
            f"\nExplorer pages (sequential, one keep-alive connection; targets ≤ {t_ms:g} ms, ≤ {t_kb:g} KB):"
        )
        print("| page | median ms | p90 ms | n | HTML KB | targets |\n|---|---:|---:|---:|---:|---|")
        for name, r in res.pages.items():
            met = r["median_ms"] <= t_ms and r["html_kb"] <= t_kb
            print(
                f"| {name} `{r['path']}` | {r['median_ms']:.2f} | {r['p90_ms']:.2f} | {r['n']} | "
                f"{r['html_kb']:.1f} | {'met' if met else 'NOT met'} |"
            )
    print("\nCommands:")
    for k, v in res.commands.items():
        print(f"  {k}: {v}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", required=True, help="KB from bench/build_kb.py: a SQLite file, or a postgresql+psycopg:// URL"
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="another checkout's app (app.main:app imported from DIR) in the throughput alternation",
    )
    parser.add_argument(
        "--compare-db", type=Path, default=None, help="a smaller KB: what grows with the table"
    )
    parser.add_argument("--reps", type=int, default=3, help="alternating (a)/(b) throughput runs")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of discarded wrk warm-up")
    parser.add_argument("--aux-duration", type=int, default=10, help="seconds of wrk for facets / q")
    parser.add_argument("--aux-max", type=int, default=60, help="at most this, for a slow request")
    parser.add_argument("--conns", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--server-cpu", type=int, default=1)
    parser.add_argument("--client-cpu", type=int, default=0)
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--deep-page", type=int, default=1000)
    parser.add_argument("--seq-reps", type=int, default=50)
    parser.add_argument("--seq-timeout", type=float, default=120.0, help="seconds per sequential series")
    parser.add_argument("--walk-timeout", type=float, default=600.0, help="seconds for the cursor walk")
    parser.add_argument("--profile", action="store_true", help="py-spy the real server under load")
    parser.add_argument("--profile-seconds", type=int, default=20)
    parser.add_argument("--profile-native", action="store_true", help="py-spy --native (C frames: SQLite)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--skip-load", action="store_true", help="only the sequential/aux measurements")
    parser.add_argument("--pages-only", action="store_true", help="only the explorer's pages")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "aikb_load_test.json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        parser.error("wrk is required: apt-get update && apt-get install -y wrk")
    postgres = args.db.startswith("postgresql")
    db = args.db if postgres else str(Path(args.db).resolve())
    if not postgres and not Path(db).exists():
        parser.error(f"{db} does not exist: build it with bench/build_kb.py")
    also = {name: Path(path).resolve() for name, path in (a.split("=", 1) for a in args.also)}
    if not args.no_pin:
        os.sched_setaffinity(0, {args.client_cpu})  # this script's own requests run on the client core
    pin_server = [] if args.no_pin else ["taskset", "-c", str(args.server_cpu)]
    tmp = Path(tempfile.mkdtemp(prefix="aikb_load_"))
    res = Results(machine=machine(db))
    db_env = {"DATABASE_URL": db if postgres else f"sqlite:///{db}"}

    def handle_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handle_signal)
    try:
        # The real response, saved for the ceiling (same bytes, same Link header).
        real = make_server("real", "app.main:app", pin_server, db_env, tmp)
        with running(real, "/health"):
            conn = http.client.HTTPConnection(HOST, real.port, timeout=60)
            conn.request("GET", FIRST_PAGE)
            resp = conn.getresponse()
            body = resp.read()
            skip = {"date", "server", "content-length", "content-type"}
            headers = {
                k: v.replace(str(real.port), "8000") for k, v in resp.getheaders() if k.lower() not in skip
            }
            conn.close()
        body_file = tmp / "claims_body.json"
        body_file.write_bytes(body)
        res.body_bytes = len(body)
        res.response_headers = headers
        ceiling_env = {"CEILING_BODY_FILE": str(body_file), "CEILING_HEADERS": json.dumps(headers)}
        print(f"real response: {len(body):,} bytes; scratch dir {tmp}", flush=True)

        if not args.skip_load and not args.pages_only:
            order = ["ceiling", "real", *also]
            for rep in range(args.reps):
                for name in order[rep % len(order) :] + order[: rep % len(order)]:
                    if name == "ceiling":
                        server = make_server("ceiling", "ceiling_app:app", pin_server, ceiling_env, tmp)
                    else:
                        cwd = also.get(name, ROOT)
                        server = make_server(name, "app.main:app", pin_server, db_env, tmp, cwd=cwd)
                    with running(server, FIRST_PAGE):
                        r = run_wrk(args, server, FIRST_PAGE, args.duration)
                    r.update(server=name, rep=rep + 1)
                    res.runs.append(r)
                    res.commands[f"server ({name})"] = server.command_line()
                    res.commands["wrk"] = r["wrk_cmd"]
                    print(
                        f"[rep {rep + 1}] {name:7} {r['rps']:9,.1f} req/s  p50 {r['p50_ms']:.2f} ms  "
                        f"p99 {r['p99_ms']:.2f} ms  cpu {r['server_cpu_pct']:.0f}%  load {r['loadavg1']}  "
                        f"non2xx {r['non2xx']}",
                        flush=True,
                    )
                    time.sleep(1)

        real = make_server("real", "app.main:app", pin_server, db_env, tmp)
        with running(real, "/health"):
            print("explorer pages ...", flush=True)
            res.pages = pages(args, real.port)
        if not args.pages_only:
            real = make_server("real", "app.main:app", pin_server, db_env, tmp)
            with running(real, "/health"):
                print("sequential latencies ...", flush=True)
                res.sequential = sequential(args, real.port)
                print(json.dumps(res.sequential), flush=True)
            # Under c=32 load, each on a fresh server (a slow request leaves a queue behind when wrk stops).
            for name, key, path in (("facets", "facets", FACETS), ("ranked q", "ranked_q", RANKED)):
                single = res.sequential[key]["median_ms"]
                if single > SLOW_MS:
                    res.under_load[name] = {"skipped": f"one request alone takes {single / 1000:.1f} s"}
                    continue
                # Long enough for ~3 rounds of the c=32 queue, so a slow request still completes some.
                seconds = int(min(args.aux_max, max(args.aux_duration, 3 * single * args.conns / 1000)))
                server = make_server("real", "app.main:app", pin_server, db_env, tmp)
                with running(server, "/health"):
                    r = run_wrk(args, server, path, seconds)
                r["duration_s"] = seconds
                res.under_load[name] = r
                print(
                    f"under load: {name}: {r['rps']:.1f} req/s p50 {r['p50_ms']} p99 {r['p99_ms']}",
                    flush=True,
                )
            if args.profile:
                server = make_server("real", "app.main:app", pin_server, db_env, tmp)
                with running(server, "/health"):
                    print(f"py-spy for {args.profile_seconds} s under load ...", flush=True)
                    res.profile = profile(args, server, tmp)

            if args.compare_db:
                small = args.compare_db.resolve()
                con = sqlite3.connect(f"file:{small}?mode=ro", uri=True)
                claims = con.execute("SELECT count(*) FROM claim").fetchone()[0]
                con.close()
                server = make_server(
                    "small", "app.main:app", pin_server, {"DATABASE_URL": f"sqlite:///{small}"}, tmp
                )
                with running(server, "/health"):
                    print(f"sequential latencies on {small} ...", flush=True)
                    small_args = argparse.Namespace(**{**vars(args), "deep_page": min(args.deep_page, 200)})
                    res.compare = {
                        "db": str(small),
                        "claims": claims,
                        "sequential": sequential(small_args, server.port),
                    }
    finally:
        for server in list(STARTED):
            stop(server)
        res.machine["app_sources_sha256_end"] = app_fingerprint()
        args.out.write_text(json.dumps(res.__dict__, indent=1, default=str))
    report(res, args)
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
