"""A Python client generated (openapi-python-client) from the OpenAPI document a live server serves, used
for the main reads and an ingest: the document is good enough for tools, not just for reading."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn
from sqlmodel import Session

from app import keys
from app.db import engine_for
from app.extraction.pipeline import Pipeline
from app.ingest import load_folder
from app.main import create_app
from app.migrate import upgrade

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
NEW_ARTICLE = (
    "Huawei said on Monday that its Ascend 910C chips would ship in volume to Chinese AI companies in 2026, "
    "as US export controls keep Nvidia's H20 out of the market.\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[tuple[str, str]]:
    """uvicorn on a free port over a SQLite KB of the test articles; yields (base url, write key)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('client') / 'kb.db'}"
    upgrade(url)
    engine = engine_for(url)
    assert load_folder(ARTICLES, engine=engine, pipeline=pipeline).failed == []
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="generated-client", scope="write")
    app = create_app(engine)
    # The socket listens before the server runs: early requests wait in the backlog, no polling needed.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", secret
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


@pytest.fixture(scope="module")
def generated(server: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the live server's /openapi.json, imported."""
    executable = Path(sys.executable).with_name("openapi-python-client")
    if not executable.exists():
        pytest.skip(f"openapi-python-client is not installed next to {sys.executable} (a dev dependency)")
    folder = tmp_path_factory.mktemp("generated")
    spec = folder / "openapi.json"
    spec.write_bytes(httpx.get(f"{server[0]}/openapi.json").content)
    package = folder / "aikb_client"
    env = {**os.environ, "PATH": f"{executable.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [executable, "generate", "--path", spec, "--output-path", package, "--meta", "none"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    except OSError as exc:
        pytest.skip(f"openapi-python-client could not run here: {exc}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Text bodies (text/markdown, text/plain) are beyond the generator; anything else it skips is ours to fix.
    for line in output.splitlines():
        if line.startswith(("Cannot parse", "Attempted to generate", "Unsupported")):
            assert line.startswith("Unsupported content type text/"), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("aikb_client")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == "aikb_client" or m.startswith("aikb_client.")]:
            del sys.modules[name]
        shutil.rmtree(package, ignore_errors=True)


def _module(name: str) -> Any:
    return importlib.import_module(f"aikb_client.{name}")


def test_generated_client_reads_claims_an_entity_and_a_source(
    generated: ModuleType, server: tuple[str, str]
) -> None:
    models = _module("models")
    client = generated.Client(base_url=server[0])
    page = _module("api.claims.list_claims").sync(client=client, topic=[models.ListClaimsTopicItem.CHIPS])
    assert isinstance(page, models.ClaimPage) and page.items
    assert all("chips" in claim.topics for claim in page.items)
    claim = page.items[0]
    entity_id = claim.entities[0].id
    entity = _module("api.entities.get_entity").sync_detailed(entity_id, client=client)
    assert entity.status_code == 200 and entity.parsed.id == entity_id and entity.parsed.claim_count > 0
    source = _module("api.sources.get_source").sync(claim.source, client=client)
    assert isinstance(source, models.SourceDetail)
    assert source.text[claim.span.start : claim.span.end] == claim.text


def test_generated_client_posts_an_article(generated: ModuleType, server: tuple[str, str]) -> None:
    models = _module("models")
    create_source = _module("api.sources.create_source")
    body = models.SourceCreate(text=NEW_ARTICLE, title="Huawei ships Ascend", publisher="Example Wire")
    anonymous = create_source.sync_detailed(client=generated.Client(base_url=server[0]), body=body)
    assert anonymous.status_code == 401 and isinstance(anonymous.parsed, models.Problem)
    writer = generated.AuthenticatedClient(base_url=server[0], token=server[1])
    created = create_source.sync_detailed(client=writer, body=body)
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, models.SourceWritten)
    assert created.parsed.title == "Huawei ships Ascend" and created.parsed.extracted.claims >= 1
    again = create_source.sync_detailed(client=writer, body=body)
    assert again.status_code == 200 and again.parsed.id == created.parsed.id
    claims = _module("api.sources.source_claims").sync(created.parsed.id, client=writer)
    assert claims.items and all(c.source == created.parsed.id for c in claims.items)
    feed = _module("api.changes.changes").sync(client=writer, since=0, limit=1000)
    assert (feed.items[-1].source, feed.items[-1].op.value) == (created.parsed.id, "created")
