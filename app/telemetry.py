"""Logs, request ids and metrics: JSON log lines carrying the request id, and Prometheus instruments.

No web framework here: app/api/observability.py is the ASGI middleware that feeds these, `aikb serve`
installs the log configuration.
"""

from __future__ import annotations

import logging
import os
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import orjson
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Connection, text

__all__ = [
    "REQUEST_ID",
    "HttpMetrics",
    "JsonFormatter",
    "RequestIdFilter",
    "exposition",
    "kb_size_families",
    "kb_sizes",
    "log_config",
    "new_request_id",
    "valid_request_id",
]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# A client's id is echoed into headers and logs: printable, no separators a log parser could trip on.
_VALID_ID = re.compile(rb"[A-Za-z0-9._:@+=-]{1,128}")
# Not a secret, only unique enough to find one request's lines: a per-process random prefix and a counter
# cost a fraction of uuid4() (which reads os.urandom on every call).
_ID_PREFIX = f"{random.SystemRandom().getrandbits(48):012x}"
_ids = iter(range(1, sys.maxsize))


def _reseed_ids() -> None:
    global _ID_PREFIX, _ids
    _ID_PREFIX = f"{random.SystemRandom().getrandbits(48):012x}"
    _ids = iter(range(1, sys.maxsize))


os.register_at_fork(after_in_child=_reseed_ids)  # a forked worker must not repeat its parent's ids


def valid_request_id(raw: bytes) -> str | None:
    """The client's X-Request-ID when it is 1-128 safe characters, else None (a new one is made)."""
    return raw.decode("ascii") if _VALID_ID.fullmatch(raw) else None


def new_request_id() -> str:
    """A fresh id: unique across processes (random prefix), ordered within one (counter)."""
    return f"{_ID_PREFIX}-{next(_ids):x}"


# --- logs ------------------------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured duplicate of msg
    "taskName",
}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, the record's extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


def _iso(created: float) -> str:
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A logging.config.dictConfig: JSON lines on stderr for the app and uvicorn's own loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            # uvicorn installs handlers of its own on these; route them to the one JSON handler instead.
            name: {"handlers": [], "propagate": True, "level": level}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        }
        # /ready reads the migration scripts once per process; Alembic announces its plugins at INFO.
        | {"alembic": {"level": "WARNING"}},
        "root": {"handlers": ["stderr"], "level": level},
    }


# --- metrics ---------------------------------------------------------------------------------------------

# Request latencies of a read API: most between 1 and 50 ms, the slow tail up to seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# `_created` series double the output and no dashboard here uses them.
disable_created_metrics()  # type: ignore[no-untyped-call]
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _multiprocess_dir() -> str | None:
    # prometheus_client keeps values in files there (set by docker/entrypoint.sh with several workers).
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class HttpMetrics:
    """Request counts and latencies by method, route template and status, in a registry of their own.

    Label values are bounded: the route is a template (`/claims/{claim_id}`) or `unmatched`, unknown
    methods count as `other`. Labelled children are looked up once per label set and kept, so a request
    costs one dict lookup, one counter increment and one histogram observation."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "aikb_http_requests_total",
            "HTTP requests served, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "aikb_http_request_duration_seconds",
            "Time from receiving an HTTP request to sending its last byte.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        if _multiprocess_dir() is None:
            ProcessCollector(registry=self.registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request and record its latency."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            label = method if method in _METHODS else "other"
            children = (
                self.requests.labels(label, route, str(status)),
                self.latency.labels(label, route, str(status)),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


KB_TABLES = ("source", "claim", "entity", "relation")
KB_KINDS = ("sources", "claims", "entities", "relations")
# One round trip; count(*) walks the smallest index of each table (no per-scrape joins or grouping).
_KB_SIZES = text("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in KB_TABLES))


def kb_sizes(*, connection: Connection) -> dict[str, int]:
    """Rows in each knowledge-base table: sources, claims, entities, relations."""
    row = connection.execute(_KB_SIZES).one()
    return {kind: int(count) for kind, count in zip(KB_KINDS, row, strict=True)}


def kb_size_families(sizes: dict[str, int]) -> list[Metric]:
    """Gauges of the knowledge base's sizes (rows per table), measured at scrape time."""
    gauge = GaugeMetricFamily("aikb_kb_rows", "Rows in the knowledge base, by kind.", labels=["kind"])
    for kind, count in sizes.items():
        gauge.add_metric([kind], count)
    return [gauge]


def exposition(metrics: HttpMetrics, extra: Iterable[Metric] = ()) -> bytes:
    """The Prometheus text format of the HTTP metrics (every worker's, with several) plus `extra`."""
    if _multiprocess_dir() is not None:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = metrics.registry
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Families(extra))
    return generate_latest(registry) + generate_latest(scrape)
