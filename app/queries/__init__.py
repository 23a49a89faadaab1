"""Reads: filter models in, pages of items out. What the HTTP routes, the CLI's exports and the web UI
call; nothing here knows about HTTP.

- `claims`: GET /claims — the filter model, its SQL (hand-written, app.sql), pages read from the
  projection's documents, relevance order, facets, and whether a read runs inline (one index range).
- `lists`: sources, entities, relations, topics, KB sizes and search (SQLAlchemy Core).
- `names`: what a filter names (an entity by id, name, alias or old id; a source by id or url; a
  publisher in any case) resolved to what the tables hold, or an error with a hint.
- `paging`: page parameters, keyset cursors and the one error a forged cursor gets.
"""

from __future__ import annotations

from app.queries.claims import (
    CLAIM_FACETS,
    CLAIM_FIELDS,
    COUNT_LIMIT,
    ClaimFilter,
    DocumentPage,
    claim_count,
    claim_facets,
    claim_items,
    claim_page,
    facet_scope,
    fts_terms,
    get_claim,
    list_claims,
    runs_inline,
)
from app.queries.lists import (
    EntityFilter,
    RelationFilter,
    SearchParams,
    SourceFilter,
    canonical_entity,
    entity_exists,
    entity_relations,
    get_entity,
    get_source,
    list_entities,
    list_relations,
    list_sources,
    list_topics,
    search,
    source_exists,
    stats,
    written_source,
)
from app.queries.names import resolve_entity, resolve_publisher, resolve_source, resolved
from app.queries.paging import Format, PageParams, decode_cursor, encode_cursor, page

__all__ = [
    "CLAIM_FACETS",
    "CLAIM_FIELDS",
    "COUNT_LIMIT",
    "ClaimFilter",
    "DocumentPage",
    "EntityFilter",
    "Format",
    "PageParams",
    "RelationFilter",
    "SearchParams",
    "SourceFilter",
    "canonical_entity",
    "claim_count",
    "claim_facets",
    "claim_items",
    "claim_page",
    "decode_cursor",
    "encode_cursor",
    "entity_exists",
    "entity_relations",
    "facet_scope",
    "fts_terms",
    "get_claim",
    "get_entity",
    "get_source",
    "list_claims",
    "list_entities",
    "list_relations",
    "list_sources",
    "list_topics",
    "page",
    "resolve_entity",
    "resolve_publisher",
    "resolve_source",
    "resolved",
    "runs_inline",
    "search",
    "source_exists",
    "stats",
    "written_source",
]
