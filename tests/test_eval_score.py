"""`eval/score.py seeds` end to end: a clone loads its seeds, serves them and gets the referee's report.

The score always runs on a throwaway SQLite file (that is the tool's design: a score must not depend on what
another database holds), so this test is not parametrised over the backends. Marked `eval` (about 15 s):
deselect with `-m "not eval"` when iterating.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASPECTS = {
    "sources_found",
    "entities",
    "claims",
    "claim_topics",
    "claim_entities",
    "quantities",
    "speakers",
    "relations",
    "provenance",
}


def _report(stdout: str) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for line in stdout.splitlines():
        aspect, _, value = line.partition(": ")
        report[aspect] = json.loads(value) if value.startswith("{") else value
    return report


@pytest.mark.eval
def test_score_seeds_prints_the_referees_report() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "score.py"), "seeds"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = _report(run.stdout)
    assert report.keys() >= ASPECTS, run.stdout
    seeds = json.loads((ROOT / "seeds" / "sources.json").read_text(encoding="utf-8"))
    assert len(report["sources_found"]) == len(seeds)
    assert all(report["sources_found"].values()), "every seed article is found in the served KB"
    for aspect in ("entities", "claims", "claim_topics"):
        assert 0.0 <= report[aspect]["precision"] <= 1.0
        assert 0.0 <= report[aspect]["recall"] <= 1.0
        assert report[aspect]["gold"] > 0
    assert report["provenance"]["claims"] > 0
    assert report["provenance"]["span_text_mismatch"] == 0


def test_score_articles_refuses_a_folder_without_sources_json(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "score.py"), "articles", str(tmp_path), "--gold", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "no sources.json" in run.stderr
