"""Which /claims requests run on the event loop: only those one index range read answers."""

from __future__ import annotations

from typing import Any

import pytest

from app.queries import ClaimFilter, runs_inline


@pytest.mark.parametrize(
    ("params", "inline"),
    [
        ({}, True),
        ({"topic": ["chips"]}, True),
        ({"entity": ["huawei"], "published_from": "2025-01-01", "cursor": "x"}, True),
        ({"source": "src_1", "sort": "position"}, True),
        ({"topic": ["chips"], "facets": "topic,kind"}, True),  # the kept counts
        ({"topic": ["chips"], "entity": ["huawei"]}, False),  # one driver, the other tested per row
        ({"topic": ["chips", "policy"]}, False),
        ({"topic": ["chips"], "kind": ["quote"]}, False),
        ({"topic": ["chips"], "speaker": "jensen-huang"}, False),
        ({"topic": ["investment"], "unit": "USD", "value_min": 1e9}, False),
        ({"has_quantity": False}, False),
        ({"publisher": "Reuters"}, False),
        ({"entity_type": "chip"}, False),
        ({"q": "export controls"}, False),
        ({"topic": ["chips"], "facets": "entity", "kind": ["quote"]}, False),  # counted live
    ],
)
def test_only_index_range_reads_run_on_the_event_loop(params: dict[str, Any], inline: bool) -> None:
    assert runs_inline(ClaimFilter.model_validate(params)) is inline
