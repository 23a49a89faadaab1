"""The curated entity catalog: JSONL files under seeds/catalog, validated on load."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ENTITY_TYPES",
    "PREDICATES",
    "SIGNATURES",
    "Catalog",
    "CatalogEntity",
    "CatalogError",
    "CatalogRelation",
    "default_catalog_dir",
    "load_catalog",
    "normalise_alias",
    "slugify",
]

ENTITY_TYPES = ("company", "model", "chip", "policy", "person", "organization", "country")
PREDICATES = (
    "develops",
    "makes",
    "leads",
    "employs",
    "issued_by",
    "restricts",
    "headquartered_in",
    "invests_in",
    "partners_with",
    "owns",
    "cites",
)
# Which entity types each predicate joins, in the annotation's direction (subject -> object): a person leads
# an organisation, company or country; an organisation employs a person; a policy is issued_by its issuer
# and restricts what it targets; a maker develops a model or makes a chip; an investor invests_in an
# investee; an owner owns; a speaker or author cites a source. Catalog and extracted relations both obey it.
_ORGANISATIONS = frozenset({"company", "organization"})
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "develops": (_ORGANISATIONS, frozenset({"model"})),
    "makes": (_ORGANISATIONS, frozenset({"chip"})),
    "leads": (frozenset({"person"}), _ORGANISATIONS | {"country"}),
    "employs": (_ORGANISATIONS, frozenset({"person"})),
    "issued_by": (frozenset({"policy"}), frozenset({"country", "organization"})),
    "restricts": (frozenset({"policy"}), _ORGANISATIONS | {"country", "chip", "model", "person"}),
    "headquartered_in": (_ORGANISATIONS, frozenset({"country"})),
    "invests_in": (_ORGANISATIONS | {"country", "person", "policy"}, _ORGANISATIONS),
    "owns": (_ORGANISATIONS | {"country", "person"}, _ORGANISATIONS),
    "partners_with": (_ORGANISATIONS | {"country"}, _ORGANISATIONS | {"country"}),
    "cites": (frozenset({"person", "organization"}), _ORGANISATIONS | {"person"}),
}
_ENTITY_KEYS = {"id", "name", "type", "description", "aliases", "attributes"}
_RELATION_KEYS = {"subject", "predicate", "object", "basis"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CatalogError(ValueError):
    """The catalog files are malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class CatalogEntity:
    id: str
    name: str
    type: str
    description: str
    aliases: tuple[str, ...]
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CatalogRelation:
    subject: str
    predicate: str
    object: str
    basis: str


@dataclass(frozen=True, slots=True)
class Catalog:
    entities: dict[str, CatalogEntity]
    relations: tuple[CatalogRelation, ...]


def default_catalog_dir() -> Path:
    """seeds/catalog next to the app package (the repository layout)."""
    return Path(__file__).resolve().parents[2] / "seeds" / "catalog"


def normalise_alias(text: str) -> str:
    """The form under which two aliases are the same: NFKC, casefolded, punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "", text)


def slugify(text: str) -> str:
    """A readable id: 'Ascend 910B' -> 'ascend-910b'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path.name}:{lineno}: invalid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise CatalogError(f"{path.name}:{lineno}: expected an object")
        rows.append((lineno, row))
    return rows


def load_catalog(directory: Path | None = None) -> Catalog:
    """Read every *.jsonl under the directory; relation files are named relations*.jsonl."""
    directory = directory or default_catalog_dir()
    entities: dict[str, CatalogEntity] = {}
    alias_owner: dict[str, str] = {}
    raw_relations: list[tuple[str, int, dict[str, Any]]] = []
    for path in sorted(directory.glob("*.jsonl")):
        if path.name.startswith("relations"):
            raw_relations += [(path.name, n, row) for n, row in _read_jsonl(path)]
            continue
        for lineno, row in _read_jsonl(path):
            where = f"{path.name}:{lineno}"
            unknown = set(row) - _ENTITY_KEYS
            if unknown:
                raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
            entity_id, name, etype = row.get("id"), row.get("name"), row.get("type")
            if not isinstance(entity_id, str) or not _SLUG.match(entity_id):
                raise CatalogError(f"{where}: id must be a lowercase slug, got {entity_id!r}")
            if entity_id in entities:
                raise CatalogError(f"{where}: duplicate id {entity_id!r}")
            if not isinstance(name, str) or not name.strip():
                raise CatalogError(f"{where}: name is required")
            if etype not in ENTITY_TYPES:
                raise CatalogError(f"{where}: type must be one of {ENTITY_TYPES}, got {etype!r}")
            aliases = row.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
                raise CatalogError(f"{where}: aliases must be a list of non-empty strings")
            attributes = row.get("attributes", {})
            if not isinstance(attributes, dict):
                raise CatalogError(f"{where}: attributes must be an object")
            unique_aliases: list[str] = []
            for alias in [name, *aliases]:
                key = normalise_alias(alias)
                if not key:
                    raise CatalogError(f"{where}: alias {alias!r} has no letters or digits")
                owner = alias_owner.setdefault(key, entity_id)
                if owner != entity_id:
                    raise CatalogError(f"{where}: alias {alias!r} already belongs to {owner!r}")
                if alias not in unique_aliases:
                    unique_aliases.append(alias)
            entities[entity_id] = CatalogEntity(
                id=entity_id,
                name=name,
                type=etype,
                description=str(row.get("description", "")),
                aliases=tuple(unique_aliases),
                attributes=attributes,
            )
    relations: list[CatalogRelation] = []
    seen: set[tuple[str, str, str]] = set()
    for file_name, lineno, row in raw_relations:
        where = f"{file_name}:{lineno}"
        unknown = set(row) - _RELATION_KEYS
        if unknown:
            raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
        subject, predicate, obj = row.get("subject"), row.get("predicate"), row.get("object")
        if predicate not in PREDICATES:
            raise CatalogError(f"{where}: predicate must be one of {PREDICATES}, got {predicate!r}")
        for end in (subject, obj):
            if end not in entities:
                raise CatalogError(f"{where}: unknown entity id {end!r}")
        assert isinstance(subject, str) and isinstance(obj, str) and isinstance(predicate, str)
        subject_types, object_types = SIGNATURES[predicate]
        subject_type, object_type = entities[subject].type, entities[obj].type
        if subject_type not in subject_types or object_type not in object_types:
            raise CatalogError(
                f"{where}: {predicate} joins {'/'.join(sorted(subject_types))} -> "
                f"{'/'.join(sorted(object_types))}, not {subject_type} {subject!r} -> {object_type} {obj!r}"
            )
        relation_key = (subject, predicate, obj)
        if relation_key in seen:
            raise CatalogError(f"{where}: duplicate relation {relation_key}")
        seen.add(relation_key)
        basis = row.get("basis")
        if not isinstance(basis, str) or not basis.strip():
            raise CatalogError(f"{where}: basis (why this is known) is required")
        relations.append(CatalogRelation(subject, predicate, obj, basis))
    return Catalog(entities=entities, relations=tuple(relations))


if __name__ == "__main__":
    catalog = load_catalog(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    counts: dict[str, int] = {}
    for entity in catalog.entities.values():
        counts[entity.type] = counts.get(entity.type, 0) + 1
    print(f"ok: {len(catalog.entities)} entities {counts}, {len(catalog.relations)} relations")
