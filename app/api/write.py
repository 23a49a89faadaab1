"""Writes: post, patch, re-text and delete sources, and re-run extraction. Every route needs a `write` key;
each commits once, so a failure leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app import ingest, queries
from app.api.auth import require_write
from app.api.deps import PipelineDep, SessionDep, SourceId
from app.api.openapi import schema_ref
from app.api.problems import problem_responses
from app.api.responses import JSONResponse
from app.errors import BadRequest, Conflict, NotFound, UnprocessableContent, UnsupportedMediaType
from app.extraction.pipeline import EXTRACTOR_VERSION, Pipeline
from app.ingest import Article, ArticleError, ArticleIn, ArticleMetadata
from app.models import SourceWritten

router = APIRouter(dependencies=[Depends(require_write)])

MARKDOWN_EXAMPLE = """---
title: Huawei ramps up Ascend
publisher: Example Wire
url: https://example.com/huawei-ascend
published: 2025-03-02
authors: [A. Writer]
---
Huawei said its Ascend 910C chips would ship in volume in 2025.
"""


class Body(BaseModel):
    media_type: str
    raw: bytes


async def request_body(request: Request) -> Body:
    """The body and its media type; a charset other than UTF-8 is refused rather than guessed at."""
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "charset" and value.strip('"').lower() not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"charset {value} is not accepted; send UTF-8")
    return Body(media_type=media_type.strip().lower(), raw=await request.body())


BodyDep = Annotated[Body, Depends(request_body)]
T = TypeVar("T")


def _accept(body: Body, *media_types: str) -> None:
    if body.media_type not in media_types:
        sent = body.media_type or "no Content-Type"
        raise UnsupportedMediaType(f"{sent} is not accepted here; send {' or '.join(media_types)}")


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"request body is not valid UTF-8 JSON ({exc})") from exc


def _text(raw: bytes) -> str:
    try:
        return ingest.decode_text(raw, "request body")
    except ArticleError as exc:
        if "UTF-8" in str(exc):
            raise BadRequest(str(exc), parameter="text") from exc
        raise UnprocessableContent(str(exc), parameter=exc.field) from exc


def _valid(build: Callable[[], T]) -> T:
    """Run the shared article rules; their complaint becomes a 422 naming the field."""
    try:
        return build()
    except ArticleError as exc:
        raise UnprocessableContent(str(exc), parameter=exc.field) from exc


def _written(session: SessionDep, source_id: str, status: int = 200, **headers: str) -> JSONResponse:
    return JSONResponse(queries.written_source(session, source_id), status_code=status, headers=headers)


def _body_doc(*media: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": dict(media)}}


def _schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    return {"schema": schema_ref(name), "example": model.model_json_schema()["examples"][0]}


MARKDOWN = ("text/markdown", {"schema": {"type": "string"}, "example": MARKDOWN_EXAMPLE})
PLAIN = ("text/plain", {"schema": {"type": "string"}, "example": "Huawei said its Ascend 910C …"})


@router.post(
    "/sources",
    tags=["sources"],
    status_code=201,
    response_model=SourceWritten,
    responses={
        200: {"model": SourceWritten, "description": "This exact text is already a source: that one"},
        201: {"description": "Created and extracted; `Location` names the new source"},
        **problem_responses(400, 401, 403, 409, 413, 415, 422),
    },
    openapi_extra=_body_doc(("application/json", _schema(ArticleIn, "SourceCreate")), MARKDOWN),
)
def create_source(session: SessionDep, pipeline: PipelineDep, body: BodyDep) -> JSONResponse:
    """Add an article and extract its claims, entities and relations, in one transaction.

    Send JSON (`text` plus the metadata fields of a `seeds/sources.json` entry) or Markdown with YAML front
    matter holding those fields (the text after it is kept exactly). Idempotent by content: text that is
    already a source answers 200 with that source and writes nothing. The source's key is its `url`, or
    `sha256:<hash of the text>` without one; a different text under a url already held is a 409 (replace
    it with `PUT /sources/{id}/text`)."""
    _accept(body, "application/json", "text/markdown")
    if body.media_type == "application/json":
        fields = _json(body.raw)
        article = _valid(lambda: ingest.article_from_json(fields))
    else:
        text = _text(body.raw)
        article = _valid(lambda: ingest.article_from_markdown(text))
    try:
        source_id, created = ingest.retry_on_conflict(session, lambda s: _create(s, article, pipeline))
    except ingest.WriteConflict:
        source_id = ingest.source_id_for(article.key)
        raise Conflict(f"source {source_id} is being written by concurrent requests; send it again") from None
    if created:
        return _written(session, source_id, 201, location=f"/sources/{source_id}")
    return _written(session, source_id)


def _create(session: Session, article: Article, pipeline: Pipeline) -> tuple[str, bool]:
    """(source id, whether this request created it): the source already holding this text, else the new
    one. Run again (by retry_on_conflict) when a concurrent write got there first: the same article posted
    at once, or the catalog being written by the first writes to an empty database."""
    existing = ingest.source_with_text(session, article.content.text)
    if existing:
        return existing, False
    source_id = ingest.source_id_for(article.key)
    stored = ingest.stored_article(session, source_id)
    if stored is not None:
        raise Conflict(
            f"source {source_id} already holds {article.key} with another text; "
            f"replace it with PUT /sources/{source_id}/text",
            parameter="url",
        )
    ingest.ensure_catalog(session, catalog=pipeline.catalog)
    result = ingest.write_article(session, article=article, pipeline=pipeline)
    if result.status != "new":  # a concurrent post committed this source since the looks above
        raise ingest.WriteConflict(source_id)
    return source_id, True


@router.patch(
    "/sources/{source_id}",
    tags=["sources"],
    response_model=SourceWritten,
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
    openapi_extra=_body_doc(
        ("application/json", _schema(ArticleMetadata, "SourcePatch")),
        ("application/merge-patch+json", _schema(ArticleMetadata, "SourcePatch")),
    ),
)
def update_source(source_id: SourceId, session: SessionDep, body: BodyDep) -> JSONResponse:
    """Change a source's metadata with a JSON merge patch: fields sent replace, `null` clears, fields left
    out stay. Claims take the new publication date; the text and its extraction are untouched. The key
    (and so the id) stays even when `url` changes."""
    _accept(body, "application/merge-patch+json", "application/json")
    patch = _json(body.raw)
    if not isinstance(patch, dict):
        raise UnprocessableContent("request body: expected a JSON object of metadata fields")

    def change(s: Session) -> None:
        stored = ingest.stored_article(s, source_id)
        if stored is None:
            raise NotFound(f"no source with id {source_id!r}")
        metadata = _valid(lambda: ingest.metadata_patch(stored.content, patch))
        if metadata.metadata() != stored.content.metadata():
            ingest.update_metadata(s, source_id, metadata)

    ingest.retry_on_conflict(session, change)
    return _written(session, source_id)


@router.put(
    "/sources/{source_id}/text",
    tags=["sources"],
    response_model=SourceWritten,
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
    openapi_extra=_body_doc(PLAIN, ("text/markdown", {"schema": {"type": "string"}})),
)
def replace_text(
    source_id: SourceId, session: SessionDep, pipeline: PipelineDep, body: BodyDep
) -> JSONResponse:
    """Replace a source's text (the body, byte for byte; no front matter here) and extract it again, in one
    transaction: if extraction fails, the old text and claims stay. The same text again changes nothing."""
    _accept(body, "text/plain", "text/markdown")
    text = _text(body.raw)

    def replace(s: Session) -> None:
        stored = ingest.stored_article(s, source_id)
        if stored is None:
            raise NotFound(f"no source with id {source_id!r}")
        ingest.ensure_catalog(s, catalog=pipeline.catalog)
        content = stored.content.model_copy(update={"text": text})
        ingest.write_article(s, article=Article(stored.key, content), pipeline=pipeline)

    ingest.retry_on_conflict(session, replace)
    return _written(session, source_id)


@router.delete(
    "/sources/{source_id}",
    tags=["sources"],
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def delete_source(source_id: SourceId, session: SessionDep) -> Response:
    """Delete a source with its claims, mentions, learned aliases and relations. An entity found in it stays
    while another source refers to it; catalog entities always stay. The change feed records the deletion."""

    def delete(s: Session) -> None:
        if not ingest.delete_source(s, source_id):
            raise NotFound(f"no source with id {source_id!r}")

    ingest.retry_on_conflict(session, delete)
    return Response(status_code=204)


class ReextractReport(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "selected": 5,
                    "statuses": {"changed": 5},
                    "failed": [],
                    "claims_before": 97,
                    "claims_after": 101,
                    "extractor_version": "1.0.0",
                }
            ]
        }
    }
    selected: int = Field(
        description="Sources chosen: another extractor version wrote them (all with all=true)"
    )
    statuses: dict[str, int] = Field(description="How many took each outcome (changed, unchanged, failed)")
    failed: list[str] = Field(description="A message per source that failed (it keeps its extraction)")
    claims_before: int = Field(description="Claims of those sources before")
    claims_after: int = Field(description="Claims of those sources after")
    extractor_version: str = Field(description="The version of the extraction pipeline that ran")


@router.post(
    "/admin/reextract", tags=["admin"], response_model=ReextractReport, responses=problem_responses(401, 403)
)
def reextract(
    session: SessionDep,
    pipeline: PipelineDep,
    all: Annotated[bool, Query(description="Every source, not only those another version extracted")] = False,
) -> JSONResponse:
    """Run extraction again over every source an older (or other) extractor version wrote, or over all of
    them with `all=true`, one transaction per source; reports how many took each outcome and the claim
    counts of those sources before and after."""
    summary = ingest.reextract(session.get_bind(), pipeline=pipeline, everything=all)  # type: ignore[arg-type]
    report = {
        name: getattr(summary, name) for name in ReextractReport.model_fields if name != "extractor_version"
    }
    return JSONResponse({**report, "extractor_version": EXTRACTOR_VERSION})
