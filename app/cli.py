"""The `aikb` command: migrate, load articles, serve, export, manage API keys, re-extract."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["main"]


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
        print(f"skipped: {message}", file=sys.stderr)
    print(summary.line())
    return 1 if summary.failed and not (summary.new or summary.changed or summary.unchanged) else 0


@contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with path.open("wb") as handle:
        yield handle


def _export(what: str, fmt: str, path: Path | None) -> int:
    """Every claim, entity or relation through the API's own export (the same rows, batches and columns)."""
    from app import queries
    from app.api.formats import export_lines
    from app.db import get_engine

    lists: dict[str, tuple[Any, type[queries.PageParams]]] = {
        "claims": (queries.claim_items, queries.ClaimFilter),
        "entities": (queries.list_entities, queries.EntityFilter),
        "relations": (queries.list_relations, queries.RelationFilter),
    }
    list_items, params = lists[what]

    def batch(session: Any, cursor: str | None, n: int) -> Any:
        # Not validated: an export reads EXPORT_BATCH at a time, beyond a page's limit.
        return list_items(session, params().model_copy(update={"cursor": cursor, "limit": n}))

    with _output(path) as out:
        for line in export_lines(get_engine(), fmt, None, batch):  # type: ignore[arg-type]
            out.write(line)
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `aikb` console script."""
    from app.config import get_settings

    parser = argparse.ArgumentParser(prog="aikb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="apply migrations, then load a folder of articles (sources.json)")
    load.add_argument("path", nargs="?", type=Path, help="folder with sources.json (default: seeds/)")
    sub.add_parser("migrate", help="apply migrations up to head")
    serve = sub.add_parser("serve", help="apply migrations, load the seeds, serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-seeds", action="store_true", help="do not load seeds/ before serving")
    export = sub.add_parser("export", help="write every claim, entity or relation as NDJSON or CSV")
    export.add_argument("what", choices=("claims", "entities", "relations"))
    export.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
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
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command in ("export", "keys", "reextract"):
        from app.migrate import upgrade

        upgrade(settings.database_url)
        if args.command == "export":
            return _export(args.what, args.format, args.output)
        if args.command == "keys":
            return _keys(args)
        return _reextract(args.all)
    if args.command == "load":
        return _load(args.path or settings.seeds_dir)
    if args.command == "migrate":
        from app.migrate import upgrade

        upgrade(settings.database_url)
        return 0
    if not args.no_seeds:
        code = _load(settings.seeds_dir)
        if code:
            return code
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
