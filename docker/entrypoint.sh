#!/bin/sh
# The image's entrypoint: apply migrations, load the seeds into an empty knowledge base, serve.
#   AIKB_LOAD_SEEDS  auto (default: only when the database holds no source) | always | never
#   AIKB_WORKERS     uvicorn worker processes (default 1)
#   AIKB_HOST, AIKB_PORT   where to listen (default 0.0.0.0:8000)
# Arguments, if any, replace the server command (e.g. `docker compose run --rm app aikb load /articles`).
set -eu

AIKB_LOAD_SEEDS="${AIKB_LOAD_SEEDS:-auto}"
AIKB_WORKERS="${AIKB_WORKERS:-1}"
AIKB_HOST="${AIKB_HOST:-0.0.0.0}"
AIKB_PORT="${AIKB_PORT:-8000}"

# Same JSON lines as the server's logs (messages here hold no quotes or backslashes).
log() {
    printf '{"ts":"%s","level":"%s","logger":"aikb.entrypoint","msg":"%s","request_id":null}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" "$1" "$2" >&2
}

case "$AIKB_LOAD_SEEDS" in
    auto | always | never) ;;
    *)
        log ERROR "AIKB_LOAD_SEEDS must be auto, always or never, not $AIKB_LOAD_SEEDS"
        exit 64
        ;;
esac

# SQLite writes its database and journal next to each other: the folder must be writable by this user. A
# host folder bind-mounted on /data keeps its owner, usually not uid 10001; say so in one line rather than
# let the migration fail with a traceback.
case "${DATABASE_URL:-}" in
    sqlite*:///*)
        database="${DATABASE_URL#*///}"
        database="${database%%\?*}"
        folder="$(dirname "$database")"
        mkdir -p "$folder" 2>/dev/null || true
        if [ ! -w "$folder" ] || { [ -e "$database" ] && [ ! -w "$database" ]; }; then
            log ERROR "$folder is not writable by uid $(id -u): chown -R $(id -u) the host folder mounted there, or run the container with --user set to its owner"
            exit 73
        fi
        ;;
esac

log INFO "applying migrations"
aikb migrate

if [ "$AIKB_LOAD_SEEDS" = auto ]; then
    sources="$(python -c 'from sqlalchemy import text
from app.db import get_engine
with get_engine().connect() as connection:
    print(connection.execute(text("SELECT count(*) FROM source")).scalar_one())')"
    if [ "$sources" = 0 ]; then
        AIKB_LOAD_SEEDS=always
    else
        log INFO "the knowledge base holds $sources sources: not loading the seeds"
    fi
fi
if [ "$AIKB_LOAD_SEEDS" = always ]; then
    log INFO "loading the seeds"
    aikb load
fi

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

# Several workers share their metrics through files (prometheus_client's multiprocess mode).
if [ "$AIKB_WORKERS" -gt 1 ] && [ -z "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    export PROMETHEUS_MULTIPROC_DIR="${TMPDIR:-/tmp}/aikb-metrics"
fi
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

log INFO "serving on $AIKB_HOST:$AIKB_PORT with $AIKB_WORKERS worker(s)"
exec aikb serve --no-seeds --host "$AIKB_HOST" --port "$AIKB_PORT" --workers "$AIKB_WORKERS"
