"""Errors the service raises, each with its HTTP status; rendered as RFC 9457 problem details."""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "InvalidParameter",
    "KBError",
    "NotFound",
    "PayloadTooLarge",
    "Unauthorized",
    "UnprocessableContent",
    "UnsupportedMediaType",
]


class KBError(Exception):
    """Base of every error the API reports on purpose."""

    status = 500
    title = "Internal error"
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str, *, parameter: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.parameter = parameter

    @property
    def type(self) -> str:
        return f"https://aikb.dev/problems/{self.title.lower().replace(' ', '-')}"


class BadRequest(KBError):
    status = 400
    title = "Bad request"


class Unauthorized(KBError):
    """No key, or one that is unknown or revoked (RFC 6750: the challenge names the scheme)."""

    status = 401
    title = "Unauthorized"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="aikb"'}


class Forbidden(KBError):
    """A valid key without the scope the endpoint needs."""

    status = 403
    title = "Forbidden"


class NotFound(KBError):
    status = 404
    title = "Not found"


class Conflict(KBError):
    status = 409
    title = "Conflict"


class PayloadTooLarge(KBError):
    status = 413
    title = "Content too large"


class UnsupportedMediaType(KBError):
    status = 415
    title = "Unsupported media type"


class UnprocessableContent(KBError):
    """A well-formed body whose content is invalid (unknown field, wrong type, empty text)."""

    status = 422
    title = "Invalid content"


class InvalidParameter(KBError):
    """A query or path parameter no request may hold (a NUL character), refused before any route sees it."""

    status = 422
    title = "Invalid parameter"
