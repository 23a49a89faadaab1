"""What a filter names, resolved to what the tables hold, the way GET /entities/{id} resolves its id: an
entity by id, by any of its names or aliases, or by an old id (`entity=Nvidia`, `nvidia-corporation`); a
source by id or by its url; a publisher in any case. A value that names nothing is an InvalidParameter
with a hint (did you mean …), never a silently empty list.

Each resolution is an indexed lookup (entity primary key, then the unique normalised alias; source primary
key and unique key; the publisher index); only a miss reads further, to find the hint. A filter that names
nothing runs no statement.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from app.errors import InvalidParameter
from app.extraction.catalog import normalise_alias
from app.sql import Db

__all__ = ["entity_named", "resolve_entity", "resolve_publisher", "resolve_source", "resolved"]

HINTS = 3
# Rows read, on a miss only, to find names close to the one asked for.
_CANDIDATES = 5000

F = TypeVar("F", bound=BaseModel)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ids_starting(db: Db, table: str, prefix: str) -> list[str]:
    """Ids of `table` starting with `prefix` (the candidates of a hint), in order."""
    sql = db.sql()
    like = sql(_escape_like(prefix) + "%")
    statement = f"SELECT id FROM {table} WHERE id LIKE {like} ESCAPE '\\' ORDER BY id LIMIT {_CANDIDATES}"
    return [r[0] for r in db.rows(statement, sql.params)]


def _hint(wanted: str, candidates: Sequence[str], where: str) -> str:
    close = difflib.get_close_matches(wanted, candidates, n=HINTS, cutoff=0.6)
    if close:
        return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    return f"; {where}"


def entity_named(db: Db, value: str) -> str | None:
    """The id of the entity `value` names: its id, one of its names or aliases (in any case, with any
    punctuation), or an old id (`nvidia-corporation`, kept as an alias when an entity is renamed); None
    when it names none. A primary-key probe, then (for a name) one on the unique normalised alias."""
    sql = db.sql()
    if db.rows(f"SELECT 1 FROM entity WHERE id = {sql(value)}", sql.params):
        return value
    key = normalise_alias(value.replace("-", " "))
    if not key:  # punctuation alone normalises to nothing, which no alias is
        return None
    sql = db.sql()
    rows = db.rows(f"SELECT entity_id FROM entity_alias WHERE normalised = {sql(key)}", sql.params)
    return str(rows[0][0]) if rows else None


def resolve_entity(db: Db, value: str, parameter: str) -> str:
    """The id of the entity `value` names (entity_named); else InvalidParameter naming `parameter`, with
    the closest ids as a hint."""
    found = entity_named(db, value)
    if found is not None:
        return found
    # A miss: ids sharing the first letters, for a hint.
    wanted = value.strip().lower()
    ids = _ids_starting(db, "entity", wanted[:2])
    hint = _hint(wanted.replace(" ", "-"), ids, "GET /entities?q=… finds entities by name")
    raise InvalidParameter(f"no entity {value!r} (by id, name or alias){hint}", parameter=parameter)


def resolve_source(db: Db, value: str, parameter: str) -> str:
    """The id of the source `value` names: its id, or the url (the key) it was loaded or posted under;
    else InvalidParameter naming `parameter`."""
    sql = db.sql()
    rows = db.rows(
        f"SELECT 0, id FROM source WHERE id = {sql(value)} "
        f"UNION ALL SELECT 1, id FROM source WHERE key = {sql(value)} ORDER BY 1 LIMIT 1",
        sql.params,
    )
    if rows:
        return str(rows[0][1])
    ids = _ids_starting(db, "source", value[:5])
    hint = _hint(value, ids, "GET /sources lists them")
    raise InvalidParameter(f"no source {value!r} (by id or url){hint}", parameter=parameter)


def resolve_publisher(db: Db, value: str, parameter: str) -> str:
    """The publisher as the sources spell it: `value` itself, or the one publisher equal to it but for
    case and surrounding spaces; else InvalidParameter naming `parameter`, with the closest as a hint."""
    sql = db.sql()
    if db.rows(f"SELECT 1 FROM source WHERE publisher = {sql(value)} LIMIT 1", sql.params):
        return value
    # Read from the publisher index alone: a few distinct names, however many sources.
    statement = (
        "SELECT publisher FROM source WHERE publisher IS NOT NULL GROUP BY publisher ORDER BY publisher "
        f"LIMIT {_CANDIDATES}"
    )
    publishers = [r[0] for r in db.rows(statement)]
    wanted = value.strip().casefold()
    same = [p for p in publishers if p.strip().casefold() == wanted]
    if len(same) == 1:
        return str(same[0])
    if same:
        names = " or ".join(repr(p) for p in same)
        raise InvalidParameter(f"publisher {value!r} is ambiguous: {names}", parameter=parameter)
    folded = {p.casefold(): p for p in publishers}
    # Publishers holding what was asked ('mit tech'), else those spelled like it ('reutres').
    close = [p for p in folded if wanted and wanted in p][:HINTS]
    close = close or difflib.get_close_matches(wanted, list(folded), n=HINTS, cutoff=0.6)
    hint = (
        "; did you mean " + " or ".join(repr(folded[c]) for c in close) + "?"
        if close
        else "; GET /sources lists sources with their publishers"
    )
    raise InvalidParameter(f"no source has the publisher {value!r}{hint}", parameter=parameter)


# The fields of a filter model that name something, recognised by name.
_ENTITY_FIELDS = ("speaker", "cited", "subject", "object")
_NAMING_FIELDS = (*_ENTITY_FIELDS, "entity", "source", "publisher")


@lru_cache(maxsize=32)
def _naming_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name in _NAMING_FIELDS if name in model.model_fields)


def resolved(db: Db, f: F) -> F:
    """A filter model with every entity, source and publisher it names resolved (the same object, and no
    statement run, when it names none: the hot path of a topic page). Fields are recognised by name:
    `entity`, `speaker`, `cited`, `subject`, `object` (entities), `source`, `publisher`."""
    given = {name: getattr(f, name) for name in _naming_fields(type(f))}
    update: dict[str, Any] = {}
    for name, value in given.items():
        if not value:
            continue
        canonical: Any
        if name == "entity":  # several, all of which must hold: each once
            canonical = list(dict.fromkeys(resolve_entity(db, e, name) for e in value))
        elif name == "source":
            canonical = resolve_source(db, value, name)
        elif name == "publisher":
            canonical = resolve_publisher(db, value, name)
        else:
            canonical = resolve_entity(db, value, name)
        if canonical != value:
            update[name] = canonical
    return f.model_copy(update=update) if update else f
