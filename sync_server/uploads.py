"""Resumable photo uploads (``PUT``/``HEAD /api/v1/media/{sha256}/parts``): partial files on disk.

A partial upload belongs to one photo and one account: ``<media dir>/partial/<sha256>.<owner key>``
(the owner key is the first 16 hex digits of the SHA-256 of the username), so another account can
neither see nor extend it. A chunk is appended only at the file's current end (``start`` must equal
its size, else 409 with the size as ``details.offset``), under one exclusive ``flock`` shared by
every thread and worker process, and fsync'd: a partial survives a server crash, and a chunk sent
twice is never written twice. When the last byte arrives the whole file is checked (``verify``:
type and SHA-256; a failure deletes it) and renamed into the content-addressed store.

Partials untouched for ``max_age`` seconds (7 days) are deleted when they are next looked at, and
all stale ones whenever a new partial starts.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kerawanan.errors import Conflict, InvalidInput
from sync_server.body import too_large
from sync_server.storage.files import MediaFiles, fsync_dir

PARTIAL_MAX_AGE = 7 * 24 * 3600.0
HEAD_BYTES = 16                      # what ``verify`` gets to sniff the type from
_RANGE = re.compile(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})")
_LOCK_NAME = ".lock"


@dataclass(frozen=True, slots=True)
class Span:
    """``Content-Range: bytes start-end/total`` (inclusive ``end``)."""

    start: int
    end: int
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True, slots=True)
class Progress:
    offset: int                      # bytes held after this chunk
    complete: bool                   # the whole photo arrived, checked and stored


def parse_content_range(header: str | None, *, limit: int) -> Span:
    """The chunk's place in the photo; 422 when malformed or inconsistent, 413 when ``total`` > ``limit``."""
    match = _RANGE.fullmatch((header or "").strip())
    if match is None:
        raise _bad_range("Content-Range harus berbentuk 'bytes awal-akhir/total'.",
                         "Content-Range must read 'bytes start-end/total'.", "format")
    start, end, total = (int(group) for group in match.groups())
    if total > limit:
        raise too_large(limit)
    if not start <= end < total:
        raise _bad_range("Content-Range tidak konsisten (awal ≤ akhir < total).",
                         "Inconsistent Content-Range (start ≤ end < total).", "range")
    return Span(start, end, total)


def require_length(span: Span, size: int) -> None:
    if size != span.length:
        raise _bad_range(f"Isi {size} bita, Content-Range menyebut {span.length}.",
                         f"The body holds {size} bytes, Content-Range says {span.length}.", "length")


def offset_mismatch(offset: int) -> Conflict:
    return Conflict("Potongan harus dimulai di posisi unggahan saat ini.",
                    message_en="The chunk must start at the upload's current offset.",
                    code="media.offset_mismatch", details={"offset": offset})


def _bad_range(message: str, message_en: str, reason: str) -> InvalidInput:
    return InvalidInput(message, message_en=message_en, fields={"Content-Range": message},
                        fields_en={"Content-Range": message_en}, reasons={"Content-Range": reason})


class PartialUploads:
    """The partial files under ``<media dir>/partial``; stateless, so cheap to make per request."""

    def __init__(self, files: MediaFiles, *, max_age: float = PARTIAL_MAX_AGE,
                 now: Callable[[], float] = time.time):
        self.files, self.max_age, self.now = files, max_age, now
        self.root = files.root / "partial"

    def path(self, sha256: str, owner: str) -> Path:
        return self.root / f"{sha256}.{hashlib.sha256(owner.encode('utf-8')).hexdigest()[:16]}"

    def offset(self, sha256: str, owner: str) -> int | None:
        """Bytes held of ``owner``'s upload of the photo; None when there is none (or it went stale)."""
        with self._locked():
            return self._size(self.path(sha256, owner))

    def append(self, sha256: str, owner: str, span: Span, data: bytes,
               verify: Callable[[bytes, str], None]) -> Progress:
        """Append ``data`` at ``span.start``; on the last byte ``verify(head, sha256 hex)`` then store."""
        path = self.path(sha256, owner)
        with self._locked():
            size = self._size(path)
            if size is None:
                if span.start != 0:
                    raise offset_mismatch(0)
                self._sweep()
            elif size == span.total and span.start != size:    # all there, not stored yet (a crash)
                self._finish(sha256, path, verify)
                return Progress(size, complete=True)
            elif span.start != size:
                raise offset_mismatch(size)
            size = _append(path, data, fresh=size is None)
            if size == span.total:
                self._finish(sha256, path, verify)
            return Progress(size, complete=size == span.total)

    def sweep(self) -> int:
        """Delete every stale partial; how many went."""
        with self._locked():
            return self._sweep()

    # ------------------------------------------------------------ under the lock

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)                  # closing releases the lock

    def _size(self, path: Path) -> int | None:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        if stat.st_size == 0 or self.now() - stat.st_mtime > self.max_age:
            path.unlink(missing_ok=True)
            return None
        return stat.st_size

    def _sweep(self) -> int:
        gone = 0
        for path in list(self.root.iterdir()):
            if path.name != _LOCK_NAME and self._size(path) is None:
                gone += 1
        return gone

    def _finish(self, sha256: str, path: Path, verify: Callable[[bytes, str], None]) -> None:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            digest.update(head)
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        try:
            verify(head, digest.hexdigest())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self.files.adopt(sha256, path)


def _append(path: Path, data: bytes, *, fresh: bool) -> int:
    """Write ``data`` at the end of ``path`` (created when ``fresh``), fsync; the new size."""
    flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if fresh else 0)
    with os.fdopen(os.open(path, flags, 0o600), "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        size = os.fstat(handle.fileno()).st_size
    if fresh:
        fsync_dir(path.parent)
    return size
