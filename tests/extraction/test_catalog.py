"""The catalog's relations obey each predicate's type signature and read in the annotation's direction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.extraction.catalog import SIGNATURES, CatalogError, load_catalog


def write_catalog(folder: Path, relation: dict[str, str]) -> Path:
    entities = [
        {"id": "acme", "name": "Acme", "type": "company"},
        {"id": "jane-doe", "name": "Jane Doe", "type": "person"},
    ]
    (folder / "entities.jsonl").write_text("\n".join(json.dumps(e) for e in entities), encoding="utf-8")
    (folder / "relations.jsonl").write_text(json.dumps({**relation, "basis": "test"}), encoding="utf-8")
    return folder


def test_a_relation_against_its_signature_is_refused(tmp_path: Path) -> None:
    # the old direction of leads: organisation -> person
    write_catalog(tmp_path, {"subject": "acme", "predicate": "leads", "object": "jane-doe"})
    with pytest.raises(CatalogError, match="leads joins person -> "):
        load_catalog(tmp_path)


def test_a_relation_in_its_signature_loads(tmp_path: Path) -> None:
    write_catalog(tmp_path, {"subject": "jane-doe", "predicate": "leads", "object": "acme"})
    assert [(r.subject, r.predicate, r.object) for r in load_catalog(tmp_path).relations] == [
        ("jane-doe", "leads", "acme")
    ]


def test_the_catalog_reads_leads_from_the_person() -> None:
    catalog = load_catalog()
    leads = [r for r in catalog.relations if r.predicate == "leads"]
    assert len(leads) > 100
    assert {catalog.entities[r.subject].type for r in leads} == {"person"}
    assert ("jensen-huang", "leads", "nvidia") in {(r.subject, r.predicate, r.object) for r in leads}
    assert set(SIGNATURES) == {r.predicate for r in catalog.relations} | {"cites"}
