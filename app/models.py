"""Tables (SQLModel) and the public read shapes served by the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar, get_args

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
    "PREDICATE_ABOUT",
    "PREDICATE_MEANINGS",
    "QUANTITY",
    "RELATION",
    "SOURCE",
    "TOPIC",
    "UNITS",
    "UNIT_MEANINGS",
    "ApiKey",
    "Change",
    "ChangeOp",
    "ChangePublic",
    "Claim",
    "ClaimContext",
    "ClaimDetail",
    "ClaimEntity",
    "ClaimKind",
    "ClaimPublic",
    "ClaimSource",
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
    "PublishedBasis",
    "Quantity",
    "QuantityPublic",
    "Relation",
    "RelationOrigin",
    "RelationPublic",
    "Role",
    "SearchResults",
    "Source",
    "SourceDetail",
    "SourceEntity",
    "SourcePublic",
    "SourceWritten",
    "Span",
    "Stats",
    "Topic",
    "TopicId",
    "TopicPublic",
    "Unit",
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
# What each predicate means, in which direction it reads (subject -> object), and one example.
PREDICATE_MEANINGS: dict[str, str] = {
    "develops": "company/organization -> model: it builds the AI model (`alibaba develops qwen3`)",
    "makes": "company/organization -> chip: it designs or manufactures the chip, foundries included "
    "(`huawei makes ascend-910b`)",
    "leads": "person -> company/organization/country: the person heads it as CEO, founder, chair, president "
    "or director of it (`jensen-huang leads nvidia`, `xi-jinping leads china`)",
    "employs": "company/organization -> person: the person works there in another role "
    "(`nvidia employs colette-kress`)",
    "issued_by": "policy -> country/organization: who made the rule (`entity-list issued_by bis`)",
    "restricts": "policy -> company/organization/country/chip/model/person: what the rule bans or limits "
    "(`entity-list restricts huawei`)",
    "headquartered_in": "company/organization -> country: where it is from (`huawei headquartered_in china`)",
    "invests_in": "investor (company, organization, country, person or state fund) -> company/organization "
    "(`alibaba invests_in moonshot-ai`)",
    "owns": "owner -> company/organization it owns (`softbank owns arm`)",
    "partners_with": "company/organization/country -> its partner, in the order the text names them "
    "(`apple partners_with alibaba`)",
    "cites": "person/organization -> the person, organization or company it attributes a statement to: a "
    "claim's speaker, or the article's author (`john-thornhill cites air-street-capital`)",
}
EntityOrigin = Literal["catalog", "discovered"]
RelationOrigin = Literal["catalog", "article"]
Role = Literal["subject", "object", "mention"]  # an entity's part in a claim
ChangeOp = Literal["created", "updated", "deleted"]
# Units a quantity's value is normalised to (app.extraction.quantities; a test checks the extractor makes no
# other): money as ISO 4217 codes, then the other families. Filters take them in any case (`unit=usd`).
Unit = Literal[
    "USD", "CNY", "EUR", "GBP", "JPY", "KRW", "HKD", "TWD", "SGD", "AUD", "CAD", "INR",
    "%", "year", "multiple", "parameters", "tokens", "count",
]  # fmt: skip
UNITS: tuple[str, ...] = get_args(Unit)
UNIT_MEANINGS: dict[str, str] = {
    "USD, CNY, EUR, GBP, JPY, KRW, HKD, TWD, SGD, AUD, CAD, INR": "money in that currency (ISO 4217; `$` is "
    "USD; `¥`, yuan and RMB are CNY unless Japan is meant)",
    "%": "a percentage, or percentage points",
    "year": "a calendar year (2025)",
    "multiple": "a factor: 14-fold, 10x, twelve times",
    "parameters": "a model's parameter count (671 billion parameters)",
    "tokens": "a number of tokens (a context window, a price per million tokens)",
    "count": "any other count of things (16,000 GPUs, nine of the top ten)",
}
# Which of its source's dates a claim's `published` is.
PublishedBasis = Literal["published", "published_not_before"]
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
    """subject -predicate-> object, with provenance: from an article, the wording's span (its text in
    `evidence`) and the claim it is part of; from the catalog, the catalog's basis in `evidence`."""

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
    # 0-1: how likely the relation holds as read (article, calibrated; see app/extraction/relations.py);
    # 1.0 for the curated catalog; NULL for article rows an older extractor wrote.
    confidence: float | None = None


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
# Every field says what it is (OpenAPI shows these descriptions; a test checks that none is missing).

T = TypeVar("T")

KIND_ABOUT = (
    "What the claim does: `statistic` states a number (not just a year); `quote` is someone's words (a "
    "quote with a number is a statistic, one about the future a forecast); `forecast` is about what will "
    "or may happen; `event` says something happened (launched, announced, banned…); `assessment` is any "
    "other judgement or description"
)
ROLE_ABOUT = (
    "The entity's part in the claim: `subject` (what the claim is about: the first entity named, or the "
    "one a pronoun refers to), `object` (the other end of a relation the sentence states), `mention` "
    "(named or implied otherwise). Only in a claim's `entities`"
)
PREDICATE_ABOUT = (
    "How the subject relates to the object; each reads `subject predicate object`:\n"
    + "\n".join(f"- `{name}`: {meaning}" for name, meaning in PREDICATE_MEANINGS.items())
)
UNIT_ABOUT = "Unit the value is in: " + "; ".join(f"`{k}` {v}" for k, v in UNIT_MEANINGS.items())


class Page(BaseModel, Generic[T]):
    """Every list: items plus an opaque cursor for the next page (null on the last)."""

    items: list[T] = Field(description="This page's items, in the list's order")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page (also in the `Link` header); null on the last page"
    )


class Span(BaseModel):
    """Where text sits in its source: `source.text[start:end]`."""

    start: int = Field(description="Offset of the first character (0-based, in Unicode code points)")
    end: int = Field(description="Offset just past the last character")


class EntityRef(BaseModel):
    """An entity as other items name it."""

    id: str = Field(description="Entity id (a readable slug): GET /entities/{id}")
    name: str = Field(description="Canonical name")
    type: EntityType = Field(description="Entity type")
    role: Role | None = Field(default=None, description=ROLE_ABOUT)


class QuantityPublic(BaseModel):
    """A number a claim states, normalised."""

    value: float = Field(description="The value in `unit` ('$109.1 billion' is 109100000000)")
    unit: Unit = Field(description=UNIT_ABOUT)
    text: str = Field(description="The quantity as written in the source")
    span: Span = Field(description="Where `text` is in the source")


class SourcePublic(BaseModel):
    """An article, without its text."""

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
    id: str = Field(description="Source id: a hash of the url (else of the file name or text); stable")
    url: str | None = Field(description="Where the article was published, when known")
    title: str | None = Field(description="Headline")
    publisher: str | None = Field(description="Publication or site (the `publisher` filter matches it)")
    authors: list[str] = Field(description="Bylined authors (may be empty)")
    published: date | None = Field(description="Publication day, when known")
    published_not_before: date | None = Field(
        description="When `published` is unknown: the article is from this day or later"
    )
    language: str = Field(description="Language code of the text (en)")
    content_hash: str = Field(description="SHA-256 of the text: a changed text is extracted again")
    extractor_version: str = Field(description="Version of the extraction pipeline that read the text")
    ingested_at: datetime = Field(description="When the source was first loaded (UTC)")
    claim_count: int = Field(description="Claims extracted from it")


class SourceEntity(BaseModel):
    """An entity a source mentions."""

    id: str = Field(description="Entity id")
    name: str = Field(description="Canonical name")
    type: EntityType = Field(description="Entity type")
    mentions: int = Field(description="How many times the source mentions it")


class SourceDetail(SourcePublic):
    """One source with its text and the entities it mentions."""

    text: str = Field(description="The exact text every span of its claims and mentions indexes into")
    note: str | None = Field(description="Free remarks about the source (how its metadata was established)")
    entities: list[SourceEntity] = Field(description="Entities mentioned, in order of first mention")


class ClaimPublic(BaseModel):
    """An assertion made by one source: its exact sentence and what it is about."""

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
                    "published_basis": None,
                }
            ]
        }
    )
    id: str = Field(description="Claim id: a hash of its source and span (stable across reloads)")
    source: str = Field(description="Id of the source that makes the claim (GET /sources/{id})")
    text: str = Field(description="The claim's sentence exactly as in the source: `source.text[span]`")
    span: Span = Field(description="Where the sentence is in the source's text")
    kind: ClaimKind = Field(description=KIND_ABOUT)
    topics: list[TopicId] = Field(description="Topics it is about (GET /topics), possibly none")
    entities: list[EntityRef] = Field(description="Entities it names or implies, subject and objects first")
    quantities: list[QuantityPublic] = Field(description="Numbers it states, in reading order")
    speaker: EntityRef | None = Field(
        description="Who makes the claim: the person or body quoted or said to state it; null when it is "
        "the article's own"
    )
    cited: EntityRef | None = Field(
        description="The source it is attributed to ('according to Reuters'), when not the speaker"
    )
    time_scope: str | None = Field(
        description="The year the claim is about, when it states one ('2025', or 'as of 2023')"
    )
    published: date | None = Field(
        description="Day of its source: the source's `published`, else its `published_not_before` "
        "(`published_basis` says which); null when the source is undated. Date filters and sorting use it"
    )
    published_basis: PublishedBasis | None = Field(
        description="Which date `published` is: `published` (the day the article appeared) or "
        "`published_not_before` (only a lower bound is known: the article is from that day or later); "
        "null when `published` is"
    )


class ClaimSource(BaseModel):
    """The source of a claim, as GET /claims/{id} describes it."""

    id: str = Field(description="Source id (the claim's `source`)")
    title: str | None = Field(description="Headline")
    publisher: str | None = Field(description="Publication or site")
    url: str | None = Field(description="Where the article was published, when known")
    published: date | None = Field(description="Publication day, when known")
    published_not_before: date | None = Field(
        description="When `published` is unknown: the article is from this day or later"
    )


class ClaimContext(BaseModel):
    """The sentences around a claim, for reading it in context."""

    before: str | None = Field(description="The sentence before the claim in its source (null at the start)")
    after: str | None = Field(description="The sentence after it (null at the end)")


class ClaimDetail(ClaimPublic):
    """GET /claims/{id}: the claim as lists serve it, plus its source's metadata and its context."""

    source_info: ClaimSource = Field(description="The source's title, publisher, url and dates")
    context: ClaimContext = Field(description="The sentences before and after the claim")


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
    """A company, model, chip, policy, person, organization or country."""

    model_config = ConfigDict(json_schema_extra={"examples": [ENTITY_EXAMPLE]})
    id: str = Field(description="Entity id: a readable slug (`ascend-910b`); stable")
    name: str = Field(description="Canonical name")
    type: EntityType = Field(description="Entity type")
    description: str = Field(description="One line on what it is (catalog entities; may be empty)")
    aliases: list[str] = Field(
        description="Names it goes by: the catalog's, and longer forms articles use (learned with the source)"
    )
    attributes: dict[str, Any] = Field(
        description="Catalog facts by name (`country`: an entity id, `release_date`, …)"
    )
    origin: EntityOrigin = Field(
        description="`catalog`: curated domain knowledge, always present; `discovered`: found in an article "
        "by the extraction rules, removed when no source mentions it any more"
    )
    claim_count: int = Field(description="Claims naming it (within `topic` when the list is filtered by one)")


class RelationPublic(BaseModel):
    """subject -predicate-> object, with where it comes from."""

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
                    "span": {"start": 1556, "end": 1590},
                    "evidence": "it launched its Qwen3 series",
                    "confidence": 0.88,
                }
            ]
        }
    )
    id: str = Field(description="Relation id: a hash of its ends, predicate, source and span")
    subject: EntityRef = Field(description="The entity the relation goes from")
    predicate: Predicate = Field(description=PREDICATE_ABOUT)
    object: EntityRef = Field(description="The entity the relation goes to")
    origin: RelationOrigin = Field(
        description="`catalog`: curated background knowledge (see `evidence`); `article`: stated by a source "
        "(see `source`, `claim`, `span`), and only that source's statement"
    )
    source: str | None = Field(description="Id of the source stating it (origin article)")
    claim: str | None = Field(description="Id of the claim whose sentence states it, when that is a claim")
    span: Span | None = Field(
        description="Where the wording that states it lies in the source (origin article): the possessive, "
        "apposition, verb frame or list that links the two, not the whole sentence"
    )
    evidence: str | None = Field(
        description="Origin article: that wording, exactly (`source.text[span.start:span.end]`); origin "
        "catalog: the catalog's basis for it"
    )
    confidence: float | None = Field(
        description="0-1, how likely the relation holds as read: calibrated on annotated articles (of those "
        "at 0.8 or more, at least 90 % are right); 1.0 for catalog relations; null for relations an older "
        "extractor wrote (until their source is re-extracted)"
    )


class TopicPublic(BaseModel):
    """One of the eleven topics claims are classified under."""

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
    id: TopicId = Field(description="Topic id (the `topic` filter takes it)")
    label: str = Field(description="Display name")
    definition: str = Field(description="What claims under it are about")


class EntitySource(BaseModel):
    """A source mentioning an entity."""

    id: str = Field(description="Source id")
    title: str | None = Field(description="Headline")
    publisher: str | None = Field(description="Publication or site")
    published: date | None = Field(description="Publication day, when known")
    mentions: int = Field(description="How many times it mentions the entity")


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
                            "confidence": 1.0,
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
    claims_by_topic: dict[str, int] = Field(description="Its claims counted by topic id, most first")
    relations_out: list[RelationPublic] = Field(
        description="Relations it is the subject of (the first 100; all: /entities/{id}/relations)"
    )
    relations_in: list[RelationPublic] = Field(description="Relations it is the object of (the first 100)")
    sources: list[EntitySource] = Field(description="Sources mentioning it, most mentions first (up to 50)")


class SearchResults(BaseModel):
    """GET /search: entities whose name or alias starts with q, and the claims that best match its words."""

    entities: list[EntityPublic] = Field(
        description="Entities whose name or an alias starts with q: exact matches first, then names, then "
        "aliases; within each, those with more claims first (at most 20)"
    )
    claims: list[ClaimPublic] = Field(
        description="Claims holding every word of q, by relevance (as /claims?q=…&sort=relevance)"
    )


class Stats(BaseModel):
    """GET /stats: sizes of the knowledge base."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sources": 5,
                    "claims": 162,
                    "claims_by_kind": {
                        "assessment": 85,
                        "event": 14,
                        "forecast": 19,
                        "quote": 18,
                        "statistic": 26,
                    },
                    "quantities": 73,
                    "entities": 1462,
                    "entities_by_type": {"company": 256, "country": 206, "model": 244},
                    "entities_by_origin": {"catalog": 1444, "discovered": 18},
                    "entities_with_claims": 87,
                    "relations": 1498,
                    "relations_by_origin": {"article": 63, "catalog": 1435},
                    "topics": 11,
                    "last_ingested_at": "2026-11-24T09:46:17",
                }
            ]
        }
    )
    sources: int = Field(description="Articles loaded")
    claims: int = Field(description="Claims extracted from them")
    claims_by_kind: dict[str, int] = Field(description="Claims by kind")
    quantities: int = Field(description="Numbers stated in claims")
    entities: int = Field(
        description="Every entity known: the curated catalog (most of them, whether or not an article "
        "names them) plus those discovered in articles; see entities_by_origin and entities_with_claims"
    )
    entities_by_type: dict[str, int] = Field(description="Entities by type")
    entities_by_origin: dict[str, int] = Field(
        description="Entities from the catalog (`catalog`) and found in articles (`discovered`)"
    )
    entities_with_claims: int = Field(description="Entities named by at least one claim")
    relations: int = Field(description="Relations: catalog background plus those articles state")
    relations_by_origin: dict[str, int] = Field(description="Relations by origin (catalog, article)")
    topics: int = Field(description="Topics claims are classified under")
    last_ingested_at: datetime | None = Field(description="When a source was last loaded (UTC)")


class ExtractedCounts(BaseModel):
    """What extraction holds for one source."""

    claims: int = Field(description="Claims")
    mentions: int = Field(description="Entity mentions")
    relations: int = Field(description="Relations the source states")


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
    note: str | None = Field(description="Free remarks about the source")
    extracted: ExtractedCounts = Field(description="What extraction holds for it now")


class ChangePublic(BaseModel):
    """One entry of the change feed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 42, "source": "src_0f3c5e1d2a9b", "op": "created", "at": "2026-11-24T09:46:17Z"}
            ]
        }
    )
    id: int = Field(description="Sequence number, increasing in commit order")
    source: str = Field(description="Id of the source that changed")
    op: ChangeOp = Field(description="`created`, `updated` (text, metadata or re-extraction) or `deleted`")
    at: datetime = Field(description="When (UTC)")
