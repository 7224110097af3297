"""Partial photo uploads in the database (``PETA_MEDIA_STORE=database``): the twin of
``sync_server.partials`` for server nodes that share nothing on disk.

A partial is a row of ``media_partials`` (one per account and photo: another account can neither see
nor extend it) and its bytes are rows of ``media_partial_chunks``. A request that streams into it
*holds* it: the row names the request and, in real time, until when (renewed while the body flows).
A second request is answered ``409 media.upload_in_progress`` at once; a hold whose node died lapses
by itself after ``HOLD_SECONDS``, so the upload resumes on another node. Every write is one short
transaction of the storage's ``writing()`` (serialised across nodes), never held while a body is read.

The body is kept in pieces: whenever ``FLUSH_BYTES`` have arrived, or ``FLUSH_SECONDS`` after the
last piece was kept (also while the body pauses), and when it ends or is cut, so ``HEAD …/parts``
says within a second what arrived. The last byte assembles the pieces, checks them (``verify``: type
and SHA-256; a failure deletes the partial) and stores the photo in ``media_blobs``. Quotas and
staleness (``max_age`` after the last kept byte, by the server clock) are as on disk.
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from sync_server.partials import PARTIAL_MAX_AGE
from sync_server.quotas import PARTIALS_RETRY_SECONDS, exceeded
from sync_server.settings import Quotas
from sync_server.storage.blobs import MediaBlobs, PartialRow, PartialRows
from sync_server.uploads import HEAD_BYTES, Cut, Progress, Span, offset_mismatch, too_long, upload_in_progress

FLUSH_BYTES = 256 * 1024
FLUSH_SECONDS = 1.0
HOLD_SECONDS = 30.0              # a hold not renewed for this long (its node died) lets others in
SWEEP_BATCH = 500


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class DbPartialUploads:
    """The partial rows of ``blobs``' database; stateless, so cheap to make per request. ``room(n)``
    raises when the account may not hold ``n`` more photo bytes (the photo-bytes quota)."""

    def __init__(self, blobs: MediaBlobs, *, max_age: float = PARTIAL_MAX_AGE,
                 now: Callable[[], float] = time.time, quotas: Quotas | None = None,
                 room: Callable[[int], None] | None = None, real_time: Callable[[], float] = time.time):
        self.blobs, self.db, self.max_age, self.now = blobs, blobs.db, max_age, now
        self.quotas, self.room, self.real_time = quotas or Quotas(), room, real_time

    def offset(self, sha256: str, owner: str) -> int | None:
        """Bytes held of ``owner``'s upload of the photo; None when there is none (or it went stale)."""
        return self.state(sha256, owner)[0]

    def state(self, sha256: str, owner: str) -> tuple[int | None, bool]:
        """``offset`` and whether a request is writing to the partial right now."""
        with self.db.reading() as conn:
            row = PartialRows.get(conn, owner, sha256)
        if row is None:
            return None, False
        if self._held(row):
            return row.size, True
        if self._stale(row):
            with self.db.writing() as conn:
                again = PartialRows.get(conn, owner, sha256)
                if again is not None and self._stale(again) and not self._held(again):
                    PartialRows.delete(conn, owner, sha256)
            return None, False
        return row.size or None, False

    def open(self, sha256: str, owner: str, span: Span) -> DbPartial:
        """This request's hold on the partial: 409 ``upload_in_progress`` when another request holds
        it, 409 ``offset_mismatch`` when ``span.start`` is not its end, 429 over a quota. Close it."""
        holder = secrets.token_hex(12)
        with self.db.writing() as conn:
            row = PartialRows.get(conn, owner, sha256)
            if row is not None and self._held(row):
                raise upload_in_progress(row.size)
            if row is not None and self._stale(row):
                PartialRows.delete(conn, owner, sha256)
                row = None
            size = row.size if row is not None and row.size else None
            if (size or 0) != span.start and size != span.total:
                raise offset_mismatch(size or 0)
            if size != span.total:
                self._require_room(conn, owner, sha256, size, span)
            PartialRows.hold(conn, owner, sha256, holder, self.hold_until(), self.clock())
        return DbPartial(self, sha256, owner, holder, size or 0, span)

    def sweep(self) -> int:
        """Delete every stale partial no live request holds; how many went. Off the request path."""
        gone = 0
        while True:
            with self.db.writing() as conn:
                stale = PartialRows.stale(conn, self.clock() - timedelta(seconds=self.max_age),
                                          _moment(self.real_time()), SWEEP_BATCH)
                for username, sha256 in stale:
                    PartialRows.delete(conn, username, sha256)
            gone += len(stale)
            if len(stale) < SWEEP_BATCH:
                return gone

    # ------------------------------------------------------------ helpers

    def clock(self) -> datetime:
        return _moment(self.now())

    def hold_until(self) -> datetime:
        return _moment(self.real_time() + HOLD_SECONDS)

    def _held(self, row: PartialRow) -> bool:
        return row.holder is not None and row.held_until is not None and row.held_until > _moment(self.real_time())

    def _stale(self, row: PartialRow) -> bool:
        return (self.clock() - row.updated_at).total_seconds() > self.max_age

    def _require_room(self, conn, owner: str, sha256: str, size: int | None, span: Span) -> None:
        """429 ``quota.partials`` (or ``quota.photo_bytes``) when this request would pass the account's quota."""
        others, held = PartialRows.others(conn, owner, sha256)
        if others + 1 > self.quotas.partials or held + (size or 0) + span.length > self.quotas.partial_bytes:
            raise exceeded("partials", retry_after=PARTIALS_RETRY_SECONDS, limit=self.quotas.partials,
                           limit_bytes=self.quotas.partial_bytes, held=others, held_bytes=held)
        if self.room is not None:
            self.room(held + (size or 0) + span.length)

    def _finish(self, partial: DbPartial, verify: Callable[[bytes, str], None]) -> None:
        """The kept pieces and the request's buffer make the photo: checked, stored, the partial gone."""
        with self.db.reading() as conn:
            kept = b"".join(piece for _, piece in PartialRows.chunks(conn, partial.owner, partial.sha256))
        data = kept + bytes(partial.buffer)
        try:
            verify(data[:HEAD_BYTES], hashlib.sha256(data).hexdigest())
        except BaseException:
            with self.db.writing() as conn:
                PartialRows.delete(conn, partial.owner, partial.sha256)
            raise
        self.blobs.adopt(partial.owner, partial.sha256, data)


class DbPartial:
    """One request's hold on a partial row, appending at its end in pieces."""

    def __init__(self, uploads: DbPartialUploads, sha256: str, owner: str, holder: str, size: int, span: Span):
        self.uploads, self.sha256, self.owner, self.holder, self.span = uploads, sha256, owner, holder, span
        self.start = self.size = size                  # bytes kept in the database
        self.full = size == span.total                 # every byte there, not stored yet (a crash)
        self.buffer = bytearray()                      # arrived, not kept yet
        self.kept_at = time.monotonic()
        self.closed = False

    async def receive(self, chunks: AsyncIterator[bytes], judge: Callable[[bytes], None],
                      sniff_bytes: int) -> str | None:
        """Keep the body as it arrives; the reason it was cut (``Cut.reason``), or None. The first
        ``sniff_bytes`` of a new upload are held back until ``judge`` has seen them. A body longer
        than the span removes what this request wrote and raises 422."""
        pending = b"" if self.start == 0 else None
        try:
            async for chunk in ticking(chunks, FLUSH_SECONDS):
                if chunk is None:                      # the body pauses: keep what came, renew the hold
                    if self._due():
                        await asyncio.to_thread(self._flush)
                    continue
                if pending is not None:
                    pending += chunk
                    if len(pending) < sniff_bytes:
                        continue
                    judge(pending)
                    chunk, pending = pending, None
                await self._take(chunk)
        except Cut as cut:
            reason = cut.reason
        else:
            reason = None
        if pending:
            await self._take(pending)                  # too short to judge: the whole photo is judged
        return reason

    def keep(self, verify: Callable[[bytes, str], None]) -> Progress:
        """Keep what arrived and let go of the partial (one transaction); when it completes the photo,
        ``verify`` and store it instead (one transaction too)."""
        try:
            if self.size + len(self.buffer) == self.span.total:
                self.uploads._finish(self, verify)
                self.size += len(self.buffer)
                return Progress(self.size, complete=True)
            self._flush(release=True)
            return Progress(self.size, complete=False)
        finally:
            self.closed = True

    def close(self) -> None:
        """Release the hold; a partial left empty goes."""
        if self.closed:
            return
        self.closed = True
        with self.uploads.db.writing() as conn:
            PartialRows.release(conn, self.owner, self.sha256, self.holder)

    async def _take(self, data: bytes) -> None:
        if self.size + len(self.buffer) + len(data) > self.start + self.span.length:
            await asyncio.to_thread(self._drop_own)
            raise too_long(self.span)
        self.buffer += data
        if len(self.buffer) >= FLUSH_BYTES or self._due():
            await asyncio.to_thread(self._flush)

    def _due(self) -> bool:
        """Time to keep the buffer (``FLUSH_SECONDS`` after the last piece) or to renew the hold."""
        waited = time.monotonic() - self.kept_at
        return (bool(self.buffer) and waited >= FLUSH_SECONDS) or waited >= HOLD_SECONDS / 3

    def _flush(self, *, release: bool = False) -> None:
        """Keep the buffer and renew the hold (or ``release`` it); 409 when the hold was lost (the
        buffer is not kept)."""
        data = bytes(self.buffer)
        with self.uploads.db.writing() as conn:
            kept = PartialRows.append(conn, self.owner, self.sha256, self.holder, self.size, data,
                                      self.uploads.hold_until(), self.uploads.clock())
            if kept and release:
                PartialRows.release(conn, self.owner, self.sha256, self.holder)
        self.buffer.clear()
        if not kept:
            raise upload_in_progress(self.size)
        self.size += len(data)
        self.kept_at = time.monotonic()

    def _drop_own(self) -> None:
        self.buffer.clear()
        with self.uploads.db.writing() as conn:
            PartialRows.truncate(conn, self.owner, self.sha256, self.holder, self.start)
        self.size = self.start


async def ticking(chunks: AsyncIterator[bytes], every: float) -> AsyncIterator[bytes | None]:
    """The chunks as they arrive, and None whenever ``every`` seconds pass without one (the pending
    read goes on: nothing is cancelled but on the way out)."""
    iterator = chunks.__aiter__()
    step: asyncio.Future | None = None
    try:
        while True:
            step = step or asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({step}, timeout=every)
            if not done:
                yield None
                continue
            current, step = step, None
            try:
                chunk = current.result()
            except StopAsyncIteration:
                return
            yield chunk
    finally:
        if step is not None:
            step.cancel()
