"""claim documents say which date `published` is: render them again

Revision ID: 0010
Revises: 0008 (re-chained: 0007 and 0009 are other branches' until merged)

A claim's `published` is its source's `published`, else its `published_not_before`; the stored documents
now carry `published_basis` saying which. No column changes: the documents are derived data, so they are
emptied here and `app.projection.refresh` (run by `app.migrate.upgrade` after every upgrade) renders them
again from the tables, RENDER_BATCH at a time. Downgrading empties them too, for the older code's refresh
to render them without the field.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE claim SET doc = ''")


def downgrade() -> None:
    op.execute("UPDATE claim SET doc = ''")
