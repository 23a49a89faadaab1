"""The per-statement time limit: a runaway query answers 503 with a problem body instead of hanging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.api.deps import SessionDep, run_query
from app.api.responses import JSONResponse
from app.db import engine_for
from app.main import create_app
from app.sql import Db
from tests.conftest import Database

LIMIT_MS = 200


def slow_sql(engine: Engine) -> str:
    """A statement that runs for seconds on either backend."""
    if engine.dialect.name == "postgresql":
        return "SELECT pg_sleep(5)"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) "
        "SELECT count(*) FROM n"
    )


@pytest.fixture
def limited(database: Database, migrated_url: str) -> Iterator[TestClient]:
    engine = engine_for(migrated_url, time_limit_ms=LIMIT_MS)
    app = create_app(engine)
    sql = slow_sql(engine)

    @app.get("/test/slow-thin")
    async def slow_thin(request: Request) -> JSONResponse:
        return await run_query(request, lambda db: JSONResponse(db.rows(sql, {})), inline=False)

    @app.get("/test/slow-session")
    def slow_session(session: SessionDep) -> JSONResponse:
        return JSONResponse(list(session.execute(text(sql)).all()))

    with TestClient(app) as client:
        yield client
    engine.dispose()


@pytest.mark.parametrize("path", ["/test/slow-thin", "/test/slow-session"])
def test_a_statement_past_the_limit_answers_503(limited: TestClient, path: str) -> None:
    response = limited.get(path)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Query time limit"
    assert "ms limit" in body["detail"]
    assert response.headers["retry-after"] == "1"


def test_the_limit_leaves_ordinary_reads_alone(limited: TestClient) -> None:
    for _ in range(3):  # the connection that was interrupted serves again
        assert limited.get("/test/slow-thin").status_code == 503
        assert limited.get("/claims", params={"facets": "topic,kind"}).status_code == 200
        assert limited.get("/stats").status_code == 200


def test_an_unlimited_engine_never_arms_the_clock(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    try:
        with engine.connect() as conn:
            db = Db(conn.connection.driver_connection, engine.dialect.name)
            assert db.time_limit_ms == 0
            assert db.rows("SELECT 1", {})[0][0] == 1
    finally:
        engine.dispose()
