"""CSV and NDJSON for every list: the same items as the JSON pages, streamed."""

from __future__ import annotations

import csv
import io
import re
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


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
@pytest.mark.parametrize(
    ("path", "params"), [("/claims", {"topic": "chips"}), ("/entities", {}), ("/relations", {})]
)
def test_an_export_holds_at_most_the_limit_given(
    api: TestClient, path: str, params: dict[str, Any], fmt: str
) -> None:
    first = api.get(path, params={**params, "limit": 3}).json()["items"]
    exported = api.get(path, params={**params, "limit": 3, "format": fmt})
    ids = (
        [row["id"] for row in csv.DictReader(io.StringIO(exported.text))]
        if fmt == "csv"
        else [orjson.loads(line)["id"] for line in exported.content.splitlines()]
    )
    assert ids == [item["id"] for item in first] and len(ids) == 3


@pytest.mark.parametrize(
    ("path", "fmt", "filename"),
    [
        ("/claims", "csv", "claims.csv"),
        ("/entities/huawei/claims", "ndjson", "entities-huawei-claims.ndjson"),
        ("/relations", "csv", "relations.csv"),
    ],
)
def test_an_export_is_an_attachment_with_a_filename(
    api: TestClient, path: str, fmt: str, filename: str
) -> None:
    response = api.get(path, params={"format": fmt, "limit": 1})
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert "content-disposition" not in api.get(path, params={"limit": 1}).headers


def test_csv_quantities_are_plain_numbers(api: TestClient) -> None:
    claims = every_item(api, "/claims", unit="USD")
    big = [c for c in claims if any(q["value"] >= 1e9 for q in c["quantities"])]
    assert big, "the seeds state sums in the billions"
    rows = {
        r["id"]: r
        for r in csv.DictReader(io.StringIO(api.get("/claims", params={"unit": "USD", "format": "csv"}).text))
    }
    for claim in big:
        cell = rows[claim["id"]]["quantities"]
        assert not re.search(r"\de[+-]?\d", cell, re.IGNORECASE), cell  # no scientific notation
        for quantity in claim["quantities"]:
            value = quantity["value"]
            written = str(int(value)) if value.is_integer() else repr(value)
            assert f"{written} {quantity['unit']}" in cell
