"""PostgreSQL connections (psycopg 3 and its pool) behind the same two doors as SQLite's ``Database``.

``writing()`` is one write transaction; ``reading()`` one read-only snapshot (REPEATABLE READ), as in
the SQLite backend, so the storage modules run unchanged on both. Every write transaction first takes
one transaction-scoped advisory lock shared by every server node: writes are serialised across nodes
as SQLite serialises them across processes, so change numbers are handed out and committed in order
(a puller never skips a number a slower transaction commits later) and every read-then-write of the
storage modules stays as safe as it is on SQLite. Readers never wait for it.

The storage modules write portable SQL with ``?`` placeholders; ``PgConnection`` turns them into
psycopg's ``%s`` once per statement text (cached) and adapts ``bool`` to the 0/1 integers both
schemas store. Driver errors become the app's own at this seam: a lost server or an exhausted pool is
``Unavailable`` (503 with Retry-After); ``IntegrityError`` stays catchable as ``Database.IntegrityError``
(the storage modules catch that, never a driver's class).
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool

from kerawanan.errors import InvalidInput, Unavailable

WRITE_LOCK = 0x5045_5441_0001       # "PETA" 1: the write transaction lock of every node
POOL_TIMEOUT_S = 10.0               # a request waits at most this long for a connection
CONNECT_TIMEOUT_S = 5


def _unavailable(error: Exception) -> Unavailable:
    return Unavailable("Basis data sedang tidak dapat dipakai; coba lagi sebentar.",
                       message_en="The database is unavailable; try again shortly.",
                       details={"reason": type(error).__name__})


@functools.lru_cache(maxsize=2048)
def pg_sql(sql: str) -> str:
    """``?`` placeholders outside quotes become ``%s``; a literal ``%`` becomes ``%%``."""
    out, quote = [], ""
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def _refused(error: Exception) -> InvalidInput:
    """A value PostgreSQL cannot take (text with a NUL character, a number out of range) came from the
    request: a 422 like any bad input, never a 500. SQLite stores or compares such a value instead, so
    the answer differs by backend (e.g. a report id with ``%00`` in its path: 404 there, 422 here)."""
    return InvalidInput("Nilai yang dikirim tidak dapat diproses basis data (mis. karakter NUL).",
                        message_en=f"A value the database cannot take ({type(error).__name__}).")


def _value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _params(params: Sequence[Any] | None) -> Sequence[Any]:
    if not params:
        return ()
    return [_value(value) for value in params]


def _read_only(conn: psycopg.Connection) -> None:
    """A reader's transactions begin ``REPEATABLE READ READ ONLY``: its session stays writable, so a
    multi-host URL with ``target_session_attrs=read-write`` still finds the primary."""
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True


class PgConnection:
    """The subset of ``sqlite3.Connection`` the storage modules use, over a psycopg connection."""

    __slots__ = ("raw",)
    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor:
        cursor = self.raw.cursor()
        try:
            cursor.execute(pg_sql(sql), _params(params))
        except psycopg.DataError as error:
            raise _refused(error) from error
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor:
        cursor = self.raw.cursor()
        try:
            cursor.executemany(pg_sql(sql), [_params(row) for row in rows])
        except psycopg.DataError as error:
            raise _refused(error) from error
        return cursor


class Database:
    """Pooled connections to one PostgreSQL database, shared by this process's threads."""

    dialect = "postgresql"
    IntegrityError = psycopg.IntegrityError

    def __init__(self, url: str, *, max_size: int = 8):
        self.url = url
        self._closed = threading.Event()
        try:
            # One plain connection first: a wrong URL fails at once with the server's reason
            # (refused, no such database, bad password) instead of a pool timeout 10 s later.
            psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S).close()
            self.writers = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=max_size, open=True, timeout=POOL_TIMEOUT_S, name="peta-writers",
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S})
            self.readers = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=max_size, open=True, timeout=POOL_TIMEOUT_S, name="peta-readers",
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S}, configure=_read_only)
            self.writers.wait(CONNECT_TIMEOUT_S * 2)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as error:
            self.close()
            raise _unavailable(error) from error

    @contextmanager
    def writing(self) -> Iterator[PgConnection]:
        """One write transaction, serialised with every other node's by the advisory write lock."""
        with self._connection(self.writers) as raw:
            try:
                with raw.transaction():
                    raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    yield PgConnection(raw)
            except psycopg.OperationalError as error:
                raise _unavailable(error) from error

    @contextmanager
    def reading(self) -> Iterator[PgConnection]:
        """One read-only snapshot (REPEATABLE READ): every statement inside sees the same commit."""
        with self._connection(self.readers) as raw:
            try:
                with raw.transaction():
                    yield PgConnection(raw)
            except psycopg.OperationalError as error:
                raise _unavailable(error) from error

    @contextmanager
    def autocommit(self) -> Iterator[PgConnection]:
        """A connection outside any transaction (DDL of migrations, LISTEN/NOTIFY, advisory locks)."""
        with self._connection(self.writers) as raw:
            try:
                yield PgConnection(raw)
            except psycopg.OperationalError as error:
                raise _unavailable(error) from error

    @contextmanager
    def _connection(self, pool: psycopg_pool.ConnectionPool) -> Iterator[psycopg.Connection]:
        try:
            with pool.connection() as raw:
                yield raw
        except (psycopg_pool.PoolTimeout, psycopg_pool.PoolClosed) as error:
            raise _unavailable(error) from error
        except psycopg.OperationalError as error:
            raise _unavailable(error) from error

    def close(self) -> None:
        self._closed.set()
        for name in ("writers", "readers"):
            pool = getattr(self, name, None)
            if pool is not None:
                pool.close()
