"""CSV and NDJSON for every list, streamed page by page so an export of everything runs in flat memory;
`limit`, when the request gives it, caps the rows."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from app.queries import Format

__all__ = [
    "EXPORT_BATCH",
    "export_filename",
    "export_lines",
    "export_response",
    "plain_number",
    "wanted_format",
]

EXPORT_BATCH = 500
Batch = Callable[[Session, str | None, int], tuple[list[dict[str, Any]], str | None]]
MEDIA = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


def wanted_format(request: Request, explicit: Format | None) -> Format:
    """`format=` wins; otherwise the Accept header (text/csv, application/x-ndjson); otherwise JSON."""
    if explicit:
        return explicit
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "ndjson" in accept:
        return "ndjson"
    return "json"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("id", orjson.dumps(value).decode()))
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def export_lines(
    engine: Engine, fmt: Format, cursor: str | None, batch: Batch, limit: int | None = None
) -> Iterator[bytes]:
    """Every item from `cursor` on (at most `limit`) as NDJSON or CSV lines, read EXPORT_BATCH at a time by
    `batch` (session, cursor, limit), each batch in a session of its own (the API streams these; `aikb
    export` writes them)."""
    position, header, left = cursor, None, limit
    while left is None or left > 0:
        size = EXPORT_BATCH if left is None else min(EXPORT_BATCH, left)
        with Session(engine) as session:
            items, position = batch(session, position, size)
        if left is not None:
            left -= len(items)
        for item in items:
            if fmt == "ndjson":
                yield orjson.dumps(item, option=orjson.OPT_NAIVE_UTC) + b"\n"
                continue
            if header is None:
                header = list(item)
                yield _csv_line(header)
            yield _csv_line([_flatten(item.get(k)) for k in header])
        if not position:
            return


def export_filename(request: Request, fmt: Format) -> str:
    """The file an export is saved as: its path in words (`claims.csv`, `entities-huawei-claims.ndjson`)."""
    words = [w for w in request.url.path.strip("/").split("/") if w]
    stem = "-".join("".join(c if c.isalnum() or c in "-_." else "_" for c in w) for w in words)
    return f"{stem or 'export'}.{fmt}"


def export_response(
    request: Request, engine: Engine, fmt: Format, cursor: str | None, batch: Batch, limit: int | None
) -> StreamingResponse:
    """Every item from `cursor` on (at most `limit`), streamed as an attachment. The first batch is read
    before the response starts, so a bad cursor or a query past the time limit is still answered with its
    own status and problem body (once the 200 has gone out, an error can only cut the stream short)."""
    lines = export_lines(engine, fmt, cursor, batch, limit)
    first = next(lines, b"")
    disposition = f'attachment; filename="{export_filename(request, fmt)}"'
    return StreamingResponse(
        itertools.chain((first,), lines),
        media_type=MEDIA[fmt],
        headers={"content-disposition": disposition},
    )


def plain_number(value: float) -> str:
    """A number as people write it, never in scientific notation: 100000000000, 0.5, 85.7."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _flatten(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"start", "end"}:
        return f"{value['start']}-{value['end']}"
    if isinstance(value, list) and value and isinstance(value[0], dict) and "unit" in value[0]:
        return "; ".join(f"{plain_number(q['value'])} {q['unit']}" for q in value)
    return _cell(value)


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode()
