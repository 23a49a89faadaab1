"""Reads that need a thread run at most AIKB_READ_CONCURRENCY at once; the rest wait their turn."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine

from app.api.deps import run_query
from app.config import get_settings


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AIKB_READ_CONCURRENCY", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.001)


def test_a_second_threaded_read_waits_for_the_first(engine: Engine, one_at_a_time: None) -> None:
    state = SimpleNamespace(engine=engine, settings=get_settings())
    request: Any = SimpleNamespace(app=SimpleNamespace(state=state))
    release = threading.Event()
    ran: list[str] = []

    def first(db: Any) -> str:
        ran.append("first")
        assert release.wait(30)
        return "first"

    def second(db: Any) -> str:
        ran.append("second")
        return "second"

    async def scenario() -> list[str]:
        one = asyncio.create_task(run_query(request, first, inline=False))
        await _until(lambda: ran == ["first"], "the first read to start")
        limiter = request.app.state.read_limiter
        assert limiter.total_tokens == 1 and limiter.borrowed_tokens == 1
        two = asyncio.create_task(run_query(request, second, inline=False))
        await _until(lambda: limiter.statistics().tasks_waiting == 1, "the second read to queue")
        assert ran == ["first"]  # queued, not running beside the first
        release.set()
        return list(await asyncio.gather(one, two))

    assert asyncio.run(scenario()) == ["first", "second"]
    assert ran == ["first", "second"]
