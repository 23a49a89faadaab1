"""The `aikb` command: migrate, load articles, serve."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    args = parser.parse_args(argv)
    settings = get_settings()
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

    from app.observability import log_config

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
