"""Templates and the pure helpers they use: formatting, links that keep the API's query string, charts drawn
as SVG on the server (no script), the reader's markup."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.models import ClaimKind, EntityType, TopicId
from app.ui.reader import annotate, path_part

__all__ = ["chart", "render", "with_params"]

TEMPLATES = Path(__file__).parent / "templates"
TOPICS: tuple[str, ...] = get_args(TopicId)
KINDS: tuple[str, ...] = get_args(ClaimKind)
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
MONTHS_SHOWN = 120  # a chart shows at most the latest ten years, month by month
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: Any) -> str:
    """1234567 -> '1,234,567'; floats keep up to three significant decimals."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:,.6g}" if isinstance(value, float) else str(value)


def day(value: Any) -> str:
    """A date (or ISO text) as '3 Nov 2025'; '' for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def month_label(month: str) -> str:
    year, m = month.split("-")
    return f"{MONTH_NAMES[int(m) - 1]} {year}"


def label(value: str) -> str:
    """An id of the vocabulary as words: 'open_source' -> 'open source'."""
    return "all topics" if value == "all" else value.replace("_", " ")


def web_url(value: str | None) -> str | None:
    """The url when it is an http(s) address, else None: an article's metadata is never made a link to a
    `javascript:` or `data:` address."""
    if not value:
        return None
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if scheme in ("http", "https") else None


def with_params(
    query: Sequence[tuple[str, str]],
    *,
    add: Iterable[tuple[str, str]] = (),
    remove: Iterable[tuple[str, str | None]] = (),
    base: str = "/ui/claims",
) -> str:
    """A link to `base` with the current query string changed: `remove` drops (name, value) pairs (value
    None: every value of that name), `add` appends pairs; the cursor always goes (a new filter starts at the
    first page)."""
    dropped = list(remove)
    kept = [
        (k, v)
        for k, v in query
        if k != "cursor" and not any(k == name and (value is None or v == value) for name, value in dropped)
    ]
    kept += [pair for pair in add if pair not in kept]
    return f"{base}?{urlencode(kept)}" if kept else base


# --- charts ---------------------------------------------------------------------------------------------

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 26


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return value


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def chart(months: Mapping[str, Mapping[str, int]], series: Sequence[str] = TOPICS) -> dict[str, Any] | None:
    """A stacked bar chart of claims per month by `series` (topics), as SVG geometry: one path per series (a
    rectangle per month), axis ticks, a hover target per month with its counts, and the table behind it.
    None when no claim is dated."""
    if not months:
        return None
    keys = sorted(months)
    axis = _month_range(keys[0], keys[-1])
    hidden = axis[:-MONTHS_SHOWN]
    axis = axis[-MONTHS_SHOWN:]
    totals = [sum(months.get(m, {}).values()) for m in axis]
    top = _nice_ceiling(max(totals) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / len(axis)
    bar = min(max(band * 0.8, 1.0), 36.0)
    paths: dict[str, list[str]] = {t: [] for t in series}
    targets = []
    for i, month in enumerate(axis):
        x = LEFT + i * band + (band - bar) / 2
        y = float(TOP + plot_h)
        counts = months.get(month, {})
        for topic in series:
            n = counts.get(topic, 0)
            if n:
                h = n / top * plot_h
                y -= h
                paths[topic].append(f"M{x:.1f} {y:.1f}h{bar:.1f}v{h:.1f}h{-bar:.1f}z")
        listed = ", ".join(f"{label(t)} {counts[t]:,}" for t in series if counts.get(t))
        targets.append(
            {
                "x": f"{LEFT + i * band:.1f}",
                "w": f"{band:.1f}",
                "title": f"{month_label(month)}: {listed or 'no dated claims'}",
            }
        )
    step = max(1, math.ceil(len(axis) / 10))
    ticks = [
        {"x": f"{LEFT + i * band + band / 2:.1f}", "label": month_label(m) if step < 12 else m[:4]}
        for i, m in enumerate(axis)
        if i % step == 0 and (step < 12 or m.endswith("-01") or i == 0)
    ]
    grid = [{"y": f"{TOP + plot_h - v / top * plot_h:.1f}", "label": number(v)} for v in (0, top // 2, top)]
    used = [t for t in series if paths[t]]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "paths": [{"topic": t, "d": "".join(paths[t])} for t in used],
        "targets": targets,
        "ticks": ticks,
        "grid": grid,
        "baseline": TOP + plot_h,
        "topics": used,
        # Cells formatted here: a thousand filter calls in the template cost more than the page's queries.
        "table": [
            {"month": m, "cells": [number(months.get(m, {}).get(t, 0)) for t in used]} for m in reversed(axis)
        ],
        "hidden_months": len(hidden),
        "first": axis[0],
        "last": axis[-1],
    }


# --- the reader -----------------------------------------------------------------------------------------


def reader_markup(text: str, claims: Sequence[Mapping[str, Any]], mentions: Sequence[tuple[int, int, str]],
                  entities: Mapping[str, Mapping[str, Any]]) -> Markup:  # fmt: skip
    """The source text with claims as links to their page and mentions marked with their entity."""

    order = {c["id"]: n for n, c in enumerate(sorted(claims, key=lambda c: c["span"]["start"]))}

    def claim_open(claim_id: str) -> str:
        # Neighbouring claims alternate two tints, so that where one ends and the next begins shows.
        ident, href = Markup.escape(claim_id), f"/ui/claims/{path_part(claim_id)}"
        tint = " alt" if order.get(claim_id, 0) % 2 else ""
        return f'<a class="claim{tint}" id="claim-{ident}" data-claim-id="{ident}" href="{href}">'

    def mention_open(entity_id: str) -> str:
        ref = entities.get(entity_id, {})
        kind = str(ref.get("type", "entity"))
        title = f"{ref.get('name', entity_id)} ({kind})"
        return (
            f'<span class="mention type-{Markup.escape(kind)}" data-entity-id="{Markup.escape(entity_id)}" '
            f'title="{Markup.escape(title)}">'
        )

    spans = [(c["span"]["start"], c["span"]["end"], c["id"]) for c in claims]
    return annotate(text, spans, mentions, claim_open=claim_open, mention_open=mention_open)


# --- the environment ------------------------------------------------------------------------------------

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
ENV.filters.update(number=number, day=day, label=label, web_url=web_url, month_label=month_label)
ENV.filters["path"] = path_part
ENV.filters["urlquote"] = lambda v: quote(str(v), safe="")
ENV.globals.update(TOPICS=TOPICS, KINDS=KINDS, ENTITY_TYPES=ENTITY_TYPES, with_params=with_params)


def render(template: str, **context: Any) -> str:
    """A page from its template."""
    return ENV.get_template(template).render(**context)
