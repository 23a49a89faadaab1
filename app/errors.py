"""Errors the service reports on purpose, each with its HTTP status and its problem type; no web framework.

Every error answers an RFC 9457 problem body (`application/problem+json`) rendered from one of these by
app/api/problems.py. Its `type` is `/problems/<slug>`, a URI reference the API itself resolves: `GET
/problems/<slug>` explains it (the README's "Problem types" table lists the same).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

__all__ = [
    "PROBLEM_TYPES",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "HttpStatus",
    "InternalError",
    "InvalidCursor",
    "InvalidParameter",
    "KBError",
    "MethodNotAllowed",
    "NotFound",
    "NotReady",
    "PayloadTooLarge",
    "QueryTimeLimit",
    "Unauthorized",
    "UnprocessableContent",
    "UnsupportedMediaType",
    "invalid_parameter",
    "validation_message",
]


class KBError(Exception):
    """Base of every error the API reports on purpose: a status, a title and a documented type."""

    status: int = 500
    title: str = "Internal error"
    slug: ClassVar[str] = "internal-error"
    about: ClassVar[str] = "An unexpected error; it was logged with the request id the body carries."
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str, *, parameter: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.parameter = parameter

    def response_headers(self) -> dict[str, str]:
        """Headers the response carries besides the problem body."""
        return dict(self.headers)

    @classmethod
    def type_uri(cls) -> str:
        """`/problems/<slug>`, which GET explains; `about:blank` (RFC 9457) for a bare HTTP status."""
        return f"/problems/{cls.slug}" if cls.slug else "about:blank"

    @property
    def type(self) -> str:
        return self.type_uri()

    def problem(self) -> dict[str, Any]:
        """The problem details body (RFC 9457) of this error; `parameter` names the one at fault."""
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.parameter:
            body["parameter"] = self.parameter
        return body


class InternalError(KBError):
    """An unhandled exception (the body also carries `request_id`)."""


class HttpStatus(KBError):
    """An HTTP status with nothing to add to its name (type `about:blank`); none of the API's own."""

    slug = ""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = HTTPStatus(status).phrase


class BadRequest(KBError):
    status = 400
    title = "Bad request"
    slug = "bad-request"
    about = (
        "The request cannot be used as sent: a body that is not JSON or not UTF-8, or Markdown front "
        "matter that is not YAML."
    )


class InvalidCursor(BadRequest):
    title = "Invalid cursor"
    slug = "invalid-cursor"
    about = (
        "A `cursor` this API did not issue (garbled, or the position of another list or sort); start from "
        "the first page again."
    )

    def __init__(self) -> None:
        super().__init__("cursor is not one this API issued", parameter="cursor")


class Unauthorized(KBError):
    """No key, or one that is unknown or revoked (RFC 6750: the challenge names the scheme)."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"
    about = (
        "No API key where one is needed, or an unknown or revoked one: send `Authorization: Bearer <key>`."
    )
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="aikb"'}


class Forbidden(KBError):
    """A valid key without the scope the endpoint needs."""

    status = 403
    title = "Forbidden"
    slug = "forbidden"
    about = "The API key lacks the scope this endpoint needs (writes need `write`)."


class NotFound(KBError):
    status = 404
    title = "Not found"
    slug = "not-found"
    about = "No source, claim or entity with this id, or no such path."


class MethodNotAllowed(KBError):
    status = 405
    title = "Method not allowed"
    slug = "method-not-allowed"
    about = "The path exists but not with this method; `Allow` lists the ones it takes."

    def __init__(self, detail: str, *, allow: str | None = None) -> None:
        super().__init__(detail)
        self.allow = allow

    def response_headers(self) -> dict[str, str]:
        return {"Allow": self.allow} if self.allow else {}


class Conflict(KBError):
    status = 409
    title = "Conflict"
    slug = "conflict"
    about = "Another source already holds this url with another text (replace it with PUT …/text)."


class PayloadTooLarge(KBError):
    status = 413
    title = "Content too large"
    slug = "content-too-large"
    about = "The body is larger than AIKB_MAX_BODY_BYTES."


class UnsupportedMediaType(KBError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"
    about = "This endpoint does not take a body of this Content-Type, or a charset other than UTF-8."


class InvalidParameter(KBError):
    """A query or path parameter that fails validation: unknown, wrong type, out of range, inconsistent with
    another, or holding a NUL character."""

    status = 422
    title = "Invalid parameter"
    slug = "invalid-parameter"
    about = (
        "A query or path parameter is unknown, of the wrong type, out of range, inconsistent with another, "
        "not one of the values it takes (a `select` or `facets` name, a unit, a `q` without a word), names "
        "no entity, source or publisher the knowledge base holds (the detail suggests close ones), or holds "
        "a NUL character; `parameter` names it."
    )


def validation_message(error: Mapping[str, Any]) -> tuple[str | None, str]:
    """The parameter at fault and a sentence for one pydantic validation error, as every 422 says it (the
    API's problem body, the explorer's error page, the CLI's filter options): unknown names and values
    come with a close match."""
    location = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
    parameter = location[0] if location else None
    message = str(error.get("msg", "invalid request"))
    if error.get("type") == "extra_forbidden":
        message = f"unknown parameter {parameter!r}"
    elif error.get("type") == "literal_error":
        allowed = re.findall(r"'([^']+)'", str(error.get("ctx", {}).get("expected", "")))
        hint = difflib.get_close_matches(str(error.get("input")), allowed, n=1)
        message = f"{error.get('input')!r} is not one of {', '.join(allowed)}"
        if hint:
            message += f"; did you mean {hint[0]!r}?"
    elif error.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    return parameter, message


def invalid_parameter(errors: Sequence[Mapping[str, Any]]) -> InvalidParameter:
    """A parameter model's validation errors (pydantic's `errors()`) as this API's error: the first
    complaint, naming its parameter."""
    parameter, message = validation_message(errors[0] if errors else {})
    return InvalidParameter(message, parameter=parameter)


class UnprocessableContent(KBError):
    """A well-formed body whose content is invalid (unknown field, wrong type, empty text)."""

    status = 422
    title = "Invalid content"
    slug = "invalid-content"
    about = (
        "A well-formed body whose content is invalid: an unknown field, a wrong type, a bad date, empty "
        "text; `parameter` names the field."
    )


class QueryTimeLimit(KBError):
    status = 503
    title = "Query time limit"
    slug = "query-time-limit"
    about = (
        "A query ran longer than QUERY_TIME_LIMIT_MS: narrow it or page with a smaller limit; `Retry-After` "
        "says when to try again."
    )
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class NotReady(KBError):
    status = 503
    title = "Not ready"
    slug = "not-ready"
    about = "The database is unreachable, or its schema is not at the newest migration (`aikb migrate`)."


# Every problem type the API answers, by slug: GET /problems/<slug> and the README explain each.
PROBLEM_TYPES: dict[str, type[KBError]] = {
    error.slug: error
    for error in (
        BadRequest,
        InvalidCursor,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        InvalidParameter,
        UnprocessableContent,
        InternalError,
        QueryTimeLimit,
        NotReady,
    )
}
