"""SQL written by hand, one way: statements are text, values only ever travel as named parameters collected
by `Sql`, and `Db` runs them over the driver's own connection (no SQLAlchemy per statement: on the claim
read path and the bulk writes of ingest its bookkeeping costs more than the database's work).

The claim queries, the read projection and the ingest writes all use this; reads that want SQLAlchemy's
result typing (dates and JSON columns as Python values) stay in SQLAlchemy Core (`app.queries.lists`,
`app.ingest.catalog`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.db import start_statement_clock, time_limit_of

__all__ = ["Db", "Sql", "stored_day", "stored_json", "stored_moment"]


class Sql:
    """The parameters of one statement: each call adds a value and returns its placeholder, named in the
    driver's style (`:p0` for sqlite3, `%(p0)s` for psycopg), so user values never become SQL text."""

    __slots__ = ("params", "sqlite")

    def __init__(self, *, sqlite: bool) -> None:
        self.sqlite = sqlite
        self.params: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return self.named(name)

    def named(self, name: str) -> str:
        """The placeholder of a parameter bound by name: each row of an executemany is a dict of these."""
        return f":{name}" if self.sqlite else f"%({name})s"

    def each(self, values: Iterable[Any]) -> str:
        """`(…, …)`: one placeholder per value, for IN."""
        return "(" + ", ".join(self(v) for v in values) + ")"

    def day(self, value: date | None) -> str:
        return self(stored_day(value, sqlite=self.sqlite))

    def moment(self, value: datetime) -> str:
        return self(stored_moment(value, sqlite=self.sqlite))

    def json(self, value: Any) -> str:
        return self(stored_json(value))


# Values as their columns hold them, the same as SQLAlchemy's types write them, so that Core reads them back.


def stored_day(value: date | None, *, sqlite: bool) -> Any:
    """A date (SQLite: ISO text; PostgreSQL: a date)."""
    return value.isoformat() if sqlite and value is not None else value


def stored_moment(value: datetime, *, sqlite: bool) -> Any:
    """A UTC timestamp (SQLite: SQLAlchemy's text form, without the zone; PostgreSQL: timestamptz)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value


def stored_json(value: Any) -> str:
    """A value of a JSON column: its text (PostgreSQL casts it)."""
    return orjson.dumps(value).decode()


class Db:
    """A DBAPI connection and how to talk to it: its dialect and the statement time limit (ms, 0: none).
    Built over a pooled raw connection (the API's reads) or over a Session's connection (in its
    transaction: the caller commits)."""

    __slots__ = ("connection", "sqlite", "time_limit_ms")

    def __init__(self, dbapi_connection: Any, dialect: str, time_limit_ms: int = 0) -> None:
        self.connection = dbapi_connection
        self.sqlite = dialect == "sqlite"
        self.time_limit_ms = time_limit_ms

    @classmethod
    def of(cls, bind: Session | Connection) -> Db:
        """The connection a Session (or Connection) works on, in its transaction."""
        connection = bind.connection() if isinstance(bind, Session) else bind
        limit = time_limit_of(connection.engine)
        return cls(connection.connection.driver_connection, connection.dialect.name, limit)

    def sql(self) -> Sql:
        """A parameter collector for one statement on this connection."""
        return Sql(sqlite=self.sqlite)

    def rows(self, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every row the statement returns."""
        if self.time_limit_ms:
            start_statement_clock(self.connection, self.time_limit_ms)
        cursor = self.connection.execute(statement, params) if params else self.connection.execute(statement)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def execute(self, statement: str, params: dict[str, Any] | None = None) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        cursor = self.connection.execute(statement, params) if params else self.connection.execute(statement)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(self, statement: str, rows: Iterable[Any]) -> None:
        """The statement once per row; rows bind by the names of `Sql.named`."""
        rows = list(rows)
        if not rows:
            return
        cursor = self.connection.cursor()
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()

    def insert_many(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        skip_existing: bool = False,
    ) -> None:
        """Insert rows (tuples in `columns` order) with one executemany. With `skip_existing`, a row whose key
        another transaction has inserted is skipped instead of failing (ON CONFLICT DO NOTHING). The one
        statement written here with positional placeholders: rows stay the tuples they are, since binding
        hundreds of rows by name is a measurable share of an article's ingest (docs/PERFORMANCE.md)."""
        mark = "?" if self.sqlite else "%s"
        names = ", ".join(f'"{c}"' for c in columns)
        conflict = " ON CONFLICT DO NOTHING" if skip_existing else ""
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(mark for _ in columns)}){conflict}'
        self.execute_many(statement, rows)
