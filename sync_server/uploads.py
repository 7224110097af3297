"""Resumable photo uploads (``PUT``/``HEAD /api/v1/media/{sha256}/parts``): the request's side.

A request names its place in the photo with ``Content-Range``; it appends only at the partial's
current end (``start`` must equal its size, else 409 with the size as ``details.offset``) and
streams its body into the partial file (``sync_server.partials``) as it arrives. A second request
for the same partial is answered ``409 media.upload_in_progress`` at once, never queued behind an
upload that takes a minute on 2G. A body cut midway — the client disconnects, sends nothing for
``idle`` seconds, or has not finished within ``deadline`` seconds — keeps the bytes that arrived
(fsync'd; the offset is what was written); a body longer than its ``Content-Range`` keeps nothing
of that request. When the last byte arrives the whole file is checked (``verify``: type and
SHA-256; a failure deletes it) and renamed into the content-addressed store.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request

from kerawanan.errors import Conflict, InvalidInput, KerawananError, UnsupportedMediaType
from sync_server.body import GZIP_SLACK, gunzip, too_large

HEAD_BYTES = 16                      # what ``verify`` gets to sniff the type from
_RANGE = re.compile(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})")


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


def decoded_body(request: Request, span: Span, *, limit: int, idle: float,
                 deadline: float | None = None) -> AsyncIterator[bytes]:
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
    chunks = body_chunks(request, idle=idle, deadline=deadline)
    return gunzipped(chunks, limit=limit) if encoding == "gzip" else chunks


async def body_chunks(request: Request, *, idle: float, deadline: float | None = None) -> AsyncIterator[bytes]:
    """The raw body as it arrives; ``Cut`` when the client goes away, sends nothing for ``idle`` s
    or trickles past ``deadline`` s in all (uvicorn itself would wait for the rest of a body forever)."""
    stream = request.stream().__aiter__()
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline if deadline is not None else None
    while True:
        wait = idle if end is None else max(0.0, min(idle, end - loop.time()))
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), wait)
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


async def first_bytes(chunks: AsyncIterator[bytes]) -> tuple[bytes | None, str | None]:
    """The body's first chunk, or None with the reason (``Cut.reason``; None: an empty body)."""
    try:
        async for chunk in chunks:
            return chunk, None
    except Cut as cut:
        return None, cut.reason
    return None, None


async def prepended(first: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in chunks:
        yield chunk
