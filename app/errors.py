"""Errors the service raises, each with its HTTP status; rendered as RFC 9457 problem details."""

from __future__ import annotations

__all__ = ["BadRequest", "KBError", "NotFound"]


class KBError(Exception):
    """Base of every error the API reports on purpose."""

    status = 500
    title = "Internal error"

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


class NotFound(KBError):
    status = 404
    title = "Not found"
