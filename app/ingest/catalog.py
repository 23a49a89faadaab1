"""The curated catalog in the database: its entities, aliases and relations, and the topics, upserted so
that articles can link to them. SQLAlchemy ORM (a few thousand rows, compared field by field)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import delete, func, select
from sqlmodel import Session

from app.extraction.catalog import Catalog, normalise_alias
from app.extraction.topics import topic_definitions
from app.ingest.ids import relation_id
from app.models import Entity, EntityAlias, Predicate, Relation, Topic, TopicId
from app.projection import rerender
from app.sql import Db

__all__ = ["ensure_catalog", "sync_catalog"]


def sync_catalog(session: Session, *, catalog: Catalog) -> int:
    """Upsert catalog entities, aliases, catalog relations and topics; returns how many rows changed.
    Claims naming an entity whose name or type changed get their documents rendered again."""
    changed = 0
    renamed: list[str] = []
    existing = {e.id: e for e in session.scalars(select(Entity))}
    for entity in catalog.entities.values():
        row = existing.get(entity.id)
        values: dict[str, Any] = {
            "name": entity.name,
            "type": entity.type,
            "description": entity.description,
            "attributes": entity.attributes,
            "origin": "catalog",
        }
        if row is None:
            session.add(Entity(id=entity.id, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            if (row.name, row.type) != (entity.name, entity.type):
                renamed.append(entity.id)
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    session.flush()
    aliases = {a.normalised: a for a in session.scalars(select(EntityAlias))}
    for entity in catalog.entities.values():
        for alias in entity.aliases:
            key = normalise_alias(alias)
            current = aliases.get(key)
            if current is None:
                aliases[key] = EntityAlias(entity_id=entity.id, alias=alias, normalised=key)
                session.add(aliases[key])
                changed += 1
            elif current.entity_id != entity.id and existing.get(current.entity_id) is None:
                current.entity_id, current.alias = entity.id, alias
                changed += 1
    have = set(session.scalars(select(Relation.id).where(Relation.origin == "catalog")))  # type: ignore[call-overload]
    wanted: set[str] = set()
    for rel in catalog.relations:
        rid = relation_id(rel.subject, rel.predicate, rel.object, None, None)
        wanted.add(rid)
        if rid not in have:
            session.add(
                Relation(
                    id=rid,
                    subject_id=rel.subject,
                    predicate=cast(Predicate, rel.predicate),  # the catalog checks its predicates
                    object_id=rel.object,
                    origin="catalog",
                    evidence=rel.basis,
                    confidence=1.0,
                )
            )
            changed += 1
    # A relation the catalog no longer states (corrected, or turned around) leaves the knowledge base.
    stale = have - wanted
    if stale:
        session.execute(delete(Relation).where(Relation.id.in_(stale)))  # type: ignore[attr-defined]
        changed += len(stale)
    topics = {t.id: t for t in session.scalars(select(Topic))}
    for topic, info in topic_definitions().items():
        topic_id = cast(TopicId, topic)  # the lexicon's topics are the API's (tests/test_layering.py)
        row_t = topics.get(topic_id)
        if row_t is None:
            session.add(Topic(id=topic_id, label=info["label"], definition=info["definition"]))
            changed += 1
        elif (row_t.label, row_t.definition) != (info["label"], info["definition"]):
            row_t.label, row_t.definition = info["label"], info["definition"]
            changed += 1
    session.flush()
    if renamed:
        rerender(Db.of(session), naming=renamed)
    return changed


def ensure_catalog(session: Session, *, catalog: Catalog) -> None:
    """sync_catalog when the database lacks catalog entities or topics (two counts, not a full diff), so a
    write to a database nobody has loaded yet can link the catalog's entities."""
    entities = session.scalar(select(func.count()).select_from(Entity).where(Entity.origin == "catalog"))  # type: ignore[arg-type]
    topics = session.scalar(select(func.count()).select_from(Topic))
    if (entities or 0) < len(catalog.entities) or (topics or 0) < len(topic_definitions()):
        sync_catalog(session, catalog=catalog)
