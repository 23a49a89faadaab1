"""A read-only knowledge base for the explorer's tests: the seeds, the test articles and a hostile article
(markup and script in its text and metadata), loaded once per module and backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[2]
# Every way an article could try to run code in the page: tags, attributes, quotes that close attributes,
# a javascript: address. Each would set window.__pwned; CR LF line ends test the reader's exact text.
HOSTILE_TEXT = (
    "Huawei <b>will</b> ship 100,000 Ascend 910B chips to Chinese buyers in 2025, "
    "<script>window.__pwned = 1</script> according to people familiar with the matter.\r\n\r\n"
    'Nvidia CEO Jensen Huang said "<img src=x onerror="window.__pwned=2">" China is nanoseconds behind the '
    "US in AI chips.\r\n"
    "SMIC & TSMC <svg onload=window.__pwned=3> compete on 7-nanometer processes, analysts said.\n\n"
    "The U.S. Department of Commerce restricted exports of H20 chips to China in April 2025 "
    "' \" </div></main>.\n"
)
HOSTILE_META = {
    "file": "hostile.txt",
    "url": "javascript:window.__pwned=4",
    "title": '<script>window.__pwned="title"</script>Chips <img src=x onerror="window.__pwned=5"> & curbs',
    "publisher": '<b>Evil</b> & "Co" </a>',
    "authors": ['<svg onload="window.__pwned=6">'],
    "published": "2025-06-01",
    "language": "en",
    "note": '<iframe src="https://evil.example/"></iframe>',
}


def write_hostile(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.txt").write_bytes(HOSTILE_TEXT.encode())
    (folder / "sources.json").write_text(json.dumps([HOSTILE_META]), encoding="utf-8")
    return folder


def load_kb(engine: Engine, pipeline: Pipeline, tmp: Path) -> None:
    for folder in (ROOT / "seeds", ROOT / "tests" / "fixtures" / "articles", write_hostile(tmp / "hostile")):
        assert load_folder(folder, engine=engine, pipeline=pipeline).failed == []


@pytest.fixture(scope="module")
def kb_url(database: Database, pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own holding the seeds, the test articles and the hostile article."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    load_kb(engine, pipeline, tmp_path_factory.mktemp("kb"))
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def site(kb_url: str) -> Iterator[TestClient]:
    engine = engine_for(kb_url)
    with TestClient(create_app(engine)) as client:
        yield client
    engine.dispose()
