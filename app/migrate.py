"""Apply Alembic migrations programmatically (the loader, the CLI and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

__all__ = ["alembic_config", "at_head", "downgrade", "include_object", "upgrade"]

ROOT = Path(__file__).resolve().parents[1]


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """What autogenerate compares: not the full-text structures migration 0002 manages by hand."""
    if type_ == "table" and name is not None and name.startswith("claim_fts"):
        return False
    if (
        type_ == "column"
        and name == "search"
        and getattr(getattr(obj, "table", None), "name", None) == "claim"
    ):
        return False
    return not (type_ == "index" and name == "ix_claim_search")


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`, then fill what the read projection lacks."""
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        from app.db import engine_for
        from app.projection import refresh

        engine = engine_for(url)
        try:
            refresh(engine)
        finally:
            engine.dispose()


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def at_head(engine: Engine) -> bool:
    """True when the database's revision is the newest migration."""
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())
