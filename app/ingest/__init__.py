"""Articles in, rows out: reading articles (`articles`), writing or removing one source (`write`), the
catalog (`catalog`), loading many with retries (`batch`), stable ids (`ids`). Extraction is
app.extraction's; the read projection is app.projection's, which `write` calls for every source it
writes or removes."""

from __future__ import annotations

from app.ingest.articles import (
    Article,
    ArticleError,
    ArticleIn,
    ArticleMetadata,
    Folder,
    article_from_json,
    article_from_markdown,
    decode_text,
    folder_manifest,
    metadata_patch,
    read_folder,
)
from app.ingest.batch import (
    BATCH_ARTICLES,
    LoadSummary,
    ReextractSummary,
    WriteConflict,
    is_write_conflict,
    load_articles,
    load_folder,
    reextract,
    retry_on_conflict,
)
from app.ingest.catalog import ensure_catalog, sync_catalog
from app.ingest.ids import claim_id, relation_id, source_id_for
from app.ingest.write import (
    IngestResult,
    Pending,
    delete_source,
    source_with_text,
    stored_article,
    update_metadata,
    write_article,
)

__all__ = [
    "BATCH_ARTICLES",
    "Article",
    "ArticleError",
    "ArticleIn",
    "ArticleMetadata",
    "Folder",
    "IngestResult",
    "LoadSummary",
    "Pending",
    "ReextractSummary",
    "WriteConflict",
    "article_from_json",
    "article_from_markdown",
    "claim_id",
    "decode_text",
    "delete_source",
    "ensure_catalog",
    "folder_manifest",
    "is_write_conflict",
    "load_articles",
    "load_folder",
    "metadata_patch",
    "read_folder",
    "reextract",
    "relation_id",
    "retry_on_conflict",
    "source_id_for",
    "source_with_text",
    "stored_article",
    "sync_catalog",
    "update_metadata",
    "write_article",
]
