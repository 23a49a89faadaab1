"""Tables (SQLModel) and the public read shapes served by the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Index, String, Table, Text
from sqlmodel import AutoString, Field, SQLModel

__all__ = [
    "API_KEY",
    "CHANGE",
    "CLAIM",
    "CLAIM_ENTITY",
    "CLAIM_TOPIC",
    "ENTITY",
    "ENTITY_ALIAS",
    "FACET_COUNT",
    "MENTION",
    "NO_DAY",
    "QUANTITY",
    "RELATION",
    "SOURCE",
    "TOPIC",
    "ApiKey",
    "Change",
    "ChangeOp",
    "ChangePublic",
    "Claim",
    "ClaimEntity",
    "ClaimKind",
    "ClaimPublic",
    "ClaimTopic",
    "Entity",
    "EntityAlias",
    "EntityDetail",
    "EntityOrigin",
    "EntityPublic",
    "EntityRef",
    "EntitySource",
    "EntityType",
    "ExtractedCounts",
    "FacetCount",
    "Mention",
    "Page",
    "Predicate",
    "Quantity",
    "QuantityPublic",
    "Relation",
    "RelationOrigin",
    "RelationPublic",
    "Role",
    "SearchResults",
    "Source",
    "SourceDetail",
    "SourcePublic",
    "SourceWritten",
    "Span",
    "Stats",
    "Topic",
    "TopicId",
    "TopicPublic",
]

# The API's closed vocabularies, in one place (tests check them against the catalog and the lexicon).
EntityType = Literal["company", "model", "chip", "policy", "person", "organization", "country"]
ClaimKind = Literal["statistic", "event", "quote", "assessment", "forecast"]
TopicId = Literal[
    "chips", "models", "policy", "talent", "research", "investment", "infrastructure", "open_source",
    "applications", "geopolitics", "market",
]  # fmt: skip
Predicate = Literal[
    "develops", "makes", "leads", "employs", "issued_by", "restricts", "headquartered_in", "invests_in",
    "partners_with", "owns", "cites",
]  # fmt: skip
EntityOrigin = Literal["catalog", "discovered"]
RelationOrigin = Literal["catalog", "article"]
Role = Literal["subject", "object", "mention"]  # an entity's part in a claim
ChangeOp = Literal["created", "updated", "deleted"]
# The sort day of an undated claim (claim.day and its copies are never NULL): last under -published.
NO_DAY = date(1, 1, 1)


def _fk(target: str, *, ondelete: str | None = None, nullable: bool = False, index: bool = False) -> Any:
    """A string foreign-key column; `ondelete` lets the database keep the invariant, not the caller."""
    return Field(
        default=None if nullable else ...,
        sa_column=Column(String, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index),
    )


def _sort_day() -> Any:
    """A claim's sort day: `published`, or NO_DAY when undated (never NULL, so a keyset over (day, id) is
    one index range). On claim, and copied into claim_topic and claim_entity for their indexes."""
    return Field(sa_column=Column(Date, nullable=False, server_default=NO_DAY.isoformat()))


def _claim_link() -> Any:
    """The claim half of a link table's primary key (claim_topic, claim_entity)."""
    return Field(sa_column=Column(String, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True))


# --- tables -------------------------------------------------------------------------------------------


class Source(SQLModel, table=True):
    """One article: metadata plus its exact text, which every span indexes into."""

    id: str = Field(primary_key=True)
    key: str = Field(sa_column=Column(String, unique=True, nullable=False))
    url: str | None = None
    title: str | None = None
    publisher: str | None = Field(default=None, index=True)
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published: date | None = Field(default=None, index=True)
    published_not_before: date | None = None
    language: str = "en"
    note: str | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(index=True)
    extractor_version: str
    ingested_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Entity(SQLModel, table=True):
    """A company, model, chip, policy, person, organization or country, with a readable slug id."""

    id: str = Field(primary_key=True)
    name: str
    type: EntityType = Field(index=True, sa_type=AutoString)
    description: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    origin: EntityOrigin = Field(default="catalog", sa_type=AutoString)


class EntityAlias(SQLModel, table=True):
    """A surface form of an entity; unique per normalised form across the whole KB."""

    __tablename__ = "entity_alias"
    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = _fk("entity.id", ondelete="CASCADE", index=True)
    alias: str
    normalised: str = Field(sa_column=Column(String, unique=True, nullable=False))
    # Set for a form learned from an article ("2023 Interim Measures for …"): it goes with that source.
    source_id: str | None = _fk("source.id", ondelete="CASCADE", nullable=True, index=True)


class Mention(SQLModel, table=True):
    """One occurrence of an entity in a source, by character span (its text is source.text[start:end])."""

    __table_args__ = (Index("ix_mention_entity_source", "entity_id", "source_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = _fk("source.id", ondelete="CASCADE", index=True)
    entity_id: str = _fk("entity.id")
    start: int
    end: int


class Topic(SQLModel, table=True):
    id: TopicId = Field(primary_key=True, sa_type=AutoString)
    label: str
    definition: str


class Claim(SQLModel, table=True):
    """An assertion made by one source: its exact span, kind, speaker and cited source."""

    __table_args__ = (
        Index("ix_claim_source_start", "source_id", "start"),
        Index("ix_claim_day_id", "day", "id"),
    )
    id: str = Field(primary_key=True)
    source_id: str = _fk("source.id", ondelete="CASCADE")
    start: int
    end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    kind: ClaimKind = Field(index=True, sa_type=AutoString)
    speaker_id: str | None = _fk("entity.id", nullable=True, index=True)
    cited_id: str | None = _fk("entity.id", nullable=True, index=True)
    time_scope: str | None = None
    # Copied from the source (published, else published_not_before) so date filters and sorting need no join.
    published: date | None = None
    day: date = _sort_day()
    # The claim as the API serves it (JSON), written at ingest and re-rendered when an entity it names or its
    # source's date changes: a page of claims is one indexed read and a byte splice.
    doc: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ClaimTopic(SQLModel, table=True):
    __tablename__ = "claim_topic"
    # WITHOUT ROWID on SQLite: the primary key is the table, one B-tree fewer to write per row.
    __table_args__ = (
        Index("ix_claim_topic_topic_day", "topic_id", "day", "claim_id"),
        {"sqlite_with_rowid": False},
    )
    claim_id: str = _claim_link()
    topic_id: TopicId = Field(sa_column=Column(String, ForeignKey("topic.id"), primary_key=True))
    day: date = _sort_day()


class ClaimEntity(SQLModel, table=True):
    __tablename__ = "claim_entity"
    __table_args__ = (
        Index("ix_claim_entity_entity_day", "entity_id", "day", "claim_id"),
        {"sqlite_with_rowid": False},
    )
    claim_id: str = _claim_link()
    entity_id: str = Field(sa_column=Column(String, ForeignKey("entity.id"), primary_key=True))
    role: Role = Field(default="mention", sa_type=AutoString)
    day: date = _sort_day()


class FacetCount(SQLModel, table=True):
    """Claim counts kept up to date at ingest, so facets and counts cost the same at any size: within
    `scope` ('' = every claim, 'topic:<id>', 'entity:<id>'), how many claims have `value` for `facet`."""

    __tablename__ = "facet_count"
    __table_args__ = (
        Index("ix_facet_count_top", "scope", "facet", "count"),
        {"sqlite_with_rowid": False},
    )
    scope: str = Field(primary_key=True)
    facet: str = Field(primary_key=True)
    value: str = Field(primary_key=True)
    count: int


class Quantity(SQLModel, table=True):
    """A number stated in a claim, normalised (value 109100000000, unit USD) with the text as written."""

    # (claim_id, unit, value): the "has a quantity like this" test of a claim filter is one index probe.
    # With only (claim_id) the planner may probe (unit, value) instead, scanning every USD quantity per claim.
    __table_args__ = (
        Index("ix_quantity_unit_value", "unit", "value"),
        Index("ix_quantity_claim_unit_value", "claim_id", "unit", "value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = _fk("claim.id", ondelete="CASCADE")
    value: float
    unit: str
    text: str
    start: int
    end: int


class Relation(SQLModel, table=True):
    """subject -predicate-> object, with provenance: the claim/span stating it, or the catalog's basis."""

    # The id hashes subject, predicate, object, source and span, so the primary key keeps them unique.
    __table_args__ = (Index("ix_relation_subject_predicate", "subject_id", "predicate"),)
    id: str = Field(primary_key=True)
    subject_id: str = _fk("entity.id")
    predicate: Predicate = Field(index=True, sa_type=AutoString)
    object_id: str = _fk("entity.id", index=True)
    origin: RelationOrigin = Field(index=True, sa_type=AutoString)
    source_id: str | None = _fk("source.id", ondelete="CASCADE", nullable=True, index=True)
    claim_id: str | None = _fk("claim.id", ondelete="CASCADE", nullable=True)
    start: int | None = None
    end: int | None = None
    evidence: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ApiKey(SQLModel, table=True):
    """A client's credential: only the SHA-256 of its secret is kept, so a leaked database leaks no key."""

    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Change(SQLModel, table=True):
    """One entry of the change feed, written in the transaction that changed the source. No foreign key:
    the entry of a deletion outlives its source. AUTOINCREMENT on SQLite: ids are never reused."""

    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(index=True)
    op: ChangeOp = Field(sa_type=AutoString)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


# The tables as SQLAlchemy Core sees them, named as in SQL, for the modules that query them with Core.
SOURCE: Table = SQLModel.metadata.tables["source"]
ENTITY: Table = SQLModel.metadata.tables["entity"]
ENTITY_ALIAS: Table = SQLModel.metadata.tables["entity_alias"]
MENTION: Table = SQLModel.metadata.tables["mention"]
TOPIC: Table = SQLModel.metadata.tables["topic"]
CLAIM: Table = SQLModel.metadata.tables["claim"]
CLAIM_TOPIC: Table = SQLModel.metadata.tables["claim_topic"]
CLAIM_ENTITY: Table = SQLModel.metadata.tables["claim_entity"]
FACET_COUNT: Table = SQLModel.metadata.tables["facet_count"]
QUANTITY: Table = SQLModel.metadata.tables["quantity"]
RELATION: Table = SQLModel.metadata.tables["relation"]
API_KEY: Table = SQLModel.metadata.tables["api_key"]
CHANGE: Table = SQLModel.metadata.tables["change"]


# --- public shapes --------------------------------------------------------------------------------------

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """Every list: items plus an opaque cursor for the next page (null on the last)."""

    items: list[T]
    next_cursor: str | None


class Span(BaseModel):
    start: int
    end: int


class EntityRef(BaseModel):
    id: str
    name: str
    type: EntityType
    role: str | None = None


class QuantityPublic(BaseModel):
    value: float
    unit: str
    text: str
    span: Span


class SourcePublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "src_340e0c351776",
                    "url": None,
                    "title": "Why China is winning the AI race",
                    "publisher": "MIT Technology Review",
                    "authors": ["John Thornhill", "Caiwei Chen"],
                    "published": None,
                    "published_not_before": "2025-11-03",
                    "language": "en",
                    "content_hash": "9c1f…",
                    "extractor_version": "1.0.0",
                    "ingested_at": "2026-11-24T09:46:17",
                    "claim_count": 31,
                }
            ]
        },
    )
    id: str
    url: str | None
    title: str | None
    publisher: str | None
    authors: list[str]
    published: date | None
    published_not_before: date | None
    language: str
    content_hash: str
    extractor_version: str
    ingested_at: datetime
    claim_count: int


class SourceDetail(SourcePublic):
    text: str
    note: str | None
    entities: list[EntityRef]


class ClaimPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c_56f8b61997af18c7",
                    "source": "src_56f8b6198e1b",
                    "text": "“50% of the world’s AI researchers are Chinese,” Huang stated.",
                    "span": {"start": 476, "end": 538},
                    "kind": "statistic",
                    "topics": ["talent"],
                    "entities": [
                        {"id": "china", "name": "China", "type": "country", "role": "subject"},
                        {"id": "jensen-huang", "name": "Jensen Huang", "type": "person", "role": "mention"},
                    ],
                    "quantities": [
                        {"value": 50.0, "unit": "%", "text": "50%", "span": {"start": 477, "end": 480}}
                    ],
                    "speaker": {"id": "jensen-huang", "name": "Jensen Huang", "type": "person"},
                    "cited": None,
                    "time_scope": None,
                    "published": None,
                }
            ]
        }
    )
    id: str
    source: str
    text: str
    span: Span
    kind: ClaimKind
    topics: list[str]
    entities: list[EntityRef]
    quantities: list[QuantityPublic]
    speaker: EntityRef | None
    cited: EntityRef | None
    time_scope: str | None
    published: date | None


ENTITY_EXAMPLE: dict[str, Any] = {
    "id": "huawei",
    "name": "Huawei",
    "type": "company",
    "description": "Chinese telecoms and technology company; maker of Ascend AI chips.",
    "aliases": ["Huawei", "Huawei Technologies"],
    "attributes": {"country": "china"},
    "origin": "catalog",
    "claim_count": 9,
}


class EntityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTITY_EXAMPLE]})
    id: str
    name: str
    type: EntityType
    description: str
    aliases: list[str]
    attributes: dict[str, Any]
    origin: Literal["catalog", "discovered"]
    claim_count: int


class RelationPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "r_5bbf13ee0c2e44a1",
                    "subject": {"id": "alibaba", "name": "Alibaba", "type": "company"},
                    "predicate": "develops",
                    "object": {"id": "qwen3", "name": "Qwen3", "type": "model"},
                    "origin": "article",
                    "source": "src_5bbf13ee76eb",
                    "claim": "c_5bbf13ee15979036",
                    "span": {"start": 1512, "end": 1688},
                    "evidence": None,
                }
            ]
        }
    )
    id: str
    subject: EntityRef
    predicate: str
    object: EntityRef
    origin: Literal["catalog", "article"]
    source: str | None
    claim: str | None
    span: Span | None
    evidence: str | None


class TopicPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "chips",
                    "label": "Chips",
                    "definition": "Semiconductors for AI (GPUs, accelerators, processors): design, "
                    "fabrication, supply, performance and access to them.",
                }
            ]
        }
    )
    id: str
    label: str
    definition: str


class EntitySource(BaseModel):
    id: str
    title: str | None
    publisher: str | None
    published: date | None
    mentions: int


class EntityDetail(EntityPublic):
    """GET /entities/{id}: the entity with its relations, claim counts by topic and the sources naming it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **ENTITY_EXAMPLE,
                    "claims_by_topic": {"chips": 7, "geopolitics": 3},
                    "relations_out": [
                        {
                            "id": "r_3c4a1f0d9b2e8a71",
                            "subject": {"id": "huawei", "name": "Huawei", "type": "company"},
                            "predicate": "makes",
                            "object": {"id": "ascend-910b", "name": "Ascend 910B", "type": "chip"},
                            "origin": "catalog",
                            "source": None,
                            "claim": None,
                            "span": None,
                            "evidence": "Huawei designs the Ascend series of AI accelerators.",
                        }
                    ],
                    "relations_in": [],
                    "sources": [
                        {
                            "id": "src_56f8b6198e1b",
                            "title": "Nvidia's Huang says China is 'nanoseconds' behind in chips",
                            "publisher": "TodayHeadline",
                            "published": "2025-07-16",
                            "mentions": 4,
                        }
                    ],
                }
            ]
        }
    )
    claims_by_topic: dict[str, int]
    relations_out: list[RelationPublic]
    relations_in: list[RelationPublic]
    sources: list[EntitySource]


class SearchResults(BaseModel):
    """GET /search: entities whose name or alias starts with q, and the claims that best match its words."""

    entities: list[EntityPublic]
    claims: list[ClaimPublic]


class Stats(BaseModel):
    """GET /stats: sizes of the knowledge base."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sources": 5,
                    "claims": 162,
                    "claims_by_kind": {
                        "assessment": 40,
                        "event": 61,
                        "forecast": 6,
                        "quote": 25,
                        "statistic": 30,
                    },
                    "quantities": 72,
                    "entities": 1471,
                    "entities_by_type": {"company": 262, "country": 206, "model": 247},
                    "relations": 1506,
                    "relations_by_origin": {"article": 71, "catalog": 1435},
                    "topics": 11,
                    "last_ingested_at": "2026-11-24T09:46:17",
                }
            ]
        }
    )
    sources: int
    claims: int
    claims_by_kind: dict[str, int]
    quantities: int
    entities: int
    entities_by_type: dict[str, int]
    relations: int
    relations_by_origin: dict[str, int]
    topics: int
    last_ingested_at: datetime | None


class ExtractedCounts(BaseModel):
    claims: int
    mentions: int
    relations: int


class SourceWritten(SourcePublic):
    """A source as a write returns it: metadata (no text) and what extraction holds for it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "src_0f3c5e1d2a9b",
                    "url": "https://example.com/huawei-ascend",
                    "title": "Huawei ramps up Ascend",
                    "publisher": "Example Wire",
                    "authors": ["A. Writer"],
                    "published": "2025-03-02",
                    "published_not_before": None,
                    "language": "en",
                    "content_hash": "9c1f…",
                    "extractor_version": "1.0.0",
                    "ingested_at": "2026-11-24T09:46:17",
                    "claim_count": 31,
                    "note": None,
                    "extracted": {"claims": 31, "mentions": 120, "relations": 9},
                }
            ]
        }
    )
    note: str | None
    extracted: ExtractedCounts


class ChangePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 42, "source": "src_0f3c5e1d2a9b", "op": "created", "at": "2026-11-24T09:46:17Z"}
            ]
        }
    )
    id: int
    source: str
    op: ChangeOp
    at: datetime
