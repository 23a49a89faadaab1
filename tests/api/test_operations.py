"""Operations over HTTP: /health, /ready, /metrics, request ids, JSON logs and the 500 problem."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from app.config import get_settings
from app.db import engine_for
from app.main import create_app
from app.telemetry import JsonFormatter, RequestIdFilter
from tests.conftest import Database


def app_on(engine: Engine) -> FastAPI:
    return create_app(engine)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """What the app logs while the test runs, as the JSON lines `aikb serve` writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("aikb")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    yield stream
    logger.removeHandler(handler)
    logger.level = level


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format (None when absent)."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            sample, value = line.rsplit(" ", 1)
            found = dict(re.findall(r'(\w+)="([^"]*)"', sample))
            if sample.split("{")[0] == name and found == labels:
                return float(value)
    return None


def test_health_and_ready_answer_live_state(client: TestClient) -> None:
    health = client.get("/health")
    assert health.json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    # Probes are never cached, nor answered 304 by the ETag middleware.
    assert ready.headers["cache-control"] == "no-store" and "etag" not in ready.headers


def test_ready_is_503_when_migrations_are_behind(database: Database) -> None:
    engine = engine_for(database.new())  # an empty database: never migrated
    try:
        with TestClient(app_on(engine)) as client:
            response = client.get("/ready")
            assert client.get("/health").status_code == 200  # alive, just not ready
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Not ready"
    assert body["detail"].startswith("migrations not at head: database at no revision, code expects 0")


def test_ready_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    engine = create_engine(f"sqlite:///{tmp_path / 'a-file' / 'kb.db'}")
    with TestClient(app_on(engine)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["detail"] == "database unreachable: OperationalError"


def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    for claim_id in ("c_1", "c_2", "c_3"):
        assert client.get(f"/claims/{claim_id}").status_code == 404
    client.get("/no/such/path")
    client.request("BREW", "/claims")
    text = client.get("/metrics").text
    labels = {"method": "GET", "route": "/claims/{claim_id}", "status": "404"}
    assert metric(text, "aikb_http_requests_total", **labels) == 3
    assert metric(text, "aikb_http_request_duration_seconds_count", **labels) == 3
    assert metric(text, "aikb_http_request_duration_seconds_bucket", le="+Inf", **labels) == 3
    assert metric(text, "aikb_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert metric(text, "aikb_http_requests_total", method="other", route="/claims", status="405") == 1
    assert "c_1" not in text and "/no/such/path" not in text  # raw paths never become labels


def test_metrics_report_knowledge_base_sizes(api: TestClient) -> None:
    response = api.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    stats = api.get("/stats").json()
    for kind in ("sources", "claims", "entities", "relations"):
        assert metric(response.text, "aikb_kb_rows", kind=kind) == stats[kind] > 0


def test_request_id_is_echoed_when_safe_and_made_otherwise(client: TestClient) -> None:
    assert client.get("/health", headers={"X-Request-ID": "req-42.a:b"}).headers["x-request-id"] == (
        "req-42.a:b"
    )
    made = set()
    for unsafe in ("x" * 129, "two words", 'quote"d', "new\\nline", ""):
        made.add(client.get("/health", headers={"X-Request-ID": unsafe}).headers["x-request-id"])
    made.add(client.get("/health").headers["x-request-id"])
    assert len(made) == 6 and all(re.fullmatch(r"[0-9a-f]{12}-[0-9a-f]+", m) for m in made)


def test_every_log_line_of_a_request_carries_its_id(
    engine: Engine, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIKB_ACCESS_LOG", "true")
    get_settings.cache_clear()
    try:
        app = app_on(engine)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    @app.get("/talk")
    def talk() -> dict[str, str]:  # a sync endpoint: runs on a worker thread
        logging.getLogger("aikb.test").info("working", extra={"step": 1})
        return {}

    with TestClient(app) as client:
        client.get("/talk", headers={"X-Request-ID": "talk-1"})
    emitted = lines(json_logs)
    assert [(e["logger"], e["request_id"]) for e in emitted] == [
        ("aikb.test", "talk-1"),
        ("aikb.access", "talk-1"),
    ]
    assert emitted[0]["msg"] == "working" and emitted[0]["step"] == 1
    access = emitted[1]
    assert access["msg"] == "GET /talk 200" and access["route"] == "/talk" and access["status"] == 200
    assert access["duration_ms"] >= 0 and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", access["ts"])


def test_access_log_is_off_by_default(client: TestClient, json_logs: io.StringIO) -> None:
    client.get("/health")
    assert lines(json_logs) == []


def test_unhandled_error_is_a_logged_500_problem(engine: Engine, json_logs: io.StringIO) -> None:
    app = app_on(engine)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with TestClient(app) as client:
        response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
        metrics = client.get("/metrics").text
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "boom-1"
    assert response.json()["request_id"] == "boom-1" and response.json()["status"] == 500
    [error] = lines(json_logs)
    assert error["level"] == "ERROR" and error["request_id"] == "boom-1" and error["path"] == "/boom"
    assert "RuntimeError: kaboom" in error["exc"] and "Traceback" in error["exc"]
    assert metric(metrics, "aikb_http_requests_total", method="GET", route="/boom", status="500") == 1
