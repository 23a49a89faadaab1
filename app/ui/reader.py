"""A source's text as HTML whose text content is the stored text, character for character, with every claim
wrapped over its span and entity mentions marked inside.

Claims are sentences and never overlap; mentions may overlap each other (a catalog alias inside a longer
discovered name). Markup must nest, so the text is cut at every span boundary into segments, each segment
belongs to at most one claim and one mention, and an element is opened or closed only where that changes:
a claim is one element, and a mention that a claim boundary cuts (never seen, but possible) becomes two
elements of the same entity. Overlapping claims (not produced by the pipeline) would leave the later claim
only the part the earlier one does not cover.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from urllib.parse import quote

from markupsafe import Markup, escape

__all__ = ["annotate", "escape_text"]

Span = tuple[int, int, str]  # start, end, id


def escape_text(text: str) -> str:
    """HTML-escaped text that parses back to exactly `text`: the parser turns a raw CR (and CR LF) into LF,
    so a CR is written as a character reference, which it keeps."""
    return str(escape(text)).replace("\r", "&#13;")


def _disjoint(spans: Sequence[Span], size: int) -> list[Span]:
    """Spans clipped to the text and made disjoint: by start, longest first; a span overlapping one already
    kept keeps only what lies after it (or is dropped)."""
    out: list[Span] = []
    end_kept = 0
    for start, end, ident in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        start, end = max(start, end_kept, 0), min(end, size)
        if start < end:
            out.append((start, end, ident))
            end_kept = end
    return out


def annotate(
    text: str,
    claims: Sequence[Span],
    mentions: Sequence[Span],
    *,
    claim_open: Callable[[str], str],
    mention_open: Callable[[str], str],
) -> Markup:
    """`text` as HTML: each claim inside `claim_open(id)`…`</a>`, each mention inside
    `mention_open(entity_id)`…`</span>`."""
    kept_claims = _disjoint(claims, len(text))
    kept_mentions = _disjoint(mentions, len(text))
    cuts = sorted(
        {0, len(text)} | {p for s in kept_claims for p in s[:2]} | {p for s in kept_mentions for p in s[:2]}
    )
    out: list[str] = []
    ci = mi = 0
    open_claim: str | None = None
    open_mention: str | None = None
    for a, b in pairwise(cuts):
        while ci < len(kept_claims) and kept_claims[ci][1] <= a:
            ci += 1
        while mi < len(kept_mentions) and kept_mentions[mi][1] <= a:
            mi += 1
        claim = kept_claims[ci][2] if ci < len(kept_claims) and kept_claims[ci][0] <= a else None
        mention = kept_mentions[mi][2] if mi < len(kept_mentions) and kept_mentions[mi][0] <= a else None
        if claim != open_claim:
            if open_mention is not None:
                out.append("</span>")
                open_mention = None
            if open_claim is not None:
                out.append("</a>")
            if claim is not None:
                out.append(claim_open(claim))
            open_claim = claim
        if mention != open_mention:
            if open_mention is not None:
                out.append("</span>")
            if mention is not None:
                out.append(mention_open(mention))
            open_mention = mention
        out.append(escape_text(text[a:b]))
    if open_mention is not None:
        out.append("</span>")
    if open_claim is not None:
        out.append("</a>")
    return Markup("".join(out))


def path_part(value: str) -> str:
    """An id as one URL path segment."""
    return quote(value, safe="")
