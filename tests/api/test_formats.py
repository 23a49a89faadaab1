"""CSV and NDJSON for every list: the same items as the JSON pages, streamed."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import every_item


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/claims", {"topic": "chips"}),
        ("/claims", {}),
        ("/sources", {}),
        ("/entities", {"type": "company"}),
        ("/relations", {"predicate": "develops"}),
        ("/entities/china/claims", {"has_quantity": "true"}),
        ("/entities/alibaba/relations", {}),
    ],
)
def test_ndjson_and_csv_hold_every_item_of_the_json_pages(
    api: TestClient, path: str, params: dict[str, Any]
) -> None:
    expected = every_item(api, path, **params)
    assert expected
    ndjson = api.get(path, params={**params, "format": "ndjson"})
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    lines = [orjson.loads(line) for line in ndjson.content.splitlines()]
    assert [item["id"] for item in lines] == [item["id"] for item in expected]
    by_accept = api.get(path, params=params, headers={"Accept": "text/csv"})
    assert by_accept.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_accept.text)))
    assert [row["id"] for row in rows] == [item["id"] for item in expected]


def test_csv_claim_rows_flatten_nested_fields(api: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(api.get("/claims", params={"unit": "USD", "format": "csv"}).text)))
    assert rows and all("USD" in row["quantities"] for row in rows)
    assert all(row["span"].count("-") == 1 for row in rows)


def test_unknown_format_is_rejected(api: TestClient) -> None:
    response = api.get("/claims", params={"format": "xml"})
    assert response.status_code == 422 and response.json()["parameter"] == "format"
