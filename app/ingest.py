"""Article -> extract() -> rows. One transaction per article; reloading unchanged input changes nothing."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy import Engine, Table, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from app.changes import record_change
from app.extraction.catalog import Catalog, normalise_alias
from app.extraction.pipeline import EXTRACTOR_VERSION, Pipeline
from app.extraction.records import EntityRecord, Extraction
from app.extraction.topics import topic_definitions
from app.models import (
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
from app.projection import (
    NO_DAY,
    ClaimRow,
    claim_item,
    entity_refs,
    facet_keys,
    month_of,
    render_docs,
    update_facet_counts,
)

__all__ = [
    "METADATA_FIELDS",
    "ArticleError",
    "ArticleInput",
    "IngestResult",
    "LoadSummary",
    "ReextractSummary",
    "article_from_markdown",
    "article_metadata",
    "claim_id",
    "decode_text",
    "delete_source",
    "ensure_catalog",
    "ingest_article",
    "is_write_conflict",
    "load_folder",
    "posted_article",
    "read_folder",
    "reextract",
    "source_id_for",
    "source_with_text",
    "stored_article",
    "sync_catalog",
    "update_source_metadata",
]

ALLOWED_FIELDS = {
    "file",
    "url",
    "title",
    "title_from",
    "publisher",
    "authors",
    "published",
    "published_not_before",
    "language",
    "note",
}


# What a client may set on a source (sources.json entries add `file` and `title_from`; posts add `text`).
METADATA_FIELDS = (
    "url",
    "title",
    "publisher",
    "authors",
    "published",
    "published_not_before",
    "language",
    "note",
)


class ArticleError(ValueError):
    """An article that cannot be loaded; the message says which and why, `field` names the culprit."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ArticleInput:
    key: str
    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    published_not_before: date | None = None
    language: str = "en"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    source_id: str
    status: str  # "new", "changed", "unchanged"
    claims: int = 0
    mentions: int = 0
    relations: int = 0


@dataclass(slots=True)
class LoadSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    entities: int = 0
    claims: int = 0
    relations: int = 0

    def line(self) -> str:
        return (
            f"articles: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{len(self.failed)} failed; KB now holds {self.entities} entities, {self.claims} claims, "
            f"{self.relations} relations"
        )


def _digest(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def source_id_for(key: str) -> str:
    """Stable source id from its identity (url, else file name): reloads and edits keep it."""
    return f"src_{_digest(key, 12)}"


def claim_id(source_id: str, start: int, end: int) -> str:
    """Stable claim id from its source and span. It begins with the source's own hash so that one article's
    claims sit together in every index keyed by claim id: a load then rewrites a few pages, not hundreds."""
    return f"c_{source_id.removeprefix('src_')[:8]}{_digest(f'{source_id}:{start}:{end}', 8)}"


def _relation_id(subject: str, predicate: str, obj: str, source_id: str | None, start: int | None) -> str:
    digest = _digest(f"{subject}|{predicate}|{obj}|{source_id}|{start}")
    if source_id is None:
        return f"r_{digest}"
    return f"r_{source_id.removeprefix('src_')[:8]}{digest[:8]}"


# --- reading a folder -----------------------------------------------------------------------------------


def _parse_date(value: Any, field_name: str, where: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleError(f"{where}: {field_name} must be a YYYY-MM-DD string or null", field=field_name)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        message = f"{where}: {field_name} {value!r} is not a YYYY-MM-DD date"
        raise ArticleError(message, field=field_name) from exc


def _no_nul(value: str, name: str, where: str) -> str:
    """PostgreSQL cannot store a NUL in text (SQLite would): refused on every backend, naming the field."""
    if "\x00" in value:
        raise ArticleError(f"{where}: {name} contains a NUL character (\\u0000)", field=name)
    return value


def _optional_str(entry: dict[str, Any], name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is not None and not isinstance(value, str):
        raise ArticleError(f"{where}: {name} must be a string or null", field=name)
    return value if value is None else _no_nul(value, name, where)


def article_metadata(
    entry: dict[str, Any], where: str, allowed: Iterable[str] = METADATA_FIELDS
) -> dict[str, Any]:
    """The typed metadata of a sources.json entry or of a posted article: every source's one set of rules."""
    allowed = set(allowed)
    unknown = sorted(set(entry) - allowed)
    if unknown:
        message = f"{where}: unknown fields {unknown}; allowed: {sorted(allowed)}"
        raise ArticleError(message, field=unknown[0])
    authors = entry.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise ArticleError(f"{where}: authors must be a list of strings", field="authors")
    for author in authors:
        _no_nul(author, "authors", where)
    return {
        "url": _optional_str(entry, "url", where),
        "title": _optional_str(entry, "title", where),
        "publisher": _optional_str(entry, "publisher", where),
        "authors": authors,
        "published": _parse_date(entry.get("published"), "published", where),
        "published_not_before": _parse_date(entry.get("published_not_before"), "published_not_before", where),
        "language": _optional_str(entry, "language", where) or "en",
        "note": _optional_str(entry, "note", where),
    }


def decode_text(raw: bytes, where: str) -> str:
    """An article's bytes as text: UTF-8 and not blank, or an ArticleError saying which."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{where}: not valid UTF-8 (byte {exc.start})", field="text") from exc
    if not text.strip():
        raise ArticleError(f"{where}: empty file", field="text")
    return _no_nul(text, "text", where)


def _input(key: str, text: str, metadata: dict[str, Any]) -> ArticleInput:
    return ArticleInput(key=key, text=text, **{**metadata, "authors": tuple(metadata["authors"])})


def _article(folder: Path, entry: Any, index: int) -> ArticleInput:
    if not isinstance(entry, dict):
        raise ArticleError(f"sources.json entry {index}: expected an object")
    where = f"sources.json entry {index} ({entry.get('file', '?')})"
    metadata = article_metadata(
        {k: v for k, v in entry.items() if k not in ("file", "title_from")}, where, ALLOWED_FIELDS
    )
    file_name = entry.get("file")
    if not isinstance(file_name, str) or not file_name:
        raise ArticleError(f"{where}: 'file' is required")
    path = (folder / file_name).resolve()
    if folder.resolve() not in path.parents:
        raise ArticleError(f"{where}: file must be inside the folder")
    if not path.is_file():
        raise ArticleError(f"{file_name}: listed in sources.json but not found")
    text = decode_text(path.read_bytes(), file_name)
    return _input(metadata["url"] or f"file:{file_name}", text, metadata)


def posted_article(fields: Any, where: str = "request body") -> ArticleInput:
    """An article sent over HTTP: `text` plus the metadata fields of a sources.json entry, under the same
    rules. Its key is the url when given (as for a folder, so a later load of it updates the same source),
    else `sha256:<hash of the text>`: the same text always gets the same source id."""
    if not isinstance(fields, dict):
        raise ArticleError(f"{where}: expected a JSON object")
    metadata = article_metadata(fields, where, (*METADATA_FIELDS, "text"))
    text = fields.get("text")
    if not isinstance(text, str):
        raise ArticleError(f"{where}: text is required and must be a string", field="text")
    if not text.strip():
        raise ArticleError(f"{where}: text is empty", field="text")
    _no_nul(text, "text", where)
    return _input(metadata["url"] or f"sha256:{_digest(text, 64)}", text, metadata)


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?^)---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


def article_from_markdown(text: str, where: str = "request body") -> ArticleInput:
    """A Markdown article: optional YAML front matter holding the metadata fields, then the text, kept
    exactly as sent."""
    match = FRONT_MATTER.match(text)
    if match is None:
        return posted_article({"text": text}, where)
    try:
        fields = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"{where}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(fields, dict):
        raise ArticleError(f"{where}: front matter must be a mapping of metadata fields")
    if "text" in fields:
        raise ArticleError(f"{where}: the text follows the front matter, not inside it", field="text")
    # YAML reads 2025-01-02 as a date; the shared rules expect the string a JSON body would carry.
    fields = {k: v.isoformat() if type(v) is date else v for k, v in fields.items()}
    return posted_article({**fields, "text": text[match.end() :]}, where)


def read_folder(folder: Path) -> tuple[list[ArticleInput], list[str]]:
    """The folder's articles per its sources.json, and a message for each one that cannot be read."""
    manifest = folder / "sources.json"
    if not manifest.is_file():
        raise ArticleError(f"{folder}: no sources.json")
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArticleError(f"{manifest}: not valid JSON ({exc})") from exc
    if not isinstance(entries, list):
        raise ArticleError(f"{manifest}: expected a list of articles")
    articles: list[ArticleInput] = []
    errors: list[str] = []
    listed: set[Path] = set()
    for index, entry in enumerate(entries):
        try:
            article = _article(folder, entry, index)
        except ArticleError as exc:
            errors.append(str(exc))
            continue
        listed.add((folder / entry["file"]).resolve())
        articles.append(article)
    for path in sorted(folder.rglob("*.txt")) + sorted(folder.rglob("*.md")):
        if path.resolve() not in listed and path.name.lower() not in ("readme.md",):
            errors.append(f"{path.relative_to(folder)}: not listed in sources.json (skipped)")
    return articles, errors


# --- writing --------------------------------------------------------------------------------------------


ENTITY, ALIAS, MENTION = Entity.__table__, EntityAlias.__table__, Mention.__table__  # type: ignore[attr-defined]
CLAIM, CLAIM_TOPIC, CLAIM_ENTITY = Claim.__table__, ClaimTopic.__table__, ClaimEntity.__table__  # type: ignore[attr-defined]
QUANTITY, RELATION = Quantity.__table__, Relation.__table__  # type: ignore[attr-defined]
SOURCE = Source.__table__  # type: ignore[attr-defined]


def _now() -> datetime:
    return datetime.now(UTC)


def sync_catalog(session: Session, *, catalog: Catalog) -> int:
    """Upsert catalog entities, aliases, catalog relations and topics; returns how many rows changed."""
    changed = 0
    renamed: list[str] = []  # claims naming these entities are re-rendered
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
    have = set(session.scalars(select(RELATION.c.id).where(RELATION.c.origin == "catalog")))
    wanted: set[str] = set()
    for rel in catalog.relations:
        rid = _relation_id(rel.subject, rel.predicate, rel.object, None, None)
        wanted.add(rid)
        if rid not in have:
            session.add(
                Relation(
                    id=rid,
                    subject_id=rel.subject,
                    predicate=rel.predicate,
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
        session.execute(delete(RELATION).where(RELATION.c.id.in_(stale)))
        changed += len(stale)
    topics = {t.id: t for t in session.scalars(select(Topic))}
    for topic_id, info in topic_definitions().items():
        row_t = topics.get(topic_id)
        if row_t is None:
            session.add(Topic(id=topic_id, label=info["label"], definition=info["definition"]))
            changed += 1
        elif (row_t.label, row_t.definition) != (info["label"], info["definition"]):
            row_t.label, row_t.definition = info["label"], info["definition"]
            changed += 1
    session.flush()
    if renamed:
        params = {f"e{n}": e for n, e in enumerate(renamed)}
        marks = ", ".join(f":{k}" for k in params)
        render_docs(
            session.connection(),
            f"id IN (SELECT claim_id FROM claim_entity WHERE entity_id IN ({marks})) "
            f"OR speaker_id IN ({marks}) OR cited_id IN ({marks})",
            params,
        )
    return changed


def ensure_catalog(session: Session, *, catalog: Catalog) -> None:
    """sync_catalog when the database lacks catalog entities or topics (two counts, not a full diff), so a
    write to a database nobody has loaded yet can link the catalog's entities."""
    entities = session.execute(
        select(func.count()).select_from(ENTITY).where(ENTITY.c.origin == "catalog")
    ).scalar_one()
    topics = session.execute(select(func.count()).select_from(Topic)).scalar_one()
    if entities < len(catalog.entities) or topics < len(topic_definitions()):
        sync_catalog(session, catalog=catalog)


def source_with_text(session: Session, text: str) -> str | None:
    """The id of a source holding exactly this text, if any."""
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    query = select(SOURCE.c.id).where(SOURCE.c.content_hash == content_hash).order_by(SOURCE.c.id).limit(1)
    return session.execute(query).scalar()


def stored_article(session: Session, source_id: str) -> ArticleInput | None:
    """A stored source as the article it was loaded from (key, text, metadata), or None."""
    row = session.execute(select(SOURCE).where(SOURCE.c.id == source_id)).mappings().first()
    if row is None:
        return None
    return _input(row["key"], row["text"], {k: row[k] for k in METADATA_FIELDS})


def _metadata(article: ArticleInput) -> dict[str, Any]:
    return {
        "url": article.url,
        "title": article.title,
        "publisher": article.publisher,
        "authors": list(article.authors),
        "published": article.published,
        "published_not_before": article.published_not_before,
        "language": article.language,
        "note": article.note,
    }


def ingest_article(
    session: Session, *, article: ArticleInput, pipeline: Pipeline, force: bool = False
) -> IngestResult:
    """Write one article and what the pipeline extracts from it (with `force`, even when text and extractor
    are unchanged); the caller commits."""
    source_id = source_id_for(article.key)
    content_hash = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    metadata = _metadata(article)
    published = article.published or article.published_not_before
    row = session.execute(select(SOURCE).where(SOURCE.c.id == source_id)).mappings().first()
    now = _now()
    unchanged_text = row is not None and row["content_hash"] == content_hash
    if row is not None and unchanged_text and row["extractor_version"] == EXTRACTOR_VERSION and not force:
        if all(row[k] == v for k, v in metadata.items()):
            return IngestResult(source_id, "unchanged")
        update_source_metadata(session, source_id, metadata)
        return IngestResult(source_id, "changed")
    extraction = pipeline.extract(article.text)
    status = "new"
    previously_mentioned: set[str] = set()
    values = {
        **metadata,
        "text": article.text,
        "content_hash": content_hash,
        "extractor_version": EXTRACTOR_VERSION,
        "updated_at": now,
    }
    if row is None:
        session.execute(insert(SOURCE).values(id=source_id, key=article.key, ingested_at=now, **values))
    else:
        status = "changed"
        previously_mentioned = _clear_extraction(session, source_id)
        session.execute(update(SOURCE).where(SOURCE.c.id == source_id).values(**values))
    _write_extraction(session, source_id, published, extraction, article.text)
    _collect_orphans(session, previously_mentioned)
    record_change(session, source_id, "created" if status == "new" else "updated")
    return IngestResult(
        source_id, status, len(extraction.claims), len(extraction.mentions), len(extraction.relations)
    )


WRITE_ATTEMPTS = 3


def is_write_conflict(exc: BaseException) -> bool:
    """True when a write failed only because a concurrent transaction got there first (a unique or foreign
    key violation, a PostgreSQL deadlock or serialization failure): after a rollback, running it again
    against what that transaction committed may succeed."""
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, DBAPIError):
        return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")
    return False


def update_source_metadata(session: Session, source_id: str, metadata: dict[str, Any]) -> None:
    """Replace a source's metadata (not its text); a new date moves its claims (sort day, documents) with
    it. The caller commits."""
    session.execute(update(SOURCE).where(SOURCE.c.id == source_id).values(**metadata, updated_at=_now()))
    record_change(session, source_id, "updated")
    published = session.execute(
        select(SOURCE.c.published, SOURCE.c.published_not_before).where(SOURCE.c.id == source_id)
    ).one()
    day = published[0] or published[1]
    current = session.execute(
        select(CLAIM.c.published).where(CLAIM.c.source_id == source_id).limit(1)
    ).first()
    if current is None or current[0] == day:
        return
    moved = Counter({k: -n for k, n in _claim_facets(session, source_id).items()})  # counts by month move too
    session.execute(
        update(CLAIM).where(CLAIM.c.source_id == source_id).values(published=day, day=day or NO_DAY)
    )
    claim_ids = select(CLAIM.c.id).where(CLAIM.c.source_id == source_id)
    for table in (CLAIM_TOPIC, CLAIM_ENTITY):
        session.execute(update(table).where(table.c.claim_id.in_(claim_ids)).values(day=day or NO_DAY))
    moved.update(_claim_facets(session, source_id))
    update_facet_counts(session.connection(), moved)
    render_docs(session.connection(), "source_id = :source", {"source": source_id})


def _claim_facets(session: Session, source_id: str) -> Counter[tuple[str, str, str]]:
    """The facet counters the stored claims of a source add to."""
    claims = {
        r.id: r
        for r in session.execute(
            select(CLAIM.c.id, CLAIM.c.kind, CLAIM.c.speaker_id, CLAIM.c.day).where(
                CLAIM.c.source_id == source_id
            )
        )
    }
    if not claims:
        return Counter()
    ids = select(CLAIM.c.id).where(CLAIM.c.source_id == source_id)
    topics: dict[str, list[str]] = {}
    for claim, topic in session.execute(
        select(CLAIM_TOPIC.c.claim_id, CLAIM_TOPIC.c.topic_id).where(CLAIM_TOPIC.c.claim_id.in_(ids))
    ):
        topics.setdefault(claim, []).append(topic)
    entities: dict[str, list[str]] = {}
    for claim, entity in session.execute(
        select(CLAIM_ENTITY.c.claim_id, CLAIM_ENTITY.c.entity_id).where(CLAIM_ENTITY.c.claim_id.in_(ids))
    ):
        entities.setdefault(claim, []).append(entity)
    counts: Counter[tuple[str, str, str]] = Counter()
    for cid, row in claims.items():
        counts.update(
            facet_keys(
                row.kind,
                source_id,
                row.speaker_id,
                topics.get(cid, ()),
                entities.get(cid, ()),
                month_of(row.day),
            )
        )
    return counts


def delete_source(session: Session, source_id: str) -> bool:
    """Remove a source with its claims, mentions, learned aliases and relations; discovered entities nothing
    else refers to go too. False when there is no such source; the caller commits."""
    if session.execute(select(SOURCE.c.id).where(SOURCE.c.id == source_id)).first() is None:
        return False
    mentioned = _clear_extraction(session, source_id)
    session.execute(delete(SOURCE).where(SOURCE.c.id == source_id))
    _collect_orphans(session, mentioned)
    record_change(session, source_id, "deleted")
    return True


def _clear_extraction(session: Session, source_id: str) -> set[str]:
    """Delete what was extracted from a source; returns the discovered entities it mentioned."""
    mentioned = set(
        session.scalars(
            select(MENTION.c.entity_id)
            .join(ENTITY, ENTITY.c.id == MENTION.c.entity_id)
            .where(MENTION.c.source_id == source_id, ENTITY.c.origin == "discovered")
        )
    )
    update_facet_counts(
        session.connection(), Counter({k: -n for k, n in _claim_facets(session, source_id).items()})
    )
    session.execute(delete(ALIAS).where(ALIAS.c.source_id == source_id))
    session.execute(delete(RELATION).where(RELATION.c.source_id == source_id))
    session.execute(delete(MENTION).where(MENTION.c.source_id == source_id))
    claim_ids = select(CLAIM.c.id).where(CLAIM.c.source_id == source_id)
    for table in (QUANTITY, CLAIM_TOPIC, CLAIM_ENTITY):
        session.execute(delete(table).where(table.c.claim_id.in_(claim_ids)))
    session.execute(delete(CLAIM).where(CLAIM.c.source_id == source_id))
    return mentioned


def _insert_missing(session: Session, table: Table, rows: list[dict[str, Any]], key: str) -> None:
    """Insert rows shared between articles (entities, aliases), skipping any another transaction has
    inserted since this one looked. In key order: two PostgreSQL writers that insert the same keys then
    wait for each other in the same order (no deadlock), and the later one skips them rather than failing
    with a unique violation when the earlier commits."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (
        postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    ).on_conflict_do_nothing()
    session.execute(statement, sorted(rows, key=lambda row: str(row[key])))


def _ensure_entities(session: Session, records: Iterable[EntityRecord]) -> None:
    """Insert the discovered entities the database lacks (catalog ones are there since sync_catalog)."""
    wanted = {r.id: r for r in records if r.origin != "catalog"}
    if not wanted:
        return
    have = set(session.execute(select(ENTITY.c.id).where(ENTITY.c.id.in_(list(wanted)))).scalars())
    new = [r for r in wanted.values() if r.id not in have]
    if not new:
        return
    _insert_missing(
        session,
        ENTITY,
        [
            {
                "id": r.id,
                "name": r.name,
                "type": r.type,
                "description": r.description,
                "attributes": r.attributes,
                "origin": r.origin,
            }
            for r in new
        ],
        "id",
    )
    keys = {normalise_alias(a): (r.id, a) for r in new for a in (r.name, *r.aliases)}
    taken = set(
        session.execute(select(ALIAS.c.normalised).where(ALIAS.c.normalised.in_(list(keys)))).scalars()
    )
    rows = [
        {"entity_id": eid, "alias": alias, "normalised": k}
        for k, (eid, alias) in keys.items()
        if k not in taken
    ]
    _insert_missing(session, ALIAS, rows, "normalised")


def _learn_aliases(session: Session, source_id: str, extraction: Extraction) -> None:
    """Multi-word forms an article uses for a known entity become its aliases, tied to that article."""
    forms: dict[str, tuple[str, str]] = {}
    known: dict[str, set[str]] = {}
    for m in extraction.mentions:
        if " " not in m.text.strip():
            continue
        own = known.get(m.entity_id)
        if own is None:
            record = extraction.entities[m.entity_id]
            own = known[m.entity_id] = {normalise_alias(a) for a in (record.name, *record.aliases)}
        key = normalise_alias(m.text)
        if key not in own:  # a form the catalog already lists needs no lookup
            forms.setdefault(key, (m.entity_id, m.text))
    if not forms:
        return
    taken = set(
        session.execute(select(ALIAS.c.normalised).where(ALIAS.c.normalised.in_(list(forms)))).scalars()
    )
    rows = [
        {"entity_id": entity_id, "alias": text, "normalised": key, "source_id": source_id}
        for key, (entity_id, text) in forms.items()
        if key and key not in taken
    ]
    _insert_missing(session, ALIAS, rows, "normalised")


def _bulk_insert(session: Session, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """One DBAPI executemany of plain tuples: the per-row parameter handling of SQLAlchemy costs more here
    than the database's work (measured with bench/ingest_bench.py)."""
    if not rows:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(mark for _ in columns)
    connection.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _write_extraction(
    session: Session, source_id: str, published: date | None, extraction: Extraction, text: str
) -> None:
    _ensure_entities(session, extraction.entities.values())
    _learn_aliases(session, source_id, extraction)
    _bulk_insert(
        session,
        "mention",
        ("source_id", "entity_id", "start", "end"),
        [(source_id, m.entity_id, m.start, m.end) for m in extraction.mentions],
    )
    claim_rows: list[tuple[Any, ...]] = []
    topic_rows: list[tuple[Any, ...]] = []
    entity_rows: list[tuple[Any, ...]] = []
    quantity_rows: list[tuple[Any, ...]] = []
    span_to_claim: dict[tuple[int, int], str] = {}
    facets: Counter[tuple[str, str, str]] = Counter()
    day = published or NO_DAY
    refs = entity_refs(
        session.connection(),
        {e for c in extraction.claims for e, _ in c.entities}
        | {e for c in extraction.claims for e in (c.speaker_id, c.cited_id) if e},
    )
    for c in extraction.claims:
        cid = claim_id(source_id, c.start, c.end)
        span_to_claim[(c.start, c.end)] = cid
        row = ClaimRow(
            cid, source_id, c.start, c.end, c.text, c.kind, c.speaker_id, c.cited_id, c.time_scope, published
        )
        quantities = sorted(c.quantities, key=lambda q: q.start)
        doc = claim_item(
            row,
            c.topics,
            c.entities,
            [
                {"value": q.value, "unit": q.unit, "text": q.text, "span": {"start": q.start, "end": q.end}}
                for q in quantities
            ],
            refs,
        )
        claim_rows.append((*row, day, orjson.dumps(doc).decode()))
        topic_rows += [(cid, t, day) for t in c.topics]
        entity_rows += [(cid, e, role, day) for e, role in c.entities]
        quantity_rows += [(cid, q.value, q.unit, q.text, q.start, q.end) for q in quantities]
        facets.update(
            facet_keys(c.kind, source_id, c.speaker_id, c.topics, (e for e, _ in c.entities), month_of(day))
        )
    _bulk_insert(
        session,
        "claim",
        (
            "id",
            "source_id",
            "start",
            "end",
            "text",
            "kind",
            "speaker_id",
            "cited_id",
            "time_scope",
            "published",
            "day",
            "doc",
        ),
        claim_rows,
    )
    _bulk_insert(session, "claim_topic", ("claim_id", "topic_id", "day"), topic_rows)
    _bulk_insert(session, "claim_entity", ("claim_id", "entity_id", "role", "day"), entity_rows)
    update_facet_counts(session.connection(), facets)
    _bulk_insert(session, "quantity", ("claim_id", "value", "unit", "text", "start", "end"), quantity_rows)
    # An article relation's span is the wording that states it (its text is the evidence); its claim is
    # the sentence it was read from, when that sentence is a claim.
    _bulk_insert(
        session,
        "relation",
        (
            "id",
            "subject_id",
            "predicate",
            "object_id",
            "origin",
            "source_id",
            "claim_id",
            "start",
            "end",
            "evidence",
            "confidence",
        ),
        [
            (
                _relation_id(r.subject_id, r.predicate, r.object_id, source_id, r.start),
                r.subject_id,
                r.predicate,
                r.object_id,
                "article",
                source_id,
                span_to_claim.get((r.sentence_start, r.sentence_end)),
                r.start,
                r.end,
                text[r.start : r.end],
                r.confidence,
            )
            for r in extraction.relations
        ],
    )


def _collect_orphans(session: Session, candidates: set[str]) -> None:
    """Of the candidates, discovered entities nothing refers to any more are removed (catalog ones stay).
    Only the entities an article used can become orphans when it changes, so only those are checked."""
    if not candidates:
        return
    referenced = (
        exists().where(MENTION.c.entity_id == ENTITY.c.id),
        exists().where(CLAIM_ENTITY.c.entity_id == ENTITY.c.id),
        exists().where(RELATION.c.subject_id == ENTITY.c.id),
        exists().where(RELATION.c.object_id == ENTITY.c.id),
        exists().where(CLAIM.c.speaker_id == ENTITY.c.id),
        exists().where(CLAIM.c.cited_id == ENTITY.c.id),
    )
    orphans = select(ENTITY.c.id).where(ENTITY.c.origin == "discovered", ENTITY.c.id.in_(candidates))
    for clause in referenced:
        orphans = orphans.where(~clause)
    ids = list(session.execute(orphans).scalars())
    if ids:
        session.execute(delete(ALIAS).where(ALIAS.c.entity_id.in_(ids)))
        session.execute(delete(ENTITY).where(ENTITY.c.id.in_(ids)))


def _ingest_retrying(engine: Engine, article: ArticleInput, pipeline: Pipeline) -> IngestResult:
    """ingest_article in a transaction of its own, run again when a concurrent writer (the API, another
    loader) made it fail by committing the same rows first."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with Session(engine) as session, session.begin():
                return ingest_article(session, article=article, pipeline=pipeline)
        except DBAPIError as exc:
            if attempt == WRITE_ATTEMPTS or not is_write_conflict(exc):
                raise
    raise AssertionError("unreachable")


def load_folder(folder: Path, *, engine: Engine, pipeline: Pipeline, progress: bool = False) -> LoadSummary:
    """Load every article of a folder, one transaction each; a bad article is reported and skipped."""
    summary = LoadSummary()
    articles, errors = read_folder(folder)
    summary.failed += errors
    with Session(engine) as session, session.begin():
        sync_catalog(session, catalog=pipeline.catalog)
    iterator: Sequence[ArticleInput] | Any = articles
    if progress:
        from tqdm import tqdm

        iterator = tqdm(articles, desc="articles", unit="article")
    for article in iterator:
        try:
            result = _ingest_retrying(engine, article, pipeline)
        except Exception as exc:  # one bad article must not stop the others
            summary.failed.append(f"{article.key}: {type(exc).__name__}: {exc}")
            continue
        if result.status == "new":
            summary.new += 1
        elif result.status == "changed":
            summary.changed += 1
        else:
            summary.unchanged += 1
    with Session(engine) as session:
        summary.entities = session.execute(select(func.count()).select_from(ENTITY)).scalar_one()
        summary.claims = session.execute(select(func.count()).select_from(CLAIM)).scalar_one()
        summary.relations = session.execute(select(func.count()).select_from(RELATION)).scalar_one()
    return summary


@dataclass(slots=True)
class ReextractSummary:
    selected: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    claims_before: int = 0
    claims_after: int = 0


def reextract(engine: Engine, *, pipeline: Pipeline, everything: bool = False) -> ReextractSummary:
    """Run the pipeline again over every source another extractor version wrote (or over all of them),
    one transaction per source; a source that fails keeps its previous extraction."""
    summary = ReextractSummary()
    with Session(engine) as session, session.begin():
        sync_catalog(session, catalog=pipeline.catalog)
        query = select(SOURCE.c.id).order_by(SOURCE.c.id)
        if not everything:
            query = query.where(SOURCE.c.extractor_version != EXTRACTOR_VERSION)
        source_ids = list(session.execute(query).scalars())
    summary.selected = len(source_ids)
    for source_id in source_ids:
        try:
            with Session(engine) as session, session.begin():
                before = session.execute(
                    select(func.count()).select_from(CLAIM).where(CLAIM.c.source_id == source_id)
                ).scalar_one()
                article = stored_article(session, source_id)
                if article is None:  # deleted since the list was read
                    continue
                result = ingest_article(session, article=article, pipeline=pipeline, force=True)
        except Exception as exc:  # one bad source must not stop the others
            summary.failed.append(f"{source_id}: {type(exc).__name__}: {exc}")
            summary.statuses["failed"] = summary.statuses.get("failed", 0) + 1
            continue
        summary.statuses[result.status] = summary.statuses.get(result.status, 0) + 1
        summary.claims_before += before
        summary.claims_after += result.claims
    return summary
