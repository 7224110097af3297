"""Reading request bodies safely: size caps, gzip without bombs, strict UTF-8 JSON.

| problem | answer |
|---|---|
| ``Content-Type`` not JSON (JSON routes), ``Content-Encoding`` not gzip/identity | 415 |
| more than the route's limit, raw or after decompression | 413 |
| broken gzip, bad UTF-8, malformed JSON, NaN/Infinity, a key twice in one object, too deep | 400 |
| the body not whole within ``Settings.body_seconds`` (a trickled body holds a connection) | 408 |
"""
from __future__ import annotations

import asyncio
import json
import re
import zlib

from starlette.requests import ClientDisconnect, Request

from kerawanan.errors import KerawananError, MalformedRequest, PayloadTooLarge, UnsupportedMediaType

GZIP_SLACK = 64 * 1024          # gzip of incompressible bytes is a little larger than the bytes
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_CONTAINERS = frozenset((dict, list))


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Isi permintaan melebihi batas {limit} bita.",
                           message_en=f"Request body exceeds the limit of {limit} bytes.",
                           details={"limit_bytes": limit})


def body_seconds(request: Request) -> float | None:
    """``Settings.body_seconds`` of the app serving ``request``: the whole body's deadline."""
    services = getattr(request.app.state, "services", None)
    return services.settings.body_seconds if services is not None else None


def body_timeout(seconds: float | None, **details: object) -> KerawananError:
    error = KerawananError(f"Isi permintaan tidak lengkap dalam {seconds:g} detik.",
                           message_en=f"The request body did not arrive within {seconds:g} seconds.",
                           code="request.timeout", details={"body_seconds": seconds, **details})
    error.status = 408
    return error


def malformed(message: str, message_en: str, **details: object) -> MalformedRequest:
    return MalformedRequest(message, message_en=message_en, details=details)


def require_json_type(request: Request) -> None:
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    charset = params.strip().lower()
    if media_type.strip().lower() != "application/json" or charset not in ("", "charset=utf-8"):
        raise UnsupportedMediaType("Kirim isi sebagai application/json (UTF-8).",
                                   message_en="Send the body as application/json (UTF-8).",
                                   details={"expected": "application/json"})


async def read_bytes(request: Request, *, limit: int) -> bytes:
    """The decoded body, at most ``limit`` bytes."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise UnsupportedMediaType("Content-Encoding hanya gzip.",
                                   message_en="The only Content-Encoding accepted is gzip.",
                                   details={"expected": "gzip"})
    gzipped = encoding == "gzip"
    raw_limit = limit + GZIP_SLACK if gzipped else limit
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > raw_limit:
        raise too_large(limit)
    chunks, size = [], 0
    seconds = body_seconds(request)
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > raw_limit:
                    raise too_large(limit)
                chunks.append(chunk)
    except TimeoutError as slow:              # a trickled body holds a connection: end it
        raise body_timeout(seconds) from slow
    except ClientDisconnect as gone:          # a phone losing signal mid-upload: nothing stored, no alarm
        raise malformed("Sambungan terputus sebelum isi permintaan lengkap.",
                        "The client disconnected before the body was complete.", reason="disconnected") from gone
    data = b"".join(chunks)
    return gunzip(data, limit=limit) if gzipped else data


def gunzip(data: bytes, *, limit: int) -> bytes:
    """Decompress one gzip member, refusing (413) as soon as the output passes ``limit``."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise malformed("Data gzip rusak.", "Corrupt gzip data.", reason="gzip") from error
    if len(out) > limit:
        raise too_large(limit)
    if not inflater.eof or inflater.unused_data:
        raise malformed("Data gzip tidak lengkap atau berlebih.", "Truncated or trailing gzip data.",
                        reason="gzip")
    return out


def parse_json(data: bytes, *, max_depth: int) -> object:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise malformed("Isi permintaan bukan UTF-8 yang sah.", "The body is not valid UTF-8.",
                        reason="encoding", position=error.start) from error
    try:
        value = _DECODER.decode(text)
    except RecursionError as error:
        raise _too_deep(max_depth) from error
    except ValueError as error:
        position = getattr(error, "pos", None)
        raise malformed("JSON tidak sah.", f"Malformed JSON: {error}", reason="json",
                        position=position) from error
    if type(value) in _CONTAINERS and _depth_exceeds(value, max_depth):
        raise _too_deep(max_depth)
    if _SURROGATE_ESCAPE.search(text):
        _require_encodable(value)
    return value


async def read_json(request: Request, *, limit: int, max_depth: int) -> object:
    require_json_type(request)
    return parse_json(await read_bytes(request, limit=limit), max_depth=max_depth)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """An object naming a key twice is refused: which value wins differs between parsers."""
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("an object names the same key twice")
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)


def _too_deep(max_depth: int) -> MalformedRequest:
    return malformed(f"JSON bersarang lebih dari {max_depth} tingkat.",
                     f"JSON nested deeper than {max_depth} levels.", reason="depth", limit=max_depth)


def _depth_exceeds(value: object, max_depth: int) -> bool:
    """Whether arrays/objects nest deeper than ``max_depth``: one level at a time, looking only at
    the containers (a push of 100 reports holds ~1,700 values but ~200 containers)."""
    level, depth = [value], 0
    while level:
        depth += 1
        deeper = []
        for node in level:
            children = node.values() if type(node) is dict else node
            if not _CONTAINERS.isdisjoint(map(type, children)):    # most nodes hold only scalars
                deeper.extend(child for child in children if type(child) in _CONTAINERS)
        if deeper and depth >= max_depth:
            return True
        level = deeper
    return False


def _require_encodable(value: object) -> None:
    """Reject lone surrogates (``"\\ud800"``): they cannot be stored or sent back as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise malformed("Teks berisi karakter surrogate tunggal.", "Text holds a lone surrogate.",
                        reason="encoding") from error
