"""Plain records the pipeline returns; only app.ingest turns them into rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ClaimRecord",
    "EntityRecord",
    "Extraction",
    "MentionRecord",
    "QuantityRecord",
    "RelationRecord",
]


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """An entity the article needs: from the catalog, or discovered by a rule (origin 'discovered')."""

    id: str
    name: str
    type: str
    origin: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MentionRecord:
    entity_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class QuantityRecord:
    value: float
    unit: str
    text: str
    start: int
    end: int


@dataclass(slots=True)
class ClaimRecord:
    start: int
    end: int
    text: str
    kind: str
    topics: list[str]
    entities: list[tuple[str, str]]  # (entity id, role)
    quantities: list[QuantityRecord]
    speaker_id: str | None = None
    cited_id: str | None = None
    time_scope: str | None = None


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """subject -predicate-> object as one sentence states it. start/end: the wording that links the two
    (text[start:end] is the relation's evidence); sentence_start/sentence_end: the sentence (its claim, when
    the sentence is one). confidence: 0-1, calibrated (see relations.py); rule: the frame that read it."""

    subject_id: str
    predicate: str
    object_id: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    confidence: float = 1.0
    rule: str = ""


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one text; spans index into that exact text."""

    entities: dict[str, EntityRecord]
    mentions: list[MentionRecord]
    claims: list[ClaimRecord]
    relations: list[RelationRecord]
