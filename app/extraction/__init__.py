"""Extraction: article text in, plain records out. The only package that imports spaCy.

The public surface (the rest of the package is internal and may change):

- `get_pipeline(catalog_dir=None)` -> `Pipeline`, built once per process; `Pipeline.extract(text)` ->
  `Extraction` (entities, mentions, claims, relations; every span indexes into `text`).
- `EXTRACTOR_VERSION`: sources written by another version are re-extracted.
- The records an extraction is made of: `Extraction`, `EntityRecord`, `MentionRecord`, `ClaimRecord`,
  `QuantityRecord`, `RelationRecord`.
- The catalog: `load_catalog`, `Catalog`, `CatalogEntity`, `ENTITY_TYPES`, `PREDICATES`, and the alias
  normalisation the database shares (`normalise_alias`, `slugify`).
- The topics: `TOPICS`, `topic_definitions`.

Steps, in order (`pipeline.py`): `segment` (blocks and sentences) -> `entities` (catalog aliases and
discovery) -> `quantities` -> `claims` (which sentences, kind, speaker, confidence, topics via `topics`)
-> `relations`. The words the rules are built from are data, read through `lexicon`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.extraction.catalog import (
    ENTITY_TYPES,
    PREDICATES,
    Catalog,
    CatalogEntity,
    load_catalog,
    normalise_alias,
    slugify,
)
from app.extraction.records import (
    ClaimRecord,
    EntityRecord,
    Extraction,
    MentionRecord,
    QuantityRecord,
    RelationRecord,
)
from app.extraction.topics import TOPICS, topic_definitions

if TYPE_CHECKING:
    from app.extraction.pipeline import EXTRACTOR_VERSION, Pipeline, get_pipeline

__all__ = [
    "ENTITY_TYPES",
    "EXTRACTOR_VERSION",
    "PREDICATES",
    "TOPICS",
    "Catalog",
    "CatalogEntity",
    "ClaimRecord",
    "EntityRecord",
    "Extraction",
    "MentionRecord",
    "Pipeline",
    "QuantityRecord",
    "RelationRecord",
    "get_pipeline",
    "load_catalog",
    "normalise_alias",
    "slugify",
    "topic_definitions",
]

_PIPELINE_NAMES = ("EXTRACTOR_VERSION", "Pipeline", "get_pipeline")


def __getattr__(name: str) -> Any:
    # The pipeline imports spaCy (about a second); readers of the catalog or the topics do not need it.
    if name in _PIPELINE_NAMES:
        from app.extraction import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
