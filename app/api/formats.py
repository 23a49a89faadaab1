"""CSV and NDJSON for every list, streamed page by page so an export of everything runs in flat memory."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from app.queries import Format

__all__ = ["EXPORT_BATCH", "export_lines", "export_response", "wanted_format"]

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


def export_lines(engine: Engine, fmt: Format, cursor: str | None, batch: Batch) -> Iterator[bytes]:
    """Every item from `cursor` on as NDJSON or CSV lines, read EXPORT_BATCH at a time by `batch` (session,
    cursor, limit), each batch in a session of its own (the API streams these; `aikb export` writes them)."""
    position, header = cursor, None
    while True:
        with Session(engine) as session:
            items, position = batch(session, position, EXPORT_BATCH)
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


def export_response(engine: Engine, fmt: Format, cursor: str | None, batch: Batch) -> StreamingResponse:
    """Every item from `cursor` on, streamed. The first batch is read before the response starts, so a
    bad cursor or a query past the time limit is still answered with its own status and problem body
    (once the 200 has gone out, an error can only cut the stream short)."""
    lines = export_lines(engine, fmt, cursor, batch)
    first = next(lines, b"")
    return StreamingResponse(itertools.chain((first,), lines), media_type=MEDIA[fmt])


def _flatten(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"start", "end"}:
        return f"{value['start']}-{value['end']}"
    if isinstance(value, list) and value and isinstance(value[0], dict) and "unit" in value[0]:
        return "; ".join(f"{q['value']:g} {q['unit']}" for q in value)
    return _cell(value)


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode()
