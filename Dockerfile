# aikb: the API in a container. docker/entrypoint.sh migrates, loads the seeds into an empty knowledge base
# (AIKB_LOAD_SEEDS), then serves on 0.0.0.0:$AIKB_PORT. tests/test_image.py repeats these steps without
# Docker (and reads the ENV lines below), so keep the two in agreement.

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Dependencies first, in their own layer: it is rebuilt only when the lock changes. The lock also pins the
# dev tools; scripts/runtime_requirements.py keeps the runtime part of it (same pins).
COPY requirements.lock pyproject.toml ./
COPY scripts/runtime_requirements.py scripts/
RUN python -m venv /opt/venv \
    && python scripts/runtime_requirements.py requirements.lock > /tmp/runtime.txt \
    && /opt/venv/bin/pip install --no-cache-dir -r /tmp/runtime.txt
# Editable: the package runs from /app, next to alembic.ini, migrations/ and seeds/ that it finds there.
COPY README.md alembic.ini ./
COPY app app
COPY migrations migrations
COPY seeds seeds
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation -e .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/aikb.db \
    SEEDS_DIR=/app/seeds \
    AIKB_LOAD_SEEDS=auto \
    AIKB_WORKERS=1 \
    AIKB_HOST=0.0.0.0 \
    AIKB_PORT=8000 \
    AIKB_ACCESS_LOG=false \
    AIKB_LOG_LEVEL=INFO
RUN groupadd --system --gid 10001 aikb \
    && useradd --system --uid 10001 --gid aikb --home-dir /app --no-create-home --shell /usr/sbin/nologin aikb \
    && mkdir /data \
    && chown aikb:aikb /data
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/aikb-entrypoint
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# No curl in the slim image: Python asks /health (the liveness probe) on the port the server listens on.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('AIKB_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["aikb-entrypoint"]
