"""SQLite connections: one writer behind a lock, one reader per thread, and time as text.

WAL lets readers run while the writer writes; ``synchronous=FULL`` makes a commit durable, so a
``created`` push result means the report survives a power cut. Every write goes through
``writing()`` (``BEGIN IMMEDIATE`` … ``COMMIT`` under the writer lock), so change numbers are
handed out and committed in order — across processes too, because ``BEGIN IMMEDIATE`` takes
SQLite's write lock for the whole transaction.
"""
from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kerawanan.errors import Unavailable

BUSY_TIMEOUT_MS = 10_000
WRITER_CACHE_KIB = 64 * 1024     # indexes of a big reports table stay in memory for the writer
READER_CACHE_KIB = 8 * 1024
MMAP_BYTES = 256 * 1024 * 1024
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_REGION_CODE = re.compile(r"[0-9]+(\.[0-9]+)*")


def to_db(moment: datetime | None) -> str | None:
    """Fixed-width UTC text: text order is time order."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"   # == TIME_FORMAT, faster


def from_db(text: str | None) -> datetime | None:
    """The aware UTC datetime of a ``to_db`` text (``fromisoformat`` reads it ~20x faster than
    ``strptime``; a pull of 1,000 reports parses 3,000 of them)."""
    if text is None:
        return None
    return datetime.fromisoformat(text)


def _unavailable(error: sqlite3.Error) -> Unavailable:
    return Unavailable("Basis data sedang tidak dapat dipakai; coba lagi sebentar.",
                       message_en="The database is unavailable; try again shortly.",
                       details={"reason": type(error).__name__})


class SqliteConnection(sqlite3.Connection):
    """A ``sqlite3.Connection`` with the three extra doors of PostgreSQL's ``PgConnection``, all open
    already here: ``BEGIN IMMEDIATE`` holds the write lock from the start of every write transaction,
    and a statement costs no round trip."""

    dialect = "sqlite"

    def serialize(self) -> None:
        """Nothing to take: the write transaction holds SQLite's write lock already."""

    def pipeline(self) -> AbstractContextManager[None]:
        return nullcontext()

    def insert_values(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """``executemany`` of one ``INSERT … VALUES (?, …)`` (PostgreSQL sends it as one statement)."""
        self.executemany(sql, rows)


class Database:
    """Connections to one SQLite file."""

    IntegrityError = sqlite3.IntegrityError   # what the storage modules catch (pg: psycopg's)

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.writer = self._connect()
        self._lock_file = os.open(f"{self.path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        self.utils = sqlite_utils.Database(self.writer, execute_plugins=False)
        self.utils.enable_wal()

    def _connect(self, *, readonly: bool = False) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                                   factory=SqliteConnection)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB if readonly else WRITER_CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            if readonly:
                conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as error:
            raise _unavailable(error) from error
        with self._all_lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def writing(self, *, lock_now: bool = True) -> Iterator[SqliteConnection]:
        """One write transaction through the one writer. Storage errors become ``Unavailable``.
        (``lock_now`` is PostgreSQL's: here the write lock is always held from the start.)

        Writers queue on a thread lock, then on an OS file lock shared by every server process
        of this database (woken at once, unlike SQLite's sleeping busy handler).
        """
        with self._lock, self._file_lock():
            conn = self.writer
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise _unavailable(error) from error
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _unavailable(error) from error

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextmanager
    def reading(self, *, warm: bool = False) -> Iterator[sqlite3.Connection]:
        """This thread's reader, inside one read transaction (a consistent snapshot).

        ``warm``: read through the writer instead, holding this process's writers back meanwhile (not
        other processes'). A reader's page cache is emptied by every commit, the writer's keeps the
        pages this process wrote: a short read of what was just written (the alert engine's delta
        after a push) costs half as much there. Never inside a write transaction of the same thread
        (it waits for the writer that thread holds)."""
        if warm:
            with self._lock:
                yield from self._read_in(self.writer)
            return
        conn = getattr(self._local, "reader", None)
        if conn is None:
            conn = self._local.reader = self._connect(readonly=True)
        yield from self._read_in(conn)

    @staticmethod
    def _read_in(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise _unavailable(error) from error

    def close(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


IN_LIST_MAX = 500        # values per ``IN (…)`` list: far under SQLite's and PostgreSQL's parameter limits


def rows_in(conn: Any, sql: str, values: Sequence[Any]) -> list[Any]:
    """The rows of ``sql``, a query ending in ``… IN``, for all ``values``: asked ``IN_LIST_MAX`` at a
    time, so any number of values fits."""
    rows: list[Any] = []
    for start in range(0, len(values), IN_LIST_MAX):
        chunk = list(values[start:start + IN_LIST_MAX])
        rows += conn.execute(f"{sql} ({','.join('?' * len(chunk))})", chunk).fetchall()
    return rows


def subtree_sql(column: str, codes: tuple[str, ...] | list[str]) -> tuple[str, list[str]]:
    """SQL true when ``column`` is one of ``codes`` or under one (the DESIGN scope rule), on both backends.

    Region codes hold only digits and dots, so everything under ``15.72`` lies in the bytewise range
    ``['15.72.', '15.72/')`` ('/' follows '.'): an index range on SQLite and on PostgreSQL (whose text
    columns sort bytewise, ``COLLATE "C"``).
    """
    if not codes:
        return "0 = 1", []
    parts, params = [], []
    for code in codes:
        if not _REGION_CODE.fullmatch(code):
            raise ValueError(f"not a region code: {code!r}")
        parts.append(f"({column} = ? OR ({column} >= ? AND {column} < ?))")
        params.extend((code, f"{code}.", f"{code}/"))
    return "(" + " OR ".join(parts) + ")", params
