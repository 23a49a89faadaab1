"""The change feed: one row per created, updated or deleted source, in commit order, for tools that sync."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlmodel import Session

from app.models import CHANGE, ChangeOp

__all__ = ["list_changes", "record_change"]


def record_change(session: Session, source_id: str, op: ChangeOp) -> None:
    """Add a feed entry in the caller's transaction; call it last, just before the commit.

    On PostgreSQL, ids come from a sequence when inserted, not when committed: a reader could see id 11,
    move its cursor past 10 and never see 10 once that commits. The table lock (which readers do not wait
    for) makes writers take ids in commit order; it is held only from here to the commit. SQLite has one
    writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE change IN SHARE ROW EXCLUSIVE MODE"))
    session.execute(insert(CHANGE).values(source_id=source_id, op=op, at=datetime.now(UTC)))


def list_changes(session: Session, *, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """Entries after `since` in order, the id to pass as `since` next time, and whether more are waiting."""
    rows = list(
        session.execute(
            select(CHANGE.c.id, CHANGE.c.source_id, CHANGE.c.op, CHANGE.c.at)
            .where(CHANGE.c.id > since)
            .order_by(CHANGE.c.id)
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {"id": r.id, "source": r.source_id, "op": r.op, "at": r.at.replace(tzinfo=r.at.tzinfo or UTC)}
        for r in rows
    ]
    return items, rows[-1].id if rows else since, more
