"""Reading articles: a folder (sources.json and its text files), a JSON body, a Markdown body with YAML
front matter, or a stored source, each into the one model of what an article is (`ArticleIn`)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "Article",
    "ArticleError",
    "ArticleIn",
    "ArticleMetadata",
    "Folder",
    "article_from_json",
    "article_from_markdown",
    "decode_text",
    "folder_manifest",
    "metadata_patch",
    "read_folder",
    "text_hash",
]


class ArticleError(ValueError):
    """An article that cannot be loaded; the message says which and why, `field` names the culprit."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ArticleMetadata(BaseModel):
    """What may be said about an article besides its text: the one list of metadata fields, under the same
    rules for a sources.json entry, a posted article, Markdown front matter and a PATCH (a JSON merge patch:
    every field optional, null clears it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Why China is winning the AI race", "note": None}]},
    )
    url: str | None = Field(
        default=None, description="Where the article was published; its identity when given"
    )
    title: str | None = Field(default=None, description="Headline")
    publisher: str | None = Field(default=None, description="Publication or site")
    authors: list[str] | None = Field(default=None, description="null or absent: none")
    published: date | None = Field(default=None, description="YYYY-MM-DD")
    published_not_before: date | None = Field(
        default=None,
        description="YYYY-MM-DD: the article is from this day or later (when `published` is unknown)",
    )
    language: str | None = Field(default=None, description="null or absent: en")
    note: str | None = Field(
        default=None, description="Free remarks (how the metadata was established, doubts about it)"
    )

    @field_validator("published", "published_not_before", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ValueError("must be a YYYY-MM-DD string or null")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a YYYY-MM-DD date") from None

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store a NUL in text (SQLite would): refused on every backend.
        if any("\x00" in s for s in (value if isinstance(value, list) else [value]) if isinstance(s, str)):
            raise ValueError("contains a NUL character (\\u0000)")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> ArticleMetadata:
        # null means the default: no authors, English. Set here, not as field defaults, so a patch's null
        # clears the field.
        object.__setattr__(self, "authors", self.authors or [])
        object.__setattr__(self, "language", self.language or "en")
        return self

    def metadata(self) -> dict[str, Any]:
        """The metadata fields and their values (as the source row stores them)."""
        return {name: getattr(self, name) for name in ArticleMetadata.model_fields}


class ArticleIn(ArticleMetadata):
    """An article as a client sends it: the text (kept exactly as sent, every span indexes into it) and its
    metadata."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Huawei said its Ascend 910C chips would ship in volume in 2025.",
                    "url": "https://example.com/huawei-ascend",
                    "title": "Huawei ramps up Ascend",
                    "publisher": "Example Wire",
                    "authors": ["A. Writer"],
                    "published": "2025-03-02",
                    "language": "en",
                }
            ]
        },
    )
    text: str = Field(description="The article's text: non-blank, exactly as it should be stored")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value


class Article(NamedTuple):
    """An article ready to write: its identity (the url, else the file name or a hash of the text; it
    makes the source id) and what it holds."""

    key: str
    content: ArticleIn


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _message(error: Any) -> tuple[str, str | None]:
    """A pydantic error in this module's words, and the field it is about."""
    field = str(error["loc"][0]) if error["loc"] else None
    kind = error["type"]
    if kind == "missing":
        return f"{field} is required and must be a string", field
    if kind == "value_error":
        return f"{field} {error['msg'].removeprefix('Value error, ')}", field
    if field == "authors":
        return "authors must be a list of strings", field
    if field == "text":
        return "text is required and must be a string", field
    return f"{field} must be a string or null", field


def _validated(
    model: type[ArticleMetadata], fields: Any, where: str, also_allowed: frozenset[str] = frozenset()
) -> Any:
    """`fields` validated by `model`, or an ArticleError in this module's words (`also_allowed`: fields the
    caller took out before, listed as allowed in the message)."""
    if not isinstance(fields, dict):
        raise ArticleError(f"{where}: expected a JSON object")
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
        if unknown:
            allowed = sorted({*model.model_fields, *also_allowed})
            raise ArticleError(
                f"{where}: unknown fields {unknown}; allowed: {allowed}", field=unknown[0]
            ) from None
        message, field = _message(errors[0])
        raise ArticleError(f"{where}: {message}", field=field) from None


def article_from_json(fields: Any, where: str = "request body") -> Article:
    """An article sent as JSON: `text` plus the metadata fields. Its key is the url when given (as for a
    folder, so a later load of it updates the same source), else `sha256:<hash of the text>`: the same text
    always gets the same source id."""
    article: ArticleIn = _validated(ArticleIn, fields, where)
    return Article(article.url or f"sha256:{text_hash(article.text)}", article)


def metadata_patch(current: ArticleMetadata, patch: Any, where: str = "request body") -> ArticleMetadata:
    """The metadata after a JSON merge patch (RFC 7396): fields sent replace, null clears, the rest stay."""
    sent: ArticleMetadata = _validated(ArticleMetadata, patch, where)
    merged = current.metadata() | {name: getattr(sent, name) for name in patch}
    validated: ArticleMetadata = _validated(ArticleMetadata, merged, where)
    return validated


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?^)---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


def article_from_markdown(text: str, where: str = "request body") -> Article:
    """A Markdown article: optional YAML front matter holding the metadata fields, then the text, kept
    exactly as sent."""
    match = FRONT_MATTER.match(text)
    if match is None:
        return article_from_json({"text": text}, where)
    try:
        fields = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"{where}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(fields, dict):
        raise ArticleError(f"{where}: front matter must be a mapping of metadata fields")
    if "text" in fields:
        raise ArticleError(f"{where}: the text follows the front matter, not inside it", field="text")
    return article_from_json({**fields, "text": text[match.end() :]}, where)


def decode_text(raw: bytes, where: str) -> str:
    """An article's bytes as text: UTF-8 and not blank, or an ArticleError saying which."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{where}: not valid UTF-8 (byte {exc.start})", field="text") from exc
    if not text.strip():
        raise ArticleError(f"{where}: empty file", field="text")
    if "\x00" in text:
        raise ArticleError(f"{where}: text contains a NUL character (\\u0000)", field="text")
    return text


# --- a folder -------------------------------------------------------------------------------------------

# A sources.json entry: the metadata fields, plus where the text is and where the title came from.
ENTRY_FIELDS = frozenset({"file", "title_from"})


def _folder_article(folder: Path, entry: Any, index: int) -> Article:
    if not isinstance(entry, dict):
        raise ArticleError(f"sources.json entry {index}: expected an object")
    where = f"sources.json entry {index} ({entry.get('file', '?')})"
    metadata = {k: v for k, v in entry.items() if k not in ENTRY_FIELDS}
    _validated(ArticleMetadata, metadata, where, ENTRY_FIELDS)  # the metadata's errors before the file's
    file_name = entry.get("file")
    if not isinstance(file_name, str) or not file_name:
        raise ArticleError(f"{where}: 'file' is required")
    path = (folder / file_name).resolve()
    if folder.resolve() not in path.parents:
        raise ArticleError(f"{where}: file must be inside the folder")
    if not path.is_file():
        raise ArticleError(f"{file_name}: listed in sources.json but not found")
    text = decode_text(path.read_bytes(), file_name)
    article: ArticleIn = _validated(ArticleIn, {**metadata, "text": text}, file_name)
    return Article(article.url or f"file:{file_name}", article)


class Folder(NamedTuple):
    """What a folder holds: the articles its sources.json lists that can be read, a message for each
    listed article that cannot (once each, with the reason), and the text files it does not list."""

    articles: list[Article]
    failed: list[str]
    unlisted: list[str]


def folder_manifest(path: Path) -> Path:
    """The sources.json of a folder (or that file itself), or an ArticleError saying what is wrong."""
    if path.is_file() and path.name == "sources.json":
        return path
    if not path.exists():
        raise ArticleError(f"{path}: no such folder")
    if not path.is_dir():
        raise ArticleError(f"{path}: is a file, not a folder; give the folder that holds sources.json")
    manifest = path / "sources.json"
    if not manifest.is_file():
        raise ArticleError(f"{path}: no sources.json in this folder (it lists the articles to load)")
    return manifest


def read_folder(path: Path) -> Folder:
    """The articles a folder's sources.json lists (`path` is the folder or its sources.json), a message
    for each one that cannot be read, and the text files it does not list."""
    manifest = folder_manifest(path)
    folder = manifest.parent
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArticleError(f"{manifest}: not valid JSON ({exc})") from exc
    if not isinstance(entries, list):
        raise ArticleError(f"{manifest}: expected a list of articles")
    contents = Folder([], [], [])
    listed: set[Path] = set()
    for index, entry in enumerate(entries):
        # Listed, whether or not it can be read: a bad entry is reported once, as what it is.
        if isinstance(entry, dict) and isinstance(entry.get("file"), str) and entry["file"]:
            listed.add((folder / entry["file"]).resolve())
        try:
            contents.articles.append(_folder_article(folder, entry, index))
        except ArticleError as exc:
            contents.failed.append(str(exc))
    for text in sorted(folder.rglob("*.txt")) + sorted(folder.rglob("*.md")):
        if text.resolve() not in listed and text.name.lower() not in ("readme.md",):
            contents.unlisted.append(f"{text.relative_to(folder)}: not listed in sources.json")
    return contents
