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
