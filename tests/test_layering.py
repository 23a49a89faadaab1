"""Fences between layers: HTTP stays in app/api, app/ui (the explorer's pages) and app/main; spaCy stays in
app/extraction; templates stay in app/ui, which reads the knowledge base through one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("fastapi", ("api", "ui", "main.py")),
        ("starlette", ("api", "ui", "main.py")),
        ("spacy", ("extraction",)),
        ("jinja2", ("ui",)),
    ],
)
def test_third_party_package_only_imported_where_allowed(package: str, allowed: tuple[str, ...]) -> None:
    offenders = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if package in imported_modules(path) and path.relative_to(APP).parts[0] not in allowed
    ]
    assert offenders == []


def imported_names(path: Path) -> set[str]:
    """Full dotted names of the modules a file imports (`app.queries`, not `app`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_explorer_reads_only_through_its_data_module() -> None:
    """The pages call the query layer (and touch SQL) in app/ui/data.py alone, so what they read is what
    the API serves, and re-pointing them at a changed query layer is one file's work."""
    reads = {"app.queries", "app.db", "app.sql", "app.projection", "sqlalchemy", "sqlmodel"}
    offenders = [
        str(path.relative_to(APP))
        for path in (APP / "ui").rglob("*.py")
        if path.name != "data.py" and imported_names(path) & reads
    ]
    assert offenders == []
    assert imported_names(APP / "ui" / "data.py") & {"app.queries"}


def test_extraction_never_touches_the_database() -> None:
    offenders = [
        str(path.relative_to(APP))
        for path in (APP / "extraction").rglob("*.py")
        if imported_modules(path) & {"sqlalchemy", "sqlmodel", "fastapi"}
    ]
    assert offenders == []


def test_api_vocabularies_match_the_catalog_and_the_lexicon() -> None:
    from typing import get_args

    from app.extraction.catalog import ENTITY_TYPES, PREDICATES
    from app.extraction.topics import TOPICS
    from app.models import EntityType, Predicate, TopicId

    assert get_args(EntityType) == ENTITY_TYPES
    assert get_args(Predicate) == PREDICATES
    assert get_args(TopicId) == TOPICS


def test_quantity_units_are_the_api_vocabulary() -> None:
    """Every unit the quantity extractor can write is in the API's Unit vocabulary (which filters match
    and the OpenAPI document lists): the currencies of the lexicon, the codes written in the extractor, and
    the unit families it sets."""
    import re

    from app.extraction import lexicon, quantities
    from app.models import UNITS

    source = Path(quantities.__file__).read_text(encoding="utf-8")
    made = set(lexicon.mapping("quantities.prefix_currencies").values())
    made |= set(lexicon.mapping("quantities.suffix_symbols").values())
    made |= {
        code for pair in re.findall(r'return "([A-Z]{3})"|, "([A-Z]{3})"\)', source) for code in pair if code
    }
    made |= set(re.findall(r'_set\(tok, "([^"]+)"', source))
    assert made and made <= set(UNITS), made - set(UNITS)
    assert {"%", "year", "multiple", "parameters", "tokens", "count", "USD", "CNY"} <= made
