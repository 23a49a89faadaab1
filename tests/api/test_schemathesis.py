"""Schemathesis over the served OpenAPI document: every operation, reads and writes (with a write key), with
valid (positive) and invalid (negative) inputs. Each response must be no 5xx, have a documented status and
content type, and match the documented schema. Deterministic: derandomized, no example database.

The run has a database of its own (seeds plus the test articles): its writes, DELETE /sources/{id} and
POST /admin/reextract included, touch nothing another test reads, and each run starts from the same state.
SQLite takes the full budget (over 1,000 cases); PostgreSQL a smaller one (the same operations, fewer cases
each) to keep CI's wall time in check. The counts are printed in pytest's terminal summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app import keys
from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import SCHEMATHESIS_CASES, Database

ROOT = Path(__file__).resolve().parents[2]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Cases per operation and generation mode. An operation whose inputs are few (no parameters, one boolean)
# runs out of distinct cases sooner; re-extraction re-runs the pipeline over every source, so it gets fewer.
EXAMPLES = {"sqlite": 40, "postgres": 12}
FEWER = {"POST /admin/reextract": 4}
MINIMUM_CASES = {"sqlite": 1000, "postgres": 300}


@pytest.fixture(scope="module")
def fuzzed(database: Database, pipeline: Pipeline) -> Iterator[tuple[FastAPI, str]]:
    """The app over a database of its own (seeds + test articles), and a write key."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    for folder in (ROOT / "seeds", ROOT / "tests" / "fixtures" / "articles"):
        assert load_folder(folder, engine=engine, pipeline=pipeline).failed == []
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="schemathesis", scope="write")
    yield create_app(engine), secret
    engine.dispose()


def _describe(label: str, mode: GenerationMode, case: Any, error: BaseException) -> str:
    found = getattr(error, "exceptions", [error])
    titles = "; ".join(f"{getattr(f, 'code', type(f).__name__)} {getattr(f, 'title', '')}" for f in found)
    return f"{label} [{mode.value}] {titles}\n    {case.as_curl_command()}\n    {str(error)[:600]}"


def test_every_operation_conforms(
    fuzzed: tuple[FastAPI, str], database: Database, request: pytest.FixtureRequest
) -> None:
    app, secret = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /claims", "POST /sources", "DELETE /sources/{source_id}", "GET /changes"} <= labels
    failures: list[str] = []
    counted = 0

    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if operation.query or operation.path_parameters or operation.body:  # something to get wrong
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            examples = FEWER.get(operation.label, EXAMPLES[database.backend])

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal counted
                counted += 1
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {secret}"}
                try:
                    case.call_and_validate(checks=CHECKS)
                except (AssertionError, BaseExceptionGroup) as error:
                    if len(failures) < 50:
                        failures.append(_describe(operation.label, mode, case, error))  # noqa: B023

            run()

    request.config.stash.setdefault(SCHEMATHESIS_CASES, {})[database.backend] = counted
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(failures)
    assert counted >= MINIMUM_CASES[database.backend]
