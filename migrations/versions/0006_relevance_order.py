"""relevance order kept by the full-text index: shorter claims first, so a ranked page is an index range

Revision ID: 0006
Revises: 0005

`sort=relevance` ranks the claims holding every word of `q`: those holding the words as a phrase first,
then shorter claims (in words) first, then the newest first (SQLite: the latest written; PostgreSQL: claim
id). Claims are single sentences: with every word required, BM25 differed between them only by length and
by a word said twice, and ranking a page meant scoring every hit (80-150 ms for a phrase with 40,000-
110,000 hits in a 1M-claim KB). Kept in index order, a page is the first rows of a range scan.

SQLite: claim_fts becomes a contentless FTS5 table whose rowid is the relevance key — the claim's length
in words (inverted, so that descending order is shortest first) in the high bits, the claim rowid in the
low 40 bits — kept by the same three triggers; FTS5 walks a MATCH in rowid order and stops at the LIMIT.
PostgreSQL: a stored `nwords` column (the same count) and an index (nwords, id) to walk.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_WORDS = 4194303  # 2**22 - 1: the length field of the key; longer claims rank as this long


def words(text: str) -> str:
    """A claim's length in words (spaces + 1), in SQL both backends evaluate the same way."""
    return f"min(length({text}) - length(replace({text}, ' ', '')) + 1, {MAX_WORDS})"


def key(text: str, rowid: str) -> str:
    """The FTS rowid of a claim: descending order is shortest first, then the latest written."""
    return f"((({MAX_WORDS} - {words(text)}) << 40) | {rowid})"


NEW, OLD = key("new.text", "new.rowid"), key("old.text", "old.rowid")
TRIGGERS_DOWN = [
    "DROP TRIGGER IF EXISTS claim_fts_update",
    "DROP TRIGGER IF EXISTS claim_fts_delete",
    "DROP TRIGGER IF EXISTS claim_fts_insert",
    "DROP TABLE IF EXISTS claim_fts",
]
SQLITE_UP = [
    *TRIGGERS_DOWN,
    # Contentless: the text stays in claim; a deletion hands FTS5 the old text, as with external content.
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='', tokenize='porter unicode61')",
    "CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN "
    f"INSERT INTO claim_fts(rowid, text) VALUES ({NEW}, new.text); END",
    "CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN "
    f"INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', {OLD}, old.text); END",
    "CREATE TRIGGER claim_fts_update AFTER UPDATE OF text ON claim BEGIN "
    f"INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', {OLD}, old.text); "
    f"INSERT INTO claim_fts(rowid, text) VALUES ({NEW}, new.text); END",
    f"INSERT INTO claim_fts(rowid, text) SELECT {key('text', 'rowid')}, text FROM claim",
]
# As migration 0002 left it.
SQLITE_DOWN = [
    *TRIGGERS_DOWN,
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='claim', content_rowid='rowid', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN "
    "INSERT INTO claim_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN "
    "INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER claim_fts_update AFTER UPDATE OF text ON claim BEGIN "
    "INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO claim_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')",
]
POSTGRES_UP = [
    "ALTER TABLE claim ADD COLUMN nwords integer "
    f"GENERATED ALWAYS AS ({words('text').replace('min(', 'least(')}) STORED",
    "CREATE INDEX ix_claim_nwords ON claim (nwords, id)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_claim_nwords", "ALTER TABLE claim DROP COLUMN IF EXISTS nwords"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
