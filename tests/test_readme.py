"""The README stays true: every `$ curl` example answers what it shows on a knowledge base holding the
seeds (as `make serve` has it), the readiness example shows the migration head, the documented fields and
commands are the ones the code takes, and nothing points outside the repository."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import _parser
from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import ArticleMetadata, load_folder
from app.ingest.articles import ENTRY_FIELDS
from app.main import create_app
from app.migrate import head_revisions, upgrade
from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# `$ curl -s[i] 'localhost:8000/…'` with an optional `| head -N`, then what it prints, up to a blank line.
EXAMPLE = re.compile(
    r"^\$ curl -s(?P<head_flag>i?) '(?:http://)?localhost:8000(?P<path>[^']+)'(?: \| head -(?P<lines>\d+))?\n"
    r"(?P<shown>(?:(?!\$ |```).+\n)+)",
    re.MULTILINE,
)


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def _examples() -> list[Any]:
    return [pytest.param(m, id=m.group("path")) for m in EXAMPLE.finditer(README)]


@pytest.fixture(scope="module")
def served(database: Database, pipeline: Pipeline) -> Iterator[TestClient]:
    """The API over a knowledge base holding the seeds, as `make serve` serves it."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    assert load_folder(ROOT / "seeds", engine=engine, pipeline=pipeline).failed == []
    with TestClient(create_app(engine)) as client:
        yield client
    engine.dispose()


def _flat(text: str) -> str:
    """Text without whitespace: the README wraps long lines of output where the server writes none."""
    return re.sub(r"\s+", "", text)


def test_the_readme_has_curl_examples() -> None:
    assert len(_examples()) >= 8


@pytest.mark.parametrize("example", _examples())
def test_each_curl_example_answers_what_the_readme_shows(served: TestClient, example: re.Match[str]) -> None:
    response = served.get(example.group("path"), follow_redirects=False)
    shown = example.group("shown")
    if example.group(
        "head_flag"
    ):  # `curl -si … | head -1`: the status line, and the Location noted beside it
        status_line, _, note = shown.strip().partition("(location: ")
        code = int(status_line.split()[1])
        assert response.status_code == code, response.text
        if note:
            assert response.headers["location"] == note.rstrip(")")
        return
    body = response.text
    if example.group("lines"):
        body = "\n".join(body.splitlines()[: int(example.group("lines"))])
    actual = _flat(body)
    position = 0
    for fragment in (_flat(part) for part in shown.split("…")):
        found = actual.find(fragment, position)
        assert found >= 0, f"{example.group('path')}: {fragment!r} is not in what it answers:\n{body[:2000]}"
        position = found + len(fragment)


def test_the_claim_shown_in_full_is_the_one_served(served: TestClient) -> None:
    section = _section("API overview")
    block = section[section.index("A claim in full") :]
    start = block.index("```json\n") + len("```json\n")
    shown = json.loads(block[start : block.index("```", start)])
    found = served.get("/claims", params={"source": shown["source"], "limit": 200}).json()["items"]
    assert shown in found


def test_readiness_shows_the_migration_head() -> None:
    revisions = re.findall(r'"revision":\s*"([^"]+)"', README)
    assert revisions and set(revisions) == set(head_revisions())


def test_every_sources_json_field_is_documented() -> None:
    section = _section("Loading articles")
    fields = {*ArticleMetadata.model_fields, *ENTRY_FIELDS}
    assert {f for f in fields if f"| `{f}` |" not in section} == set()


def test_every_command_is_documented() -> None:
    section = _section("Command line")
    commands = next(a for a in _parser()._actions if a.dest == "command").choices
    assert commands and {c for c in commands if f"`aikb {c}" not in section} == set()
    assert "`aikb --version`" in section


def test_examples_quote_their_urls_and_name_the_installed_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines()]
    unquoted = [line for line in lines if "curl " in line and not re.search(r"curl -\w+ '", line)]
    assert unquoted == []  # zsh reads ? and & in an unquoted URL
    bare = [line for line in lines if re.match(r"(\$ )?aikb ", line)]
    assert bare == []  # only .venv/bin/aikb exists after `make serve`


def test_links_stay_inside_the_repository() -> None:
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target
    # The one path outside: the CI variable naming where the team's base-image script lives (documented
    # as such; CI fails without it).
    outside = [
        line for line in README.splitlines() if "../" in line and "AIKB_BASE_IMAGES_SCRIPT" not in line
    ]
    assert outside == []
