"""A tiny knowledge base written by hand (no extraction), so that every filter's expected rows can be read
off the table below: the query layer tested as Datasette tests its filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.db import engine_for
from app.extraction.catalog import normalise_alias
from app.migrate import upgrade
from app.models import (
    NO_DAY,
    Claim,
    ClaimEntity,
    ClaimTopic,
    Entity,
    EntityAlias,
    Mention,
    Quantity,
    Relation,
    Source,
    Topic,
)
from app.projection import rebuild_facet_counts, rerender
from app.sql import Db
from tests.conftest import Database

ENTITIES = {  # id: (name, type, aliases)
    "huawei": ("Huawei", "company", ["Huawei Technologies"]),
    "nvidia": ("Nvidia", "company", ["NVIDIA Corporation"]),
    "ascend-910b": ("Ascend 910B", "chip", []),
    "h20": ("H20", "chip", []),
    "jensen-huang": ("Jensen Huang", "person", []),
    "china": ("China", "country", []),
    "united-states": ("United States", "country", ["US"]),
    "reuters": ("Reuters", "organization", []),
}
TOPICS = ("chips", "policy", "investment", "talent")


@dataclass
class C:
    """One claim of the tiny KB."""

    id: str
    text: str
    kind: str
    topics: list[str]
    entities: dict[str, str]  # entity id -> role
    quantities: list[tuple[float, str, str]] = field(default_factory=list)  # (value, unit, text)
    speaker: str | None = None
    cited: str | None = None


# source id -> (publisher, day of its claims, claims in reading order)
SOURCES: dict[str, tuple[str, date | None, list[C]]] = {
    "src_a": (
        "Wire A",
        date(2025, 1, 10),
        [
            C("c_a1", "Huawei ships Ascend 910B chips to China.", "event", ["chips"],
              {"huawei": "subject", "ascend-910b": "object", "china": "mention"}),
            C("c_a2", "Nvidia said export controls hurt its sales in China this year.", "quote",
              ["chips", "policy"], {"nvidia": "subject", "china": "mention"}, speaker="jensen-huang"),
        ],
    ),
    "src_b": (
        "Wire B",
        date(2025, 6, 1),
        [
            C("c_b1", "Nvidia sold H20 chips worth $5 billion in 2025.", "statistic", ["chips", "investment"],
              {"nvidia": "subject", "h20": "object"}, [(5e9, "USD", "$5 billion"), (2025.0, "year", "2025")]),
            C("c_b2", "Export controls will tighten, Reuters said.", "forecast", ["policy"],
              {"united-states": "mention"}, cited="reuters"),
        ],
    ),
    "src_c": (
        "Wire A",
        None,
        [C("c_c1", "China trains AI talent.", "assessment", ["talent"], {"china": "subject"})],
    ),
    "src_d": (
        "Daily C",
        date(2024, 12, 31),
        [
            C("c_d1", "Huawei raised 30% more for chip export plants despite controls.", "statistic",
              ["investment", "chips"], {"huawei": "subject"}, [(30.0, "%", "30%")]),
        ],
    ),
}  # fmt: skip
# Sources whose day is only a lower bound (published_not_before), not the day they appeared.
NOT_BEFORE = {"src_d"}
# Relations: (id, subject, predicate, object, source or None for the catalog's)
RELATIONS = [
    ("r_1", "huawei", "makes", "ascend-910b", None),
    ("r_2", "nvidia", "makes", "h20", None),
    ("r_3", "huawei", "makes", "ascend-910b", "src_a"),
    ("r_4", "nvidia", "partners_with", "huawei", "src_b"),
]


def _write(engine: Engine) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        for topic in TOPICS:
            session.add(Topic(id=topic, label=topic.title(), definition=f"About {topic}."))  # type: ignore[arg-type]
        for entity_id, (name, type_, aliases) in ENTITIES.items():
            session.add(Entity(id=entity_id, name=name, type=type_, origin="catalog"))  # type: ignore[arg-type]
            for alias in (name, *aliases):
                session.add(EntityAlias(entity_id=entity_id, alias=alias, normalised=normalise_alias(alias)))
        for source_id, (publisher, published, claims) in SOURCES.items():
            text = " ".join(c.text for c in claims)
            lower_bound = source_id in NOT_BEFORE
            session.add(
                Source(
                    id=source_id,
                    key=f"https://example.test/{source_id}",
                    url=f"https://example.test/{source_id}",
                    publisher=publisher,
                    published=None if lower_bound else published,
                    published_not_before=published if lower_bound else None,
                    text=text,
                    title=f"Title of {source_id}",
                    content_hash=source_id,
                    extractor_version="test",
                    ingested_at=now,
                    updated_at=now,
                )
            )
            session.flush()
            start = 0
            for c in claims:
                end = start + len(c.text)
                day = published or NO_DAY
                session.add(
                    Claim(
                        id=c.id,
                        source_id=source_id,
                        start=start,
                        end=end,
                        text=c.text,
                        kind=c.kind,  # type: ignore[arg-type]
                        speaker_id=c.speaker,
                        cited_id=c.cited,
                        published=published,
                        day=day,
                    )
                )
                session.flush()
                for topic in c.topics:
                    session.add(ClaimTopic(claim_id=c.id, topic_id=topic, day=day))  # type: ignore[arg-type]
                for entity_id, role in c.entities.items():
                    session.add(ClaimEntity(claim_id=c.id, entity_id=entity_id, role=role, day=day))  # type: ignore[arg-type]
                    at = c.text.find(ENTITIES[entity_id][0])
                    if at >= 0:
                        session.add(
                            Mention(
                                source_id=source_id, entity_id=entity_id, start=start + at, end=start + at
                            )
                        )
                for value, unit, written in c.quantities:
                    at = start + c.text.index(written)
                    session.add(
                        Quantity(
                            claim_id=c.id,
                            value=value,
                            unit=unit,
                            text=written,
                            start=at,
                            end=at + len(written),
                        )
                    )
                start = end + 1
        session.flush()
        for relation_id, subject, predicate, obj, source_id in RELATIONS:
            origin = "article" if source_id else "catalog"
            session.add(
                Relation(
                    id=relation_id,
                    subject_id=subject,
                    predicate=predicate,
                    object_id=obj,  # type: ignore[arg-type]
                    origin=origin,
                    source_id=source_id,
                    evidence=None if source_id else "Known.",  # type: ignore[arg-type]
                )
            )
        session.flush()
        db = Db.of(session)
        rerender(db, unrendered=True)  # the projection, as ingest would have written it
        rebuild_facet_counts(db)
        session.commit()


@pytest.fixture(scope="module")
def tiny(database: Database) -> Iterator[Engine]:
    """The tiny knowledge base on this backend, written once per module (the tests only read)."""
    url = database.new()
    upgrade(url)
    engine = engine_for(url)
    _write(engine)
    yield engine
    engine.dispose()
