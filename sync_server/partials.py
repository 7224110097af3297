"""Partial photo uploads on disk: ``<media dir>/partial/<owner key>/<sha256>``.

A partial belongs to one photo and one account (the owner key is the first 16 hex digits of the
SHA-256 of the username), so another account can neither see nor extend it. A request appends
only at the file's current end and holds an exclusive ``flock`` on the file while it streams,
taken without waiting (a second request is answered ``409 media.upload_in_progress`` at once).
A partial exists only once its first bytes have arrived (``open`` is called with them in hand).

Short steps — finding, creating, completing and deleting an account's partials — run under that
account's ``flock`` (``<owner key>/.lock``), shared by every thread and worker process and held
for milliseconds, never while a body is read; accounts never wait for each other. The same lock
makes the partials quota (``Quotas.partials``/``partial_bytes``: a listing of the account's own
directory) hold across workers. Stale partials — untouched for ``max_age`` seconds — are deleted
when next looked at and by ``sweep``, which runs off the request path (``sync_server.sweeper``).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

from sync_server.quotas import PARTIALS_RETRY_SECONDS, exceeded
from sync_server.settings import Quotas
from sync_server.storage.files import MediaFiles, fsync_dir
from sync_server.uploads import HEAD_BYTES, Cut, Progress, Span, offset_mismatch, too_long, upload_in_progress

PARTIAL_MAX_AGE = 7 * 24 * 3600.0
_LOCK_NAME = ".lock"


class PartialUploads:
    """The partial files under ``<media dir>/partial``; stateless, so cheap to make per request.
    ``room(n)`` raises when the account may not hold ``n`` more photo bytes (``n``: its partials
    and this request's range; the photo-bytes quota)."""

    def __init__(self, files: MediaFiles, *, max_age: float = PARTIAL_MAX_AGE,
                 now: Callable[[], float] = time.time, quotas: Quotas | None = None,
                 room: Callable[[int], None] | None = None):
        self.files, self.max_age, self.now = files, max_age, now
        self.quotas, self.room = quotas or Quotas(), room
        self.root = files.root / "partial"

    def path(self, sha256: str, owner: str) -> Path:
        return self.root / hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16] / sha256

    def offset(self, sha256: str, owner: str) -> int | None:
        """Bytes held of ``owner``'s upload of the photo; None when there is none (or it went stale)."""
        return self.state(sha256, owner)[0]

    def state(self, sha256: str, owner: str) -> tuple[int | None, bool]:
        """``offset`` and whether a request is writing to the partial right now."""
        path = self.path(sha256, owner)
        with self._locked(path.parent):
            size = self._size(path)
            busy = _held(path)
            return (0 if busy and size is None else size), busy     # held but empty: a request just began

    def open(self, sha256: str, owner: str, span: Span) -> Partial:
        """This request's hold on the partial, its first bytes in hand: 409 ``upload_in_progress``
        when another request holds it, 409 ``offset_mismatch`` when ``span.start`` is not its end,
        429 over a quota. Close it (``Partial.close``)."""
        path = self.path(sha256, owner)
        with self._locked(path.parent):
            size = self._size(path)
            if _held(path):
                raise upload_in_progress(size or 0)
            if (size or 0) != span.start and size != span.total:
                raise offset_mismatch(size or 0)
            if size != span.total:
                self._require_room(path, size, span)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise upload_in_progress(size or 0) from None
            partial = Partial(self, sha256, path, fd, span)
            if size is None:
                fsync_dir(path.parent)
        return partial

    def sweep(self) -> int:
        """Delete every stale partial no request holds; how many went. Off the request path."""
        gone = 0
        if not self.root.is_dir():
            return 0
        for entry in list(self.root.iterdir()):
            if entry.is_dir():
                with self._locked(entry):
                    gone += sum(1 for path in list(entry.iterdir()) if self._gone(path))
            elif entry.name != _LOCK_NAME and self._gone(entry):     # the flat layout of before
                gone += 1
        return gone

    # ------------------------------------------------------------ under the owner's lock

    @contextlib.contextmanager
    def _locked(self, directory: Path) -> Iterator[None]:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)                  # closing releases the lock

    def _gone(self, path: Path) -> bool:
        return path.name != _LOCK_NAME and not _held(path) and self._size(path) is None and not path.exists()

    def _size(self, path: Path) -> int | None:
        """The partial's size; None when missing, empty or stale (then deleted: a request holding
        a partial writes to it, so it is never ``max_age`` old)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        if self.now() - stat.st_mtime > self.max_age:
            path.unlink(missing_ok=True)
            return None
        return stat.st_size or None

    def _require_room(self, path: Path, size: int | None, span: Span) -> None:
        """429 ``quota.partials`` (or ``quota.photo_bytes``) when this request would pass the account's quota."""
        others = [entry for entry in path.parent.iterdir() if entry.name not in (_LOCK_NAME, path.name)]
        held = sum(_size_of(entry) for entry in others)
        count = len(others) + 1
        if count > self.quotas.partials or held + (size or 0) + span.length > self.quotas.partial_bytes:
            raise exceeded("partials", retry_after=PARTIALS_RETRY_SECONDS, limit=self.quotas.partials,
                           limit_bytes=self.quotas.partial_bytes, held=len(others), held_bytes=held)
        if self.room is not None:
            self.room(held + (size or 0) + span.length)

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
        with self.uploads._locked(self.path.parent):
            self.uploads._finish(self.sha256, self.path, verify)
        return Progress(self.size, complete=True)

    def close(self) -> None:
        """Release the hold; a partial this request created and wrote nothing to goes."""
        with self.uploads._locked(self.path.parent):
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


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


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
