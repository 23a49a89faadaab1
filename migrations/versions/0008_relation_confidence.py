"""relation confidence; `leads` runs person -> organisation/country

Revision ID: 0008
Revises: 0006

Relations read from an article carry a confidence (0-1, calibrated against the annotated articles; see
app/extraction/relations.py); catalog relations are curated and get 1.0; rows written before this revision
keep NULL until their source is re-extracted (the extractor version changed with it).

`leads` is turned around to the annotation's direction: the person leads the organisation or country
("jensen-huang leads nvidia"), as the catalog now states it. A relation's id hashes subject, predicate,
object, source and start (app/ingest/ids.py `relation_id`), so each reversed row gets the id its new direction
hashes to; a row whose reversed twin is already stored is dropped instead. The downgrade turns them back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _relation_id(subject: str, predicate: str, obj: str, source_id: str | None, start: int | None) -> str:
    """app.ingest.relation_id as of this revision (a migration must not follow later changes of the app)."""
    digest = hashlib.sha256(f"{subject}|{predicate}|{obj}|{source_id}|{start}".encode()).hexdigest()[:16]
    if source_id is None:
        return f"r_{digest}"
    return f"r_{source_id.removeprefix('src_')[:8]}{digest[:8]}"


def _turn_leads_around() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, subject_id, object_id, source_id, start FROM relation WHERE predicate = 'leads'")
    ).all()
    existing = {row.id for row in rows}
    for row in rows:
        new_id = _relation_id(row.object_id, "leads", row.subject_id, row.source_id, row.start)
        if new_id in existing and new_id != row.id:
            bind.execute(sa.text("DELETE FROM relation WHERE id = :id"), {"id": row.id})
            existing.discard(row.id)
            continue
        bind.execute(
            sa.text("UPDATE relation SET id = :new, subject_id = :s, object_id = :o WHERE id = :old"),
            {"new": new_id, "s": row.object_id, "o": row.subject_id, "old": row.id},
        )
        existing.discard(row.id)
        existing.add(new_id)


def upgrade() -> None:
    with op.batch_alter_table("relation") as batch:
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))
    op.execute("UPDATE relation SET confidence = 1.0 WHERE origin = 'catalog'")
    _turn_leads_around()


def downgrade() -> None:
    _turn_leads_around()
    with op.batch_alter_table("relation") as batch:
        batch.drop_column("confidence")
