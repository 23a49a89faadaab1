"""The `aikb` command: migrate, load articles, serve, export, stats, delete a source, manage API keys,
re-extract.

Exit codes: 0 done; 1 done in part (an article that failed to load, a source or key that does not exist);
2 nothing done (a folder without sources.json, an invalid option, an output file that cannot be written).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, get_args, get_origin

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["main"]

# Options of a list model the export command does not take: it pages by itself and writes a file.
_NOT_EXPORT_OPTIONS = frozenset({"limit", "cursor", "format", "facets", "count"})


def _load(path: Path) -> int:
    from app.config import get_settings
    from app.db import engine_for
    from app.extraction.pipeline import get_pipeline
    from app.ingest import ArticleError, load_folder
    from app.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    try:
        summary = load_folder(
            path,
            engine=engine_for(settings.database_url),  # loading runs without the API's query time limit
            pipeline=get_pipeline(),
            progress=sys.stderr.isatty(),
        )
    except ArticleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for message in summary.failed:
        print(f"failed: {message}", file=sys.stderr)
    for message in summary.unlisted:
        print(f"skipped: {message}", file=sys.stderr)
    print(summary.line())
    return 1 if summary.failed else 0


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The values a Literal type allows, looking through `list[…]` and `… | None`."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    return next((c for c in map(_choices, get_args(annotation)) if c), ())


def _filter_options(parser: argparse.ArgumentParser, model: type[BaseModel]) -> None:
    """One option per field of an API filter model (`--entity-type`, `--published-from`…), with its
    description as help: the values are validated by that model, as the API's query string is."""
    for name, info in model.model_fields.items():
        if name in _NOT_EXPORT_OPTIONS:
            continue
        repeated = get_origin(info.annotation) is list
        choices = _choices(info.annotation)
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=f"filter_{name}",
            action="append" if repeated else "store",
            metavar=name.upper(),
            help=(
                (info.description or "") + (f" ({', '.join(map(str, choices))})" if choices else "")
            ).replace(
                "%",
                "%%",  # argparse formats help with %
            ),
        )


def _filter_values(args: argparse.Namespace) -> dict[str, Any]:
    return {
        name.removeprefix("filter_"): value
        for name, value in vars(args).items()
        if name.startswith("filter_") and value is not None
    }


def _write_lines(lines: Iterator[bytes], path: Path | None) -> int:
    """Write the export: to stdout, or to `path` once its first line is there (so a bad filter leaves no
    empty file behind). A reader that stops early (`| head`) ends the export quietly."""
    first = next(lines, None)
    try:
        handle: IO[bytes] = sys.stdout.buffer if path is None else path.open("wb")
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        if first is not None:
            handle.write(first)
        for line in lines:
            handle.write(line)
        handle.flush()
    except BrokenPipeError:
        # The reader has gone: point stdout at /dev/null so that the interpreter's last flush is silent.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if path is not None:
            handle.close()
    return 0


def _export(what: str, fmt: str, path: Path | None, limit: int | None, filters: dict[str, Any]) -> int:
    """Claims, entities or relations through the API's own export (the same filters, rows, batches and
    columns)."""
    from pydantic import ValidationError

    from app import queries
    from app.api.formats import export_lines
    from app.db import get_engine
    from app.errors import KBError, invalid_parameter

    lists: dict[str, tuple[Any, type[queries.PageParams]]] = {
        "claims": (queries.claim_items, queries.ClaimFilter),
        "entities": (queries.list_entities, queries.EntityFilter),
        "relations": (queries.list_relations, queries.RelationFilter),
    }
    list_items, model = lists[what]
    try:
        params = model.model_validate(filters)
    except ValidationError as exc:
        error = invalid_parameter(exc.errors())
        print(f"error: --{(error.parameter or '').replace('_', '-')}: {error.detail}", file=sys.stderr)
        return 2

    def batch(session: Any, cursor: str | None, n: int) -> Any:
        # The batch size is the export's, beyond a page's limit: set, not validated.
        return list_items(session, params.model_copy(update={"cursor": cursor, "limit": n}))

    lines = export_lines(get_engine(), fmt, None, batch, limit)  # type: ignore[arg-type]
    try:
        return _write_lines(lines, path)
    except KBError as exc:  # a name the filter gives that the knowledge base does not hold
        option = f"--{exc.parameter.replace('_', '-')}: " if exc.parameter else ""
        print(f"error: {option}{exc.detail}", file=sys.stderr)
        return 2


def _stats(as_json: bool) -> int:
    import orjson
    from sqlmodel import Session

    from app import queries
    from app.db import get_engine

    with Session(get_engine()) as session:
        sizes = queries.stats(session)
    if as_json:
        print(orjson.dumps(sizes, option=orjson.OPT_INDENT_2 | orjson.OPT_NAIVE_UTC).decode())
        return 0

    def parts(counts: dict[str, int]) -> str:
        return ", ".join(f"{n} {name}" for name, n in sorted(counts.items(), key=lambda c: (-c[1], c[0])))

    lines = [
        ("sources", f"{sizes['sources']}"),
        ("claims", f"{sizes['claims']} ({parts(sizes['claims_by_kind'])})"),
        ("quantities", f"{sizes['quantities']}"),
        ("entities", f"{sizes['entities']} ({parts(sizes['entities_by_origin'])}); "
                     f"{sizes['entities_with_claims']} named by a claim"),
        ("  by type", parts(sizes["entities_by_type"])),
        ("relations", f"{sizes['relations']} ({parts(sizes['relations_by_origin'])})"),
        ("topics", f"{sizes['topics']}"),
        ("last loaded", f"{sizes['last_ingested_at'] or 'never'}"),
    ]  # fmt: skip
    for label, value in lines:
        print(f"{label + ':':<13}{value}")
    return 0


def _delete(source: str) -> int:
    from sqlmodel import Session

    from app import ingest, queries
    from app.db import get_engine
    from app.errors import InvalidParameter
    from app.sql import Db

    with Session(get_engine()) as session:
        try:
            source_id = queries.resolve_source(Db.of(session), source, "source")
        except InvalidParameter as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 1
        written = queries.written_source(session, source_id)
        ingest.retry_on_conflict(session, lambda s: ingest.delete_source(s, source_id))
    counts, title = written["extracted"], written["title"] or written["url"] or "untitled"
    print(
        f"deleted {source_id} ({title}): {counts['claims']} claims, {counts['mentions']} mentions, "
        f"{counts['relations']} relations"
    )
    return 0


def _keys(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app import keys
    from app.db import get_engine

    with Session(get_engine()) as session, session.begin():
        if args.keys_command == "create":
            key, secret = keys.create_key(session, name=args.name, scope=args.scope)
            print(f"created key {key.id} ({key.name}, scopes: {', '.join(key.scopes)})", file=sys.stderr)
            print(
                "the secret is shown this once; send it as `Authorization: Bearer <secret>`:", file=sys.stderr
            )
            print(secret)
            return 0
        if args.keys_command == "revoke":
            revoked = keys.revoke_key(session, args.id)
            if revoked is None:
                print(f"error: no key with id {args.id}", file=sys.stderr)
                return 1
            print(f"revoked key {revoked.id} ({revoked.name})")
            return 0
        print("id\tname\tscopes\tcreated\tlast used\trevoked")
        for key in keys.list_keys(session):
            cells = (key.created_at, key.last_used_at, key.revoked_at)
            moments = [f"{c:%Y-%m-%d %H:%M}" if c else "-" for c in cells]
            print("\t".join([str(key.id), key.name, ",".join(key.scopes), *moments]))
    return 0


def _reextract(everything: bool) -> int:
    from app.db import get_engine
    from app.extraction.pipeline import EXTRACTOR_VERSION, get_pipeline
    from app.ingest import reextract

    summary = reextract(get_engine(), pipeline=get_pipeline(), everything=everything)
    for message in summary.failed:
        print(f"failed: {message}", file=sys.stderr)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(summary.statuses.items())) or "nothing to do"
    print(
        f"re-extracted with {EXTRACTOR_VERSION}: {summary.selected} sources ({statuses}); "
        f"claims {summary.claims_before} -> {summary.claims_after}"
    )
    return 1 if summary.failed else 0


class _Version(argparse.Action):
    """--version, read only when asked: the extractor's version comes with the pipeline (spaCy)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import version

        from app.extraction.pipeline import EXTRACTOR_VERSION
        from app.migrate import head_revisions

        schema = ", ".join(sorted(head_revisions()))
        print(f"aikb {version('aikb')} (extractor {EXTRACTOR_VERSION}, schema {schema})")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    from app import queries

    parser = argparse.ArgumentParser(
        prog="aikb",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser(
        "load",
        help="apply migrations, then load a folder of articles (sources.json)",
        description="Load the articles a folder's sources.json lists. Exit status: 0 when every article "
        "loaded, 1 when any failed (the others still load), 2 when the folder cannot be read.",
    )
    load.add_argument(
        "path", nargs="?", type=Path, help="folder with sources.json, or that file (default: SEEDS_DIR)"
    )
    sub.add_parser("migrate", help="apply migrations up to head")
    serve = sub.add_parser("serve", help="apply migrations, load the seeds, serve the API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default: 1; about one per core)"
    )
    serve.add_argument("--no-seeds", action="store_true", help="do not load SEEDS_DIR before serving")
    export = sub.add_parser(
        "export",
        help="write claims, entities or relations as NDJSON or CSV (the API's filters)",
        description="Everything that matches, through the API's own export. Filters are the list's query "
        "parameters, e.g. `aikb export claims --topic chips --entity huawei --format csv`.",
    )
    exports = export.add_subparsers(dest="what", required=True)
    for what, model in (
        ("claims", queries.ClaimFilter),
        ("entities", queries.EntityFilter),
        ("relations", queries.RelationFilter),
    ):
        one = exports.add_parser(what, help=f"{what} matching the filters (GET /{what})")
        one.add_argument("--format", choices=("ndjson", "csv"), default="ndjson", help="default: ndjson")
        one.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
        one.add_argument("--limit", type=int, help="write at most this many (default: every match)")
        _filter_options(one, model)
    stats = sub.add_parser("stats", help="sizes of the knowledge base (as GET /stats)")
    stats.add_argument("--json", action="store_true", help="the JSON GET /stats answers")
    delete = sub.add_parser(
        "delete", help="delete a source: its claims, mentions, learned aliases and relations"
    )
    delete.add_argument("source", help="source id (src_…) or the url it was loaded under")
    keys = sub.add_parser("keys", help="API keys: create, list, revoke")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="make a key and print its secret (shown once)")
    create.add_argument("name", help="who or what the key is for")
    create.add_argument("--scope", choices=("read", "write"), default="read", help="write implies read")
    keys_sub.add_parser("list", help="every key with its scopes and dates (never the secret)")
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    reextract = sub.add_parser("reextract", help="extract again the sources another extractor version wrote")
    reextract.add_argument("--all", action="store_true", help="every source, whatever its version")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `aikb` console script."""
    from app.config import get_settings

    args = _parser().parse_args(argv)
    settings = get_settings()
    if args.command in ("export", "keys", "reextract", "stats", "delete"):
        from app.migrate import upgrade

        upgrade(settings.database_url)
        if args.command == "export":
            if args.limit is not None and args.limit < 0:
                print("error: --limit must be 0 or more", file=sys.stderr)
                return 2
            return _export(args.what, args.format, args.output, args.limit, _filter_values(args))
        if args.command == "stats":
            return _stats(args.json)
        if args.command == "delete":
            return _delete(args.source)
        if args.command == "keys":
            return _keys(args)
        return _reextract(args.all)
    if args.command == "load":
        return _load(args.path or settings.seeds_dir)
    if args.command == "migrate":
        from app.migrate import upgrade

        upgrade(settings.database_url)
        return 0
    # Serve even when some seed article failed (reported above); not when the folder is unusable.
    if not args.no_seeds and _load(settings.seeds_dir) == 2:
        return 2
    import uvicorn

    from app.telemetry import log_config

    # JSON lines for uvicorn's loggers too; the per-request line is the app's (AIKB_ACCESS_LOG).
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config(settings.aikb_log_level.upper()),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
