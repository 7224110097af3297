"""PostgreSQL connections (psycopg 3 and its pool) behind the same two doors as SQLite's ``Database``.

``writing()`` is one write transaction; ``reading()`` one read-only snapshot (REPEATABLE READ), as in
the SQLite backend, so the storage modules run unchanged on both. Every write transaction takes one
transaction-scoped advisory lock shared by every server node before it writes: writes are serialised
across nodes as SQLite serialises them across processes, so change numbers are handed out and
committed in order (a puller never skips a number a slower transaction commits later) and every
read-then-write of the storage modules stays as safe as it is on SQLite. Readers never wait for it.
Most writers take it first thing; the push takes it only when it numbers its changes (``serialize()``,
called by ``seq_floor``), after reading which of its ids are known, and sends its writes in one round
trip (``pipeline()``, ``insert_values()``): the lock is held ~3 round trips per push, not ~10.

The storage modules write portable SQL with ``?`` placeholders; ``PgConnection`` turns them into
PostgreSQL's ``$1``… once per statement text (cached), runs them on a ``RawCursor`` and adapts
``bool`` to the 0/1 integers both schemas store. Driver errors become the app's own at this seam: a
lost server or an exhausted pool is ``Unavailable`` (503 with Retry-After); ``IntegrityError`` stays
catchable as ``Database.IntegrityError`` (the storage modules catch that, never a driver's class).
"""
from __future__ import annotations

import functools
import re
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
    """``?`` placeholders outside quotes become PostgreSQL's own ``$1``, ``$2``, … (run by a
    ``psycopg.RawCursor``: psycopg then parses no query text, which for a query of 100 ids it would do
    on every call — it caches only queries of at most 50 parameters)."""
    out, quote, number = [], "", 0
    for char in sql:
        if quote:
            out.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            number += 1
            out.append(f"${number}")
        else:
            out.append(char)
    return "".join(out)


def _refused(error: Exception) -> InvalidInput:
    """A value PostgreSQL cannot take (text with a NUL character, a number out of range) came from the
    request: a 422 like any bad input, never a 500. (A path holding NUL never gets here: it is a 404 on
    every backend before any route, ``sync_server.errors.NulPathNotFound``.)"""
    return InvalidInput("Nilai yang dikirim tidak dapat diproses basis data (mis. karakter NUL).",
                        message_en=f"A value the database cannot take ({type(error).__name__}).")


_INSERT = re.compile(r"\s*INSERT\s+INTO\s+(?P<table>\w+)\s*\((?P<columns>[\w\s,]+)\)\s*"
                     r"VALUES\s*\((?:\?|,|\s)*\)(?P<tail>[^?]*)", re.S | re.I)
_UNNEST: dict[str, str] = {}     # INSERT … VALUES text -> its unnest statement (column types are the schema's)


def _unnest_statement(raw: psycopg.Connection, sql: str) -> str:
    """``INSERT INTO t (a, b) VALUES (?, ?) <tail>`` → ``INSERT INTO t (a, b) SELECT * FROM
    unnest(%b::<type of a>[], %b::<type of b>[]) <tail>`` (arrays sent in binary: no text escaping),
    the types read once from the catalog."""
    statement = _UNNEST.get(sql)
    if statement is None:
        match = _INSERT.fullmatch(sql)
        if match is None:
            raise ValueError(f"not a plain INSERT INTO t (…) VALUES (?, …): {sql[:80]!r}")
        names = [name.strip() for name in match["columns"].split(",")]
        types = dict(raw.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                                 "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                                 (match["table"],)).fetchall())
        arrays = ", ".join(f"%b::{types[name]}[]" for name in names)
        statement = (f"INSERT INTO {match['table']} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
                     f"{match['tail'].replace('%', '%%')}")
        _UNNEST[sql] = statement
    return statement


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
    """The subset of ``sqlite3.Connection`` the storage modules use, over a psycopg connection, and
    the three doors ``SqliteConnection`` has too: ``serialize()``, ``pipeline()``, ``insert_values()``."""

    __slots__ = ("raw", "serialized")
    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw
        self.serialized = False

    def serialize(self) -> None:
        """Take the write lock of every node now, if this transaction has not yet (``seq_floor`` does,
        so no change is ever numbered without it). Statements after it see every commit made before it
        was granted: writers run READ COMMITTED, a fresh snapshot per statement."""
        if not self.serialized:
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            self.serialized = True

    def pipeline(self) -> psycopg.Pipeline:
        """Statements inside go to the server together and are answered at the block's end: one round
        trip for many (their errors, e.g. a unique violation, surface at the end of the block)."""
        return self.raw.pipeline()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.RawCursor:
        cursor = psycopg.RawCursor(self.raw)
        try:
            cursor.execute(pg_sql(sql), _params(params))
        except psycopg.DataError as error:
            raise _refused(error) from error
        return cursor

    def insert_values(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One ``INSERT … VALUES (?, …) [ON CONFLICT …]`` for many rows, sent as ONE statement that
        inserts from ``unnest`` of one array per column: PostgreSQL plans and runs it once for all the
        rows (a statement per row costs it about as much again as the row), and psycopg converts a
        query of a few parameters, not thousands. The rows must not repeat a key that an ``ON CONFLICT
        DO UPDATE`` updates (one statement cannot update a row twice)."""
        if not rows:
            return
        statement = _unnest_statement(self.raw, sql)
        columns = [[_value(value) for value in column] for column in zip(*rows, strict=True)]
        try:
            self.raw.cursor().execute(statement, columns)
        except psycopg.DataError as error:
            raise _refused(error) from error

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.RawCursor:
        cursor = psycopg.RawCursor(self.raw)
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
    def writing(self, *, lock_now: bool = True) -> Iterator[PgConnection]:
        """One write transaction, serialised with every other node's by the advisory write lock.

        ``lock_now=False`` defers the lock to ``serialize()`` (``seq_floor`` calls it): the reads before
        it run unserialised, for a caller whose writes fail on a unique key if those reads went stale
        (the push: a report id stored meanwhile by another node), which then retries."""
        with self._connection(self.writers) as raw:
            try:
                with raw.transaction():
                    conn = PgConnection(raw)
                    if lock_now:
                        conn.serialize()
                    yield conn
            except psycopg.OperationalError as error:
                raise _unavailable(error) from error

    @contextmanager
    def reading(self, *, warm: bool = False) -> Iterator[PgConnection]:
        """One read-only snapshot (REPEATABLE READ): every statement inside sees the same commit.
        (``warm`` is SQLite's: every connection here reads from the server's shared buffers.)"""
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
