"""Photos, content-addressed by SHA-256: ``PUT``/``HEAD``/``GET /api/v1/media/{sha256}``, and the
resumable, streamed upload ``PUT``/``HEAD /api/v1/media/{sha256}/parts`` (``sync_server.uploads``)."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import InvalidInput, NotFound, UnsupportedMediaType
from sync_server import quotas
from sync_server.body import read_bytes
from sync_server.errors import error_response, language
from sync_server.partials import PartialUploads
from sync_server.partials_db import DbPartialUploads
from sync_server.routes import schemas
from sync_server.scope import Principal, hidden, readable_media
from sync_server.services import PrincipalDep, Services, ServicesDep
from sync_server.storage.base import MediaInfo
from sync_server.uploads import (
    Progress,
    decoded_body,
    first_bytes,
    idle_timeout,
    offset_mismatch,
    parse_content_range,
    prepended,
)

router = APIRouter(prefix="/api/v1/media", tags=["media"])
SHA256_RE = re.compile(r"[0-9a-f]{64}")
# (bytes that must be there, at which offset) -> type. WebP is what the app sends since issue 14
# (a third of the JPEG's bytes on 2G); JPEG and PNG from older apps; AVIF for a later choice.
MAGIC = (
    (((0, b"\xff\xd8\xff"),), "image/jpeg"),
    (((0, b"\x89PNG\r\n\x1a\n"),), "image/png"),
    (((0, b"RIFF"), (8, b"WEBPVP8")), "image/webp"),
    (((4, b"ftypavif"),), "image/avif"),
    (((4, b"ftypavis"),), "image/avif"),
)
SNIFF_BYTES = max(offset + len(magic) for marks, _ in MAGIC for offset, magic in marks)
MIMES = tuple(dict.fromkeys(mime for _, mime in MAGIC))


def sniff(data: bytes) -> str:
    """The photo's type from its first bytes (the Content-Type header is not trusted)."""
    for marks, mime in MAGIC:
        if all(data[offset:offset + len(magic)] == magic for offset, magic in marks):
            return mime
    raise UnsupportedMediaType("Foto harus JPEG, PNG, WebP atau AVIF.",
                               message_en="Photos must be JPEG, PNG, WebP or AVIF.", details={"expected": list(MIMES)})


def _bad_hash(message: str, message_en: str, code: str = "request.invalid") -> InvalidInput:
    return InvalidInput(message, code=code, message_en=message_en, fields={"sha256": message},
                        fields_en={"sha256": message_en}, reasons={"sha256": code})


@router.put("/{sha256}", summary="Upload a photo (201 stored, 200 already there)",
            openapi_extra=schemas.MEDIA, status_code=201)
async def put_media(sha256: str, request: Request, principal: PrincipalDep,
                    services: ServicesDep) -> JSONResponse:
    principal.require_role("officer")
    _require_name(sha256)
    data = await read_bytes(request, limit=services.settings.limits.media_bytes)
    mime = sniff(data)
    _require_hash(sha256, hashlib.sha256(data).hexdigest())
    created = await run_in_threadpool(_store, services, principal, sha256, data, mime)
    return JSONResponse({"sha256": sha256, "size": len(data), "mime": mime},
                        status_code=201 if created else 200)


def _require_name(sha256: str) -> None:
    if not SHA256_RE.fullmatch(sha256):
        raise _bad_hash("Harus 64 karakter heksadesimal huruf kecil.", "Must be 64 lowercase hex digits.")


def _require_hash(sha256: str, digest: str) -> None:
    if digest != sha256:
        raise _bad_hash("SHA-256 isi tidak sama dengan alamat.", "The body's SHA-256 differs from the path.",
                        code="media.hash_mismatch")


def _store(services: Services, principal: Principal, sha256: str, data: bytes, mime: str) -> bool:
    if _stored_by(services, principal, sha256) is not None:
        return False                                  # a repeat of this officer's upload: nothing new
    _room(services, principal)(len(data))             # 429 before a byte is written
    services.media.write(sha256, data)
    return services.storage.add_media(sha256, len(data), mime, principal.username, services.clock())


@router.api_route("/{sha256}", methods=["GET", "HEAD"], summary="Download a photo (HEAD: does it exist?)",
                  response_class=Response,
                  responses={200: {"content": {mime: {} for mime in MIMES}}})
def get_media(sha256: str, request: Request, principal: PrincipalDep, services: ServicesDep) -> Response:
    try:
        info = _readable(services, principal, sha256)
    except NotFound:
        resume = _resume_hint(services, principal, sha256) if request.method == "HEAD" else None
        if resume is None:
            raise
        return resume                                 # this officer's upload was cut: say where it ends
    headers = {"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(info.size)
        return Response(status_code=200, media_type=info.mime, headers=headers)
    return Response(services.media.read(sha256), media_type=info.mime, headers=headers)


def _resume_hint(services: Services, principal: Principal, sha256: str) -> Response | None:
    """The 404 of ``HEAD /media/{sha256}`` for an officer with a partial upload of it: 404 as always,
    plus ``Upload-Offset`` (and ``Upload-In-Progress``), like ``HEAD …/parts``. Only the caller's own
    partial is looked at, so nothing leaks."""
    if principal.role != "officer" or not SHA256_RE.fullmatch(sha256):
        return None
    offset, busy = _partials(services, principal).state(sha256, principal.username)
    if not offset:
        return None
    return Response(status_code=404, headers={**_offset_headers(offset), **({"Upload-In-Progress": "1"} if busy else {})})


def _readable(services: Services, principal: Principal, sha256: str) -> MediaInfo:
    info = services.storage.get_media(sha256) if SHA256_RE.fullmatch(sha256) else None
    if info is None or not services.media.exists(sha256):
        raise hidden("media")
    storage = services.storage
    uploaders = storage.media_uploaders(sha256)
    uploaded = principal.username in uploaders
    # Only a report by one of the photo's uploaders lends it to that report's readers: citing a
    # hash someone else uploaded grants nothing.
    citing = () if uploaded else [report for report in storage.reports_citing_media(sha256)
                                  if report.officer in uploaders]
    readable_media(principal, uploaded_by_caller=uploaded, citing=citing)
    return info


# ---------------------------------------------------------------- resumable uploads


@router.put("/{sha256}/parts",
            summary="Upload a photo resumably, streamed (202 part kept, 201 stored, 200 already there)",
            openapi_extra=schemas.MEDIA_PART, status_code=201,
            responses={202: {"description": "Bytes kept; send the rest from `offset` (`Upload-Offset`)"}})
async def put_media_part(sha256: str, request: Request, principal: PrincipalDep,
                         services: ServicesDep) -> JSONResponse:
    principal.require_role("officer")
    _require_name(sha256)
    settings = services.settings
    span = parse_content_range(request.headers.get("content-range"), limit=settings.limits.media_bytes)
    chunks = decoded_body(request, span, limit=settings.limits.media_bytes, idle=settings.upload_idle_seconds,
                          deadline=settings.body_seconds)
    stored = await run_in_threadpool(_stored_by, services, principal, sha256)
    if stored is not None:                            # e.g. the answer to the last request was lost
        return JSONResponse(_described(stored), status_code=200)
    uploads = _partials(services, principal)
    first, cut = await first_bytes(chunks)            # no partial exists before its first bytes do
    if first is None:
        offset, _busy = await run_in_threadpool(uploads.state, sha256, principal.username)
        if (offset or 0) != span.start:
            raise offset_mismatch(offset or 0)
        return _unfinished(request, services, sha256, span.total, offset or 0, cut)
    partial = await run_in_threadpool(uploads.open, sha256, principal.username, span)
    try:
        cut = None if partial.full else await partial.receive(prepended(first, chunks), sniff, SNIFF_BYTES)
        mimes: list[str] = []
        progress = await run_in_threadpool(partial.keep, _verifier(sha256, mimes))
    finally:
        await run_in_threadpool(partial.close)
    if progress.complete:
        return await run_in_threadpool(_stored_part, services, principal, sha256, progress, mimes[0])
    return _unfinished(request, services, sha256, span.total, progress.offset, cut)


def _unfinished(request: Request, services: Services, sha256: str, total: int, offset: int,
                cut: str | None) -> Response:
    """202 with the offset; 408 (closing the connection) when the client stalled."""
    if cut == "idle":
        response = error_response(idle_timeout(services.settings.upload_idle_seconds, offset), language(request))
        response.headers["Connection"] = "close"
        return response
    return JSONResponse({"sha256": sha256, "offset": offset, "total": total}, status_code=202,
                        headers=_offset_headers(offset))


def _partials(services: Services, principal: Principal) -> PartialUploads | DbPartialUploads:
    return services.media.partial_uploads(services.settings, lambda: services.clock().timestamp(),
                                          room=_room(services, principal))


def _room(services: Services, principal: Principal) -> Callable[[int], None]:
    """429 ``quota.photo_bytes`` when ``size`` more bytes would pass the caller's photo quota."""
    def room(size: int) -> None:
        quotas.require_photo_room(services.storage, services.settings.quotas, principal.username, size,
                                  services.clock())
    return room


def _verifier(sha256: str, mimes: list[str]) -> Callable[[bytes, str], None]:
    def verify(head: bytes, digest: str) -> None:
        mimes.append(sniff(head))
        _require_hash(sha256, digest)
    return verify


def _stored_part(services: Services, principal: Principal, sha256: str, progress: Progress,
                 mime: str) -> JSONResponse:
    created = services.storage.add_media(sha256, progress.offset, mime, principal.username, services.clock())
    return JSONResponse({"sha256": sha256, "size": progress.offset, "mime": mime},
                        status_code=201 if created else 200, headers=_offset_headers(progress.offset))


@router.head("/{sha256}/parts", summary="Where to resume an upload (Upload-Offset); 404 when nothing is partial",
             response_class=Response, responses={200: {"description": "`Upload-Offset`: bytes held"}})
def head_media_parts(sha256: str, principal: PrincipalDep, services: ServicesDep) -> Response:
    principal.require_role("officer")
    _require_name(sha256)
    stored = _stored_by(services, principal, sha256)
    if stored is not None:
        return Response(status_code=200, headers={**_offset_headers(stored.size), "Upload-Length": str(stored.size)})
    offset, busy = _partials(services, principal).state(sha256, principal.username)
    if offset is None:
        raise hidden("media")
    return Response(status_code=200, headers={**_offset_headers(offset), **({"Upload-In-Progress": "1"} if busy else {})})


def _stored_by(services: Services, principal: Principal, sha256: str) -> MediaInfo | None:
    """The stored photo when the caller uploaded it (others must prove they hold the bytes)."""
    info = services.storage.get_media(sha256)
    if info is None or not services.media.exists(sha256):
        return None
    return info if services.storage.media_uploaded_by(sha256, principal.username) else None


def _described(info: MediaInfo) -> dict[str, object]:
    return {"sha256": info.sha256, "size": info.size, "mime": info.mime}


def _offset_headers(offset: int) -> dict[str, str]:
    return {"Upload-Offset": str(offset), **({"Range": f"bytes=0-{offset - 1}"} if offset else {})}
