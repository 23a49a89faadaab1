"""Settings read from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Every knob of the service; env vars are upper-case field names (DATABASE_URL, ...)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'data' / 'aikb.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    db_pool_size: int = Field(default=5, ge=1, description="PostgreSQL connection pool size per process")
    db_max_overflow: int = Field(default=10, ge=0, description="PostgreSQL connections beyond the pool")
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, description="How long SQLite waits on a lock")
    seeds_dir: Path = Field(default=ROOT / "seeds", description="Folder loaded by `aikb load` by default")
    query_time_limit_ms: int = Field(
        default=5000,
        ge=0,
        description="Longest one SQL statement of the API may run; past it the request answers 503 (0: none)",
    )
    aikb_read_concurrency: int = Field(
        default=8,
        ge=1,
        description="Reads that need a thread (full text, live facets, row-by-row filters) running at once "
        "per worker; more wait their turn, so each runs within the query time limit under load",
    )
    aikb_access_log: bool = Field(
        default=False,
        description="Log one JSON line per request (off by default: it costs a large share of throughput)",
    )
    aikb_log_level: str = Field(default="INFO", description="Level of the JSON logs on stderr (`aikb serve`)")
    # Write API: keys and request bodies.
    aikb_read_requires_key: bool = Field(
        default=False,
        description="Every read needs an API key with the `read` scope (health checks stay open)",
    )
    aikb_max_body_bytes: int = Field(
        default=1_048_576, ge=1, description="Largest request body accepted (413 beyond); 1 MiB"
    )
    aikb_cors_origins: str = Field(
        default="",
        description="Origins browsers may call the API from: comma-separated (https://a.example,…) or `*`; "
        "unset: no CORS headers, cross-origin calls from browsers are refused",
    )

    @property
    def cors_origins(self) -> list[str]:
        """AIKB_CORS_ORIGINS as a list (empty: CORS off)."""
        return [origin.strip() for origin in self.aikb_cors_origins.split(",") if origin.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache to change them)."""
    return Settings()
