# aikb: the API in a container. docker/entrypoint.sh migrates, loads the seeds into an empty knowledge base
# (AIKB_LOAD_SEEDS), then serves on 0.0.0.0:$AIKB_PORT. tests/test_image.py repeats these steps without
# Docker (and reads the ENV lines below), so keep the two in agreement; tests/test_docker.py builds and runs
# the image itself. No BuildKit-only syntax (COPY --chmod, RUN --mount, heredocs): the legacy builder, which
# docker-compose 1.29 and clients without buildx use, builds it too.

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# strip (binutils), for the environment's compiled extensions below. This stage is thrown away, so the
# version is left to the base image's Debian release rather than pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, in their own layer: it is rebuilt only when the lock changes. The lock also pins the
# dev tools; scripts/runtime_requirements.py keeps the runtime part of it (same pins). Wheels ship their
# extensions with debug symbols (spaCy, blis, thinc, uvloop: 3.9 MB for a 0.5 MB tokenizer), stripped here;
# the vendored libraries in *.libs/ are left alone (auditwheel patched them, and strip can break those).
# Test suites shipped inside packages are dropped too.
COPY requirements.lock pyproject.toml ./
COPY scripts/runtime_requirements.py scripts/
RUN python -m venv /opt/venv \
    && python scripts/runtime_requirements.py requirements.lock > /tmp/runtime.txt \
    && /opt/venv/bin/pip install --no-cache-dir -r /tmp/runtime.txt \
    && find /opt/venv/lib -name '*.so' -not -path '*.libs/*' -exec strip --strip-unneeded {} + \
    && find /opt/venv/lib -depth -type d -name tests -path '*/site-packages/*/tests' -exec rm -rf {} +
# Editable: the package runs from /app, next to alembic.ini, migrations/ and seeds/ that it finds there.
# Then pip and setuptools leave the environment: nothing installs into it at run time. (spaCy and thinc
# declare setuptools, but only `spacy package`, which builds model packages, imports it.)
COPY README.md alembic.ini ./
COPY app app
COPY migrations migrations
COPY seeds seeds
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools \
    && rm -f /opt/venv/bin/activate* /opt/venv/bin/Activate.ps1

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
# A regular (not --system) user: system ids stop at 999, and useradd warns about 10001. -l: no lastlog
# entry, which for a high uid is a large sparse file.
RUN groupadd --gid 10001 aikb \
    && useradd --uid 10001 --gid aikb --no-log-init --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin aikb \
    && mkdir /data \
    && chown aikb:aikb /data
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
# Executable in git (mode 0755), and COPY keeps the mode.
COPY docker/entrypoint.sh /usr/local/bin/aikb-entrypoint
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# No curl in the slim image: Python asks /health (the liveness probe) on the port the server listens on.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('AIKB_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["aikb-entrypoint"]
