"""A read-only API over the seeds plus the test articles, shared by the query tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def api(database: Database, pipeline: Pipeline) -> Iterator[TestClient]:
    """A database of its own holding the seeds plus the test articles, loaded once (the tests only read)."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    for folder in (ROOT / "seeds", ROOT / "tests" / "fixtures" / "articles"):
        assert load_folder(folder, engine=engine, pipeline=pipeline).failed == []
    app = create_app(engine)
    with TestClient(app) as client:
        yield client
    engine.dispose()


def every_item(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """All items of a list, following next_cursor (checking the Link header on the way)."""
    items: list[dict[str, Any]] = []
    params = {"limit": 50, **params}
    while True:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if not body["next_cursor"]:
            assert "link" not in response.headers
            return items
        assert response.headers["link"].endswith('rel="next"')
        params["cursor"] = body["next_cursor"]
