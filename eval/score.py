"""Score the extractor with the referee, from a clone: load a folder into a throwaway database, serve, judge.

    python eval/score.py seeds [--verbose] [--json OUT]
    python eval/score.py articles DIR --gold GOLD_DIR [--verbose] [--json OUT]
    python eval/score.py sources GOLD_DIR DIR

`seeds` loads the repository's `seeds/` and runs `kb_eval.py seeds` against `eval/gold/seeds_gold.json`;
`articles` loads DIR (article texts plus `sources.json`) and runs `kb_eval.py articles --gold-dir GOLD_DIR`.
Both use the project's own loader (`aikb load`) and server on a fresh SQLite file in a temporary folder that
is removed afterwards, so a score never depends on what another database holds. `sources` writes
`DIR/sources.json` from the gold files and checks that every annotated alias and quantity text is found in
the texts: run it after fetching the dev or fresh set's texts by the queries in their gold files.

Run it with the project's interpreter (`.venv/bin/python`, as `make eval-seeds` does): the loader and the
server run as child processes of that interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFEREE = HERE / "kb_eval.py"
SEEDS_GOLD = HERE / "gold" / "seeds_gold.json"
SEEDS_DIR = ROOT / "seeds"
# A cold start imports the extraction pipeline and runs migrations; on a shared 2-vCPU machine that has
# taken a few seconds, so the wait is generous and polls rather than sleeping a fixed time.
SERVER_START_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the API server exited with code {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"the API server did not answer {base_url}/health in {SERVER_START_TIMEOUT_S:.0f} s")


@contextmanager
def served(folder: Path, python: str) -> Iterator[str]:
    """Load FOLDER into a new SQLite database with the project's loader, serve it, yield the base URL."""
    with tempfile.TemporaryDirectory(prefix="aikb-eval-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'kb.db'}"}
        load = subprocess.run(
            [python, "-m", "app.cli", "load", str(folder)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if load.returncode != 0:
            raise RuntimeError(f"loading {folder} failed ({load.returncode}):\n{load.stdout}{load.stderr}")
        print(f"# {load.stdout.strip()}", file=sys.stderr)
        port = _free_port()
        server = subprocess.Popen(
            [
                python,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base_url, server)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _referee(args: list[str]) -> int:
    # The referee needs only the standard library; it runs under the same interpreter for simplicity.
    return subprocess.run([sys.executable, str(REFEREE), *args], check=False).returncode


def _extra(ns: argparse.Namespace) -> list[str]:
    return (["--verbose"] if ns.verbose else []) + (["--json", str(ns.json)] if ns.json else [])


def _sources(gold_dir: Path, folder: Path) -> int:
    """Write FOLDER/sources.json from the gold files; report aliases or quantity texts not found verbatim."""
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    entries, problems = [], []
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text_path = folder / f"{gold['id']}.txt"
        if not text_path.is_file():
            problems.append(f"{gold['id']}: {text_path} is missing")
            continue
        text = text_path.read_text(encoding="utf-8")
        entry = {key: gold[key] for key in ("url", "title", "title_from", "publisher") if gold.get(key)}
        if gold.get("published"):
            entry["published"] = gold["published"]
        entries.append({"file": text_path.name, **entry})
        surface = [a for e in gold["entities"] for a in e["aliases_in_text"]]
        surface += [q["text"] for c in gold["claims"] for q in c.get("quantities", [])]
        problems += [f"{gold['id']}: not in the text: {s!r}" for s in surface if s not in text]
    (folder / "sources.json").write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {folder / 'sources.json'} ({len(entries)} articles)")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter that has the project installed")
    sub = parser.add_subparsers(dest="mode", required=True)
    seeds = sub.add_parser("seeds", help="score the repository's seed articles")
    articles = sub.add_parser("articles", help="score a folder of articles against a folder of gold files")
    articles.add_argument("folder", type=Path, help="article texts with their sources.json")
    articles.add_argument(
        "--gold", type=Path, required=True, help="folder of gold files, one JSON per article"
    )
    for mode in (seeds, articles):
        mode.add_argument("--verbose", action="store_true", help="also list missed and extra items")
        mode.add_argument("--json", type=Path, help="write the referee's full report here")
    sources = sub.add_parser("sources", help="write sources.json for fetched texts from their gold files")
    sources.add_argument("gold", type=Path)
    sources.add_argument("folder", type=Path)
    ns = parser.parse_args(argv)

    if ns.mode == "sources":
        return _sources(ns.gold, ns.folder)
    if ns.mode == "seeds":
        folder, referee_args = SEEDS_DIR, ["seeds", "--gold", str(SEEDS_GOLD)]
    else:
        if not (ns.folder / "sources.json").is_file():
            parser.error(f"{ns.folder} has no sources.json (write one with: score.py sources GOLD DIR)")
        folder, referee_args = ns.folder, ["articles", "--gold-dir", str(ns.gold)]
    try:
        with served(folder.resolve(), ns.python) as base_url:
            return _referee([*referee_args, "--base-url", base_url, *_extra(ns)])
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
