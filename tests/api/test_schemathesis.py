"""Schemathesis over the served OpenAPI document: every operation, reads and writes (with a write key), with
valid (positive) and invalid (negative) inputs. Each response must be no 5xx, have a documented status and
content type, and match the documented schema. Deterministic: derandomized, no example database.

The run has a database of its own (seeds plus the test articles): its writes, DELETE /sources/{id} and
POST /admin/reextract included, touch nothing another test reads, and each run starts from the same state.
Operations must meet the KB's real ids and names, not only random strings that find nothing: a hook
draws path ids (claims, sources, entities and their aliases, problem types) and the names filters take
(entities by id or alias, sources by id or url, publishers) from the loaded KB for reads and patches,
alongside the generated values; the run checks that reads by id did answer 200 with real items.
SQLite takes the full budget (over 1,000 cases); PostgreSQL a smaller one (the same operations, fewer cases
each) to keep CI's wall time in check. The counts are printed in pytest's terminal summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text
from sqlmodel import Session

from app import keys
from app.db import engine_for
from app.errors import PROBLEM_TYPES
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


# Reads by id that must meet real items at least this often (each runs EXAMPLES cases per mode).
REAL_READS = ("GET /claims/{claim_id}", "GET /sources/{source_id}", "GET /entities/{entity_id}")
Names = dict[str, list[str]]


@pytest.fixture(scope="module")
def fuzzed(database: Database, pipeline: Pipeline) -> Iterator[tuple[FastAPI, str, Names]]:
    """The app over a database of its own (seeds + test articles), a write key, and the ids and names the
    KB holds."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    for folder in (ROOT / "seeds", ROOT / "tests" / "fixtures" / "articles"):
        assert load_folder(folder, engine=engine, pipeline=pipeline).failed == []
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="schemathesis", scope="write")
    yield create_app(engine), secret, _names(engine)
    engine.dispose()


def _names(engine: Engine) -> Names:
    """Real ids and the names filters resolve, read from the KB (ordered: the run is deterministic)."""
    queries = {
        "claim_id": "SELECT id FROM claim ORDER BY id",
        "source_id": "SELECT id FROM source ORDER BY id",
        "url": "SELECT url FROM source WHERE url IS NOT NULL ORDER BY url",
        "publisher": "SELECT DISTINCT publisher FROM source WHERE publisher IS NOT NULL ORDER BY publisher",
        "named": "SELECT value FROM facet_count WHERE scope = '' AND facet = 'entity' ORDER BY value",
        "speaker": "SELECT value FROM facet_count WHERE scope = '' AND facet = 'speaker' ORDER BY value",
        # Aliases of entities claims name: a name (Nvidia) or an old id (nvidia-corporation) redirects.
        "alias": "SELECT a.alias FROM entity_alias a JOIN facet_count f ON f.value = a.entity_id "
        "AND f.scope = '' AND f.facet = 'entity' ORDER BY a.id LIMIT 40",
    }
    with engine.connect() as conn:
        names = {key: [r[0] for r in conn.execute(text(sql))] for key, sql in queries.items()}
    names["entity_id"] = names["named"] + names["alias"]
    names["slug"] = sorted(PROBLEM_TYPES)
    return names


def _real(names: Names, kind: str, generated: Any) -> st.SearchStrategy[Any]:
    """The generated value, or (more often) one the KB holds."""
    real = st.sampled_from(names[kind])
    if isinstance(generated, list):
        real = st.lists(real, min_size=1, max_size=2)
    return st.one_of(st.just(generated), real, real, real)


# Query parameters naming something the KB holds, and where to draw their real values from.
QUERY_NAMES = {
    "entity": "entity_id",
    "speaker": "speaker",
    "cited": "named",
    "subject": "entity_id",
    "object": "entity_id",
    "publisher": "publisher",
}


def _draw_real_names(schema: Any, names: Names) -> None:
    """Hooks: path ids and named filters of reads (and patches) drawn from the KB as well as generated."""

    @schema.hook("flatmap_path_parameters")
    def real_ids(context: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        if not path_parameters or context.operation.method.upper() not in ("GET", "PATCH"):
            return st.just(path_parameters)  # deletes and re-texts keep their random ids
        drawn = {k: _real(names, k, v) for k, v in path_parameters.items() if names.get(k)}
        return st.fixed_dictionaries({**{k: st.just(v) for k, v in path_parameters.items()}, **drawn})

    @schema.hook("flatmap_query")
    def real_filters(context: Any, query: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        if not query or context.operation.method.upper() != "GET":
            return st.just(query)
        drawn = {k: _real(names, QUERY_NAMES[k], v) for k, v in query.items() if k in QUERY_NAMES}
        if "source" in query:
            drawn["source"] = st.one_of(
                _real(names, "source_id", query["source"]), st.sampled_from(names["url"])
            )
        return st.fixed_dictionaries({**{k: st.just(v) for k, v in query.items()}, **drawn})


def _describe(label: str, mode: GenerationMode, case: Any, error: BaseException) -> str:
    found = getattr(error, "exceptions", [error])
    titles = "; ".join(f"{getattr(f, 'code', type(f).__name__)} {getattr(f, 'title', '')}" for f in found)
    return f"{label} [{mode.value}] {titles}\n    {case.as_curl_command()}\n    {str(error)[:600]}"


def test_every_operation_conforms(
    fuzzed: tuple[FastAPI, str, Names], database: Database, request: pytest.FixtureRequest
) -> None:
    app, secret, names = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    _draw_real_names(schema, names)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /claims", "POST /sources", "DELETE /sources/{source_id}", "GET /changes"} <= labels
    failures: list[str] = []
    counted = 0
    found: Counter[str] = Counter()  # reads by id that answered 200

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
                    response = case.call_and_validate(checks=CHECKS)
                    if response.status_code == 200:
                        found[operation.label] += 1  # noqa: B023
                except (AssertionError, BaseExceptionGroup) as error:
                    if len(failures) < 50:
                        failures.append(_describe(operation.label, mode, case, error))  # noqa: B023

            run()

    request.config.stash.setdefault(SCHEMATHESIS_CASES, {})[database.backend] = counted
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(failures)
    assert counted >= MINIMUM_CASES[database.backend]
    assert all(found[label] >= 3 for label in REAL_READS), found
