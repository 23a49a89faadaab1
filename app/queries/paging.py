"""Keyset paging, shared by every list: the page parameters, opaque cursors (the sort key of the last item
served) and the one error a cursor this API did not issue gets."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field

from app.errors import InvalidCursor

__all__ = ["Format", "PageParams", "decode_cursor", "encode_cursor", "page"]

Row = TypeVar("Row")
Format = Literal["json", "csv", "ndjson"]
# What a cursor position may hold: the values of a sort key. Integers fit a 64-bit column.
_INT_RANGE = range(-(2**63), 2**63)


class PageParams(BaseModel):
    """Paging shared by every list; unknown parameters are rejected, not ignored."""

    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200, description="Items per page (1-200)")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")
    format: Format | None = Field(
        default=None,
        description="json (default), or csv / ndjson streaming every matching item (also by Accept)",
    )


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor: the sort key of the last item served (dates as ISO strings)."""
    plain = [v.isoformat() if isinstance(v, date) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    """The sort key a cursor holds, one value of each of `types` (str, int or date), or InvalidCursor."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, orjson.JSONDecodeError, ValueError) as exc:
        raise InvalidCursor from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise InvalidCursor
    return [_typed(value, expected) for value, expected in zip(values, types, strict=True)]


def _typed(value: Any, expected: type) -> Any:
    if expected is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor from exc
    # `type(...) is`: a bool is an int to isinstance, and no cursor holds one.
    if type(value) is not expected or (expected is int and value not in _INT_RANGE):
        raise InvalidCursor
    return value


def page(rows: list[Row], limit: int, key: Callable[[Row], Sequence[Any]]) -> tuple[list[Row], str | None]:
    """The first `limit` rows (the query asked for one more) and the cursor after them, None on the last
    page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(key(rows[-1]))
    return rows, None
