"""read projection: a non-null sort day on claims and their topic/entity links, the rendered claim JSON,
and pre-aggregated facet counts

Revision ID: 0003
Revises: 0002

The rendered documents and the facet counts are derived data: `app.projection.refresh` fills them after
the upgrade (`app.migrate.upgrade` calls it), from the same code that keeps them current at ingest.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_DAY = "0001-01-01"


def _day() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("day", sa.Date(), nullable=False, server_default=NO_DAY)


def upgrade() -> None:
    with op.batch_alter_table("claim", recreate="never") as batch_op:
        batch_op.add_column(_day())
        batch_op.add_column(sa.Column("doc", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_index("ix_claim_published_id")
        batch_op.create_index("ix_claim_day_id", ["day", "id"], unique=False)
    op.execute("UPDATE claim SET day = published WHERE published IS NOT NULL")
    for table, column in (("claim_topic", "topic_id"), ("claim_entity", "entity_id")):
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(_day())
        op.execute(f"UPDATE {table} SET day = (SELECT day FROM claim WHERE claim.id = {table}.claim_id)")
        old = "ix_claim_topic_topic_claim" if table == "claim_topic" else "ix_claim_entity_entity_claim"
        new = "ix_claim_topic_topic_day" if table == "claim_topic" else "ix_claim_entity_entity_day"
        op.drop_index(old, table_name=table)
        op.create_index(new, table, [column, "day", "claim_id"], unique=False)
    op.create_table(
        "facet_count",
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("facet", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "facet", "value"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_facet_count_top", "facet_count", ["scope", "facet", "count"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_facet_count_top", table_name="facet_count")
    op.drop_table("facet_count")
    for table, column in (("claim_entity", "entity_id"), ("claim_topic", "topic_id")):
        new = "ix_claim_topic_topic_day" if table == "claim_topic" else "ix_claim_entity_entity_day"
        old = "ix_claim_topic_topic_claim" if table == "claim_topic" else "ix_claim_entity_entity_claim"
        op.drop_index(new, table_name=table)
        op.create_index(old, table, [column, "claim_id"], unique=False)
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column("day")
    with op.batch_alter_table("claim", recreate="never") as batch_op:
        batch_op.drop_index("ix_claim_day_id")
        batch_op.create_index("ix_claim_published_id", ["published", "id"], unique=False)
        batch_op.drop_column("doc")
        batch_op.drop_column("day")
