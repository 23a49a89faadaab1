"""The change feed: one row per created, updated or deleted source, in commit order, for tools that sync.
Hand-written SQL (app.sql): it is written inside ingest's transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import ChangeOp
from app.sql import Db

__all__ = ["list_changes", "record_change"]


def record_change(session: Session, source_id: str, op: ChangeOp) -> None:
    """Add a feed entry in the caller's transaction; call it last, just before the commit.

    On PostgreSQL, ids come from a sequence when inserted, not when committed: a reader could see id 11,
    move its cursor past 10 and never see 10 once that commits. The table lock (which readers do not wait
    for) makes writers take ids in commit order; it is held only from here to the commit. SQLite has one
    writer at a time anyway."""
    db = Db.of(session)
    if not db.sqlite:
        db.execute("LOCK TABLE change IN SHARE ROW EXCLUSIVE MODE")
    sql = db.sql()
    values = f"{sql(source_id)}, {sql(op)}, {sql.moment(datetime.now(UTC))}"
    db.execute(f"INSERT INTO change (source_id, op, at) VALUES ({values})", sql.params)


def _moment(value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite hands back its text, without the zone)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_changes(session: Session, *, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """Entries after `since` in order, the id to pass as `since` next time, and whether more are waiting."""
    db = Db.of(session)
    sql = db.sql()
    after = f"WHERE id > {sql(since)} ORDER BY id LIMIT {int(limit) + 1}"
    rows = db.rows(f"SELECT id, source_id, op, at FROM change {after}", sql.params)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{"id": r[0], "source": r[1], "op": r[2], "at": _moment(r[3])} for r in rows]
    return items, rows[-1][0] if rows else since, more
