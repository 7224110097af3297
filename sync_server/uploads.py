"""Resumable photo uploads (``PUT``/``HEAD /api/v1/media/{sha256}/parts``): partial files on disk.

A partial upload belongs to one photo and one account: ``<media dir>/partial/<sha256>.<owner key>``
(the owner key is the first 16 hex digits of the SHA-256 of the username), so another account can
neither see nor extend it. A request appends only at the file's current end (``start`` must equal
its size, else 409 with the size as ``details.offset``) and streams its body into the file as it
arrives. While it does, it holds an exclusive ``flock`` on that partial file, taken without waiting:
a second request for the same partial is answered ``409 media.upload_in_progress`` at once, never
queued behind an upload that takes a minute on 2G. A body cut midway — the client disconnects, or
sends nothing for ``idle`` seconds — keeps the bytes that arrived (fsync'd; the offset is what was
written); a body longer than its ``Content-Range`` keeps nothing of that request. When the last
byte arrives the whole file is checked (``verify``: type and SHA-256; a failure deletes it) and
renamed into the content-addressed store.

Short steps — finding, creating, sweeping, completing and deleting partials — run under one more
exclusive ``flock`` (``partial/.lock``) shared by every thread and worker process, held for
milliseconds, never while a body is read. Partials untouched for ``max_age`` seconds (7 days) are
deleted when they are next looked at, and all stale ones whenever a new partial starts.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import ClientDisconnect, Request

from kerawanan.errors import Conflict, InvalidInput, KerawananError, UnsupportedMediaType
from sync_server.body import GZIP_SLACK, gunzip, too_large
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
    offset: int                      # bytes held after this request
    complete: bool                   # the whole photo arrived, checked and stored


class Cut(Exception):
    """The body stopped before its end: ``reason`` is ``disconnected`` or ``idle``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_content_range(header: str | None, *, limit: int) -> Span:
    """The body's place in the photo; 422 when malformed or inconsistent, 413 when ``total`` > ``limit``."""
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


def too_long(span: Span) -> InvalidInput:
    return _bad_range(f"Isi lebih panjang dari {span.length} bita yang disebut Content-Range.",
                      f"The body is longer than the {span.length} bytes Content-Range says.", "length")


def offset_mismatch(offset: int) -> Conflict:
    return Conflict("Potongan harus dimulai di posisi unggahan saat ini.",
                    message_en="The chunk must start at the upload's current offset.",
                    code="media.offset_mismatch", details={"offset": offset})


def upload_in_progress(offset: int) -> Conflict:
    return Conflict("Foto ini sedang diunggah oleh permintaan lain; coba lagi sebentar lagi.",
                    message_en="Another request is uploading this photo; try again shortly.",
                    code="media.upload_in_progress", details={"offset": offset})


def idle_timeout(seconds: float, offset: int) -> KerawananError:
    error = KerawananError(f"Tidak ada data selama {seconds:g} detik; bita yang sudah tiba disimpan.",
                           message_en=f"No data for {seconds:g} seconds; the bytes that arrived are kept.",
                           code="request.timeout", details={"offset": offset, "idle_seconds": seconds})
    error.status = 408
    return error


def _bad_range(message: str, message_en: str, reason: str) -> InvalidInput:
    return InvalidInput(message, message_en=message_en, fields={"Content-Range": message},
                        fields_en={"Content-Range": message_en}, reasons={"Content-Range": reason})


def decoded_body(request: Request, span: Span, *, limit: int, idle: float) -> AsyncIterator[bytes]:
    """The body as it arrives (a gzip'd one whole, decoded: the range counts decoded bytes); 415 for
    another encoding, 422 when ``Content-Length`` already says it is longer than the span."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise UnsupportedMediaType("Content-Encoding hanya gzip.",
                                   message_en="The only Content-Encoding accepted is gzip.",
                                   details={"expected": "gzip"})
    declared = request.headers.get("content-length", "")
    if encoding != "gzip" and declared.isdigit() and int(declared) > span.length:
        require_length(span, int(declared))           # refused before a byte is read
    chunks = body_chunks(request, idle=idle)
    return gunzipped(chunks, limit=limit) if encoding == "gzip" else chunks


async def body_chunks(request: Request, *, idle: float) -> AsyncIterator[bytes]:
    """The raw body as it arrives; ``Cut`` when the client goes away or sends nothing for ``idle`` s
    (uvicorn itself would wait for the rest of a body forever)."""
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), idle)
        except StopAsyncIteration:
            return
        except ClientDisconnect:
            raise Cut("disconnected") from None
        except TimeoutError:
            raise Cut("idle") from None
        if chunk:
            yield chunk


async def gunzipped(chunks: AsyncIterator[bytes], *, limit: int) -> AsyncIterator[bytes]:
    """A gzip'd body decoded whole (all or nothing: a cut gzip body keeps nothing)."""
    raw, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit + GZIP_SLACK:
            raise too_large(limit)
        raw.append(chunk)
    yield gunzip(b"".join(raw), limit=limit)


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
        return self.state(sha256, owner)[0]

    def state(self, sha256: str, owner: str) -> tuple[int | None, bool]:
        """``offset`` and whether a request is writing to the partial right now."""
        path = self.path(sha256, owner)
        with self._locked():
            size = self._size(path)
            busy = _held(path)
            return (0 if busy and size is None else size), busy     # held but empty: a request just began

    def open(self, sha256: str, owner: str, span: Span) -> Partial:
        """This request's hold on the partial: 409 ``upload_in_progress`` when another request holds
        it, 409 ``offset_mismatch`` when ``span.start`` is not its end. Close it (``Partial.close``)."""
        path = self.path(sha256, owner)
        with self._locked():
            size = self._size(path)
            if size is None and span.start != 0:
                raise offset_mismatch(0)
            if size is None:
                self._sweep()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise upload_in_progress(size or 0) from None
            partial = Partial(self, sha256, path, fd, span)
            if size is None:
                fsync_dir(self.root)
            if partial.start != span.start and not partial.full:
                partial.close_locked()
                raise offset_mismatch(partial.start)
        return partial

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
        """The partial's size; None when missing, empty (a request that has not written yet) or stale
        (deleted: a request holding a partial writes to it, so it is never 7 days old)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        if self.now() - stat.st_mtime > self.max_age:
            path.unlink(missing_ok=True)
            return None
        return stat.st_size or None

    def _sweep(self) -> int:
        gone = 0
        for path in list(self.root.iterdir()):
            if path.name != _LOCK_NAME and self._size(path) is None and not path.exists():
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


class Partial:
    """One request's exclusive hold on a partial file (its ``flock``), appending at its end."""

    def __init__(self, uploads: PartialUploads, sha256: str, path: Path, fd: int, span: Span):
        self.uploads, self.sha256, self.path, self.fd, self.span = uploads, sha256, path, fd, span
        self.start = self.size = os.fstat(fd).st_size
        self.full = self.size == span.total            # every byte there, not stored yet (a crash)

    async def receive(self, chunks: AsyncIterator[bytes], judge: Callable[[bytes], None],
                      sniff_bytes: int) -> str | None:
        """Append the body as it arrives; the reason it was cut (``Cut.reason``), or None. The first
        ``sniff_bytes`` of a new upload are held back until ``judge`` has seen them. A body longer
        than the span removes what this request wrote and raises 422."""
        pending = b"" if self.start == 0 else None
        try:
            async for chunk in chunks:
                if pending is not None:
                    pending += chunk
                    if len(pending) < sniff_bytes:
                        continue
                    judge(pending)
                    chunk, pending = pending, None
                self._write(chunk)
        except Cut as cut:
            reason = cut.reason
        else:
            reason = None
        if pending:
            self._write(pending)                      # too short to judge: the whole file is judged
        return reason

    def keep(self, verify: Callable[[bytes, str], None]) -> Progress:
        """fsync what arrived; when it completes the photo, ``verify`` and store it."""
        os.fsync(self.fd)
        if self.size != self.span.total:
            return Progress(self.size, complete=False)
        with self.uploads._locked():
            self.uploads._finish(self.sha256, self.path, verify)
        return Progress(self.size, complete=True)

    def close(self) -> None:
        """Release the hold; a partial this request created and wrote nothing to goes."""
        with self.uploads._locked():
            self.close_locked()

    def close_locked(self) -> None:
        if self.fd < 0:
            return
        try:
            if self.size == 0 and _same_file(self.path, self.fd):
                self.path.unlink()
        finally:
            os.close(self.fd)
            self.fd = -1

    def _write(self, data: bytes) -> None:
        if self.size + len(data) > self.start + self.span.length:
            os.ftruncate(self.fd, self.start)         # nothing of this request is kept
            os.fsync(self.fd)
            self.size = self.start
            raise too_long(self.span)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.size += len(data)


def _held(path: Path) -> bool:
    """Whether a request holds ``path``'s flock (a shared probe, let go at once)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _same_file(path: Path, fd: int) -> bool:
    try:
        return path.stat().st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False
