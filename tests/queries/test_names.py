"""What a filter names, as a table: the value given -> what it resolves to, or the error (naming the
parameter, with a hint) when it names nothing. Read off the tiny KB (tests/queries/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from app.errors import InvalidParameter
from app.queries import ClaimFilter, RelationFilter, SourceFilter, resolved
from app.sql import Db


@pytest.fixture
def db(tiny: Engine) -> Iterator[Db]:
    with tiny.connect() as connection:
        yield Db.of(connection)


RESOLVED: list[tuple[type[BaseModel], dict[str, Any], dict[str, Any]]] = [
    (ClaimFilter, {"entity": ["nvidia"]}, {"entity": ["nvidia"]}),
    (ClaimFilter, {"entity": ["Nvidia"]}, {"entity": ["nvidia"]}),  # a name, any case
    (ClaimFilter, {"entity": ["NVIDIA Corporation"]}, {"entity": ["nvidia"]}),  # an alias
    (ClaimFilter, {"entity": ["nvidia-corporation"]}, {"entity": ["nvidia"]}),  # an alias as an (old) id
    (ClaimFilter, {"entity": ["huawei technologies", "China"]}, {"entity": ["huawei", "china"]}),
    (ClaimFilter, {"entity": ["Nvidia", "nvidia"]}, {"entity": ["nvidia"]}),  # the same entity once
    (ClaimFilter, {"speaker": "Jensen Huang"}, {"speaker": "jensen-huang"}),
    (ClaimFilter, {"cited": "REUTERS"}, {"cited": "reuters"}),
    (ClaimFilter, {"source": "src_a"}, {"source": "src_a"}),
    (ClaimFilter, {"source": "https://example.test/src_b"}, {"source": "src_b"}),  # by url
    (ClaimFilter, {"publisher": "Wire A"}, {"publisher": "Wire A"}),
    (ClaimFilter, {"publisher": " wire b "}, {"publisher": "Wire B"}),  # any case
    (ClaimFilter, {"unit": "usd"}, {"unit": "USD"}),  # validated by the model: a closed vocabulary
    (ClaimFilter, {"unit": " Year"}, {"unit": "year"}),
    (SourceFilter, {"publisher": "DAILY C"}, {"publisher": "Daily C"}),
    (RelationFilter, {"subject": "Huawei", "object": "Ascend 910B"},
     {"subject": "huawei", "object": "ascend-910b"}),
    (RelationFilter, {"source": "https://example.test/src_a"}, {"source": "src_a"}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "given", "expected"), RESOLVED, ids=[str(g) for _, g, _ in RESOLVED])
def test_names_resolve_to_what_the_tables_hold(
    db: Db, model: type[BaseModel], given: dict[str, Any], expected: dict[str, Any]
) -> None:
    f = resolved(db, model.model_validate(given))
    assert {name: getattr(f, name) for name in expected} == expected


def test_a_filter_naming_nothing_is_returned_as_it_is(db: Db) -> None:
    f = ClaimFilter(topic=["chips"])
    assert resolved(db, f) is f


UNKNOWN: list[tuple[dict[str, Any], str, str]] = [
    ({"entity": ["nvidai"]}, "entity", "did you mean 'nvidia'?"),
    ({"entity": ["huawei", "zzz-unknown"]}, "entity", "GET /entities?q="),
    ({"speaker": "jensen-hung"}, "speaker", "did you mean 'jensen-huang'?"),
    ({"cited": "reuter"}, "cited", "did you mean 'reuters'?"),
    ({"source": "src_ax"}, "source", "did you mean 'src_a'"),
    ({"source": "https://example.test/nothing"}, "source", "GET /sources"),
    ({"publisher": "Wire"}, "publisher", "did you mean 'Wire A' or 'Wire B'?"),
    ({"publisher": "Dialy C"}, "publisher", "did you mean 'Daily C'?"),
]


@pytest.mark.parametrize(("given", "parameter", "hint"), UNKNOWN, ids=[str(g) for g, _, _ in UNKNOWN])
def test_a_name_that_names_nothing_is_refused_with_a_hint(
    db: Db, given: dict[str, Any], parameter: str, hint: str
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        resolved(db, ClaimFilter.model_validate(given))
    assert raised.value.parameter == parameter
    assert hint in raised.value.detail


def test_publishers_differing_only_in_case_are_ambiguous(tiny: Engine) -> None:
    with tiny.begin() as connection:
        connection.exec_driver_sql("UPDATE source SET publisher = 'WIRE A' WHERE id = 'src_c'")
        try:
            with pytest.raises(InvalidParameter, match="ambiguous"):
                resolved(Db.of(connection), ClaimFilter(publisher="wire a"))
        finally:
            connection.exec_driver_sql("UPDATE source SET publisher = 'Wire A' WHERE id = 'src_c'")


@pytest.mark.parametrize(("unit", "hint"), [("dollars", "one of USD"), ("usd2", "did you mean 'USD'?")])
def test_an_unknown_unit_is_refused_with_the_vocabulary(unit: str, hint: str) -> None:
    with pytest.raises(ValidationError, match=hint):
        ClaimFilter(unit=unit)
