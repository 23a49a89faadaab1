"""read indexes: quantity (claim_id, unit, value), source (ingested_at), relation (origin)

Revision ID: 0005
Revises: 0004

Replaces ix_quantity_claim_id. A filter such as `unit=USD&value_min=1e9` checks, for each claim, whether it
has such a quantity; with (claim_id) and (unit, value) both available, SQLite chose (unit, value) and
scanned ~47,000 USD quantities per claim of a 1M-claim KB (54 s for one page). With the three columns in
one index the probe is exact on every backend.

source (ingested_at) answers /stats' "last ingested" without reading every source row (75 ms at 10,000
sources, whose rows hold the article text); relation (origin) counts relations by origin from the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_quantity_claim_unit_value", "quantity", ["claim_id", "unit", "value"])
    op.drop_index("ix_quantity_claim_id", table_name="quantity")
    op.create_index("ix_source_ingested_at", "source", ["ingested_at"])
    op.create_index("ix_relation_origin", "relation", ["origin"])


def downgrade() -> None:
    op.drop_index("ix_relation_origin", table_name="relation")
    op.drop_index("ix_source_ingested_at", table_name="source")
    op.create_index("ix_quantity_claim_id", "quantity", ["claim_id"])
    op.drop_index("ix_quantity_claim_unit_value", table_name="quantity")
