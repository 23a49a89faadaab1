"""Fixtures: a migrated database per backend (SQLite always; PostgreSQL when reachable or in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from app.db import engine_for
from app.extraction.pipeline import Pipeline, get_pipeline
from app.main import create_app
from app.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("AIKB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Cases schemathesis ran, by backend (tests/api/test_schemathesis.py); printed at the end of the run.
SCHEMATHESIS_CASES = pytest.StashKey[dict[str, int]]()
TABLES = (
    "facet_count",
    "relation",
    "quantity",
    "claim_entity",
    "claim_topic",
    "claim",
    "mention",
    "entity_alias",
    "entity",
    "topic",
    "source",
    "change",
    "api_key",
)


def _postgres_admin() -> Engine | None:
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        engine.dispose()
        return None
    return engine


class Database:
    """A throwaway database: `new()` creates one, `close()` drops everything it created."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.created: list[str] = []
        self.admin = _postgres_admin() if backend == "postgres" else None
        if backend == "postgres" and self.admin is None:
            reason = f"PostgreSQL not reachable at {POSTGRES_URL}"
            if IN_CI:
                pytest.fail(f"{reason} (CI must test PostgreSQL)")
            pytest.skip(reason)

    def new(self) -> str:
        name = f"aikb_test_{uuid.uuid4().hex[:10]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        assert self.admin is not None
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"

    def close(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(request.param, tmp_path_factory.mktemp(request.param))
    yield db
    db.close()


@pytest.fixture(scope="session")
def migrated_url(database: Database) -> str:
    url = database.new()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def shared_engine(migrated_url: str) -> Iterator[Engine]:
    engine = engine_for(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(shared_engine: Engine) -> Iterator[Engine]:
    """The migrated database, emptied after each test."""
    yield shared_engine
    with shared_engine.begin() as conn:
        if shared_engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
        else:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return get_pipeline()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = create_app(engine)
    with TestClient(app) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    counts = config.stash.get(SCHEMATHESIS_CASES, {})
    if counts:
        ran = ", ".join(f"{n} on {backend}" for backend, n in counts.items())
        terminalreporter.write_line(f"schemathesis: {sum(counts.values())} generated cases ({ran})")
