"""Stable ids: reloading an article, or loading it elsewhere, gives its source, claims and relations the
same ids."""

from __future__ import annotations

import hashlib

__all__ = ["claim_id", "relation_id", "source_id_for"]


def _digest(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def source_id_for(key: str) -> str:
    """Stable source id from its identity (url, else file name or text hash): reloads and edits keep it."""
    return f"src_{_digest(key, 12)}"


def claim_id(source_id: str, start: int, end: int) -> str:
    """Stable claim id from its source and span. It begins with the source's own hash so that one article's
    claims sit together in every index keyed by claim id: a load then rewrites a few pages, not hundreds."""
    return f"c_{source_id.removeprefix('src_')[:8]}{_digest(f'{source_id}:{start}:{end}', 8)}"


def relation_id(subject: str, predicate: str, obj: str, source_id: str | None, start: int | None) -> str:
    """A catalog relation's id from its three parts; an article's also from the source and span stating it
    (prefixed by the source's hash, as claims are)."""
    digest = _digest(f"{subject}|{predicate}|{obj}|{source_id}|{start}")
    if source_id is None:
        return f"r_{digest}"
    return f"r_{source_id.removeprefix('src_')[:8]}{digest[:8]}"
