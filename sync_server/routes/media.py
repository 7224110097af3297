"""Photos, content-addressed by SHA-256: ``PUT``/``HEAD``/``GET /api/v1/media/{sha256}``."""
from __future__ import annotations

import hashlib
import re

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import InvalidInput, UnsupportedMediaType
from sync_server.body import read_bytes
from sync_server.routes import schemas
from sync_server.scope import Principal, hidden, readable_media
from sync_server.services import PrincipalDep, Services, ServicesDep
from sync_server.storage.base import MediaInfo

router = APIRouter(prefix="/api/v1/media", tags=["media"])
SHA256_RE = re.compile(r"[0-9a-f]{64}")
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def sniff(data: bytes) -> str:
    """The photo's type from its first bytes (the Content-Type header is not trusted)."""
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    raise UnsupportedMediaType("Foto harus JPEG atau PNG.", message_en="Photos must be JPEG or PNG.",
                               details={"expected": [mime for _, mime in MAGIC]})


def _bad_hash(message: str, message_en: str, code: str = "request.invalid") -> InvalidInput:
    return InvalidInput(message, code=code, message_en=message_en, fields={"sha256": message},
                        fields_en={"sha256": message_en}, reasons={"sha256": code})


@router.put("/{sha256}", summary="Upload a photo (201 stored, 200 already there)",
            openapi_extra=schemas.MEDIA, status_code=201)
async def put_media(sha256: str, request: Request, principal: PrincipalDep,
                    services: ServicesDep) -> JSONResponse:
    principal.require_role("officer")
    if not SHA256_RE.fullmatch(sha256):
        raise _bad_hash("Harus 64 karakter heksadesimal huruf kecil.", "Must be 64 lowercase hex digits.")
    data = await read_bytes(request, limit=services.settings.limits.media_bytes)
    mime = sniff(data)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _bad_hash("SHA-256 isi tidak sama dengan alamat.", "The body's SHA-256 differs from the path.",
                        code="media.hash_mismatch")
    created = await run_in_threadpool(_store, services, principal, sha256, data, mime)
    return JSONResponse({"sha256": sha256, "size": len(data), "mime": mime},
                        status_code=201 if created else 200)


def _store(services: Services, principal: Principal, sha256: str, data: bytes, mime: str) -> bool:
    services.media.write(sha256, data)
    return services.storage.add_media(sha256, len(data), mime, principal.username, services.clock())


@router.api_route("/{sha256}", methods=["GET", "HEAD"], summary="Download a photo (HEAD: does it exist?)",
                  response_class=Response,
                  responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def get_media(sha256: str, request: Request, principal: PrincipalDep, services: ServicesDep) -> Response:
    info = _readable(services, principal, sha256)
    headers = {"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(info.size)
        return Response(status_code=200, media_type=info.mime, headers=headers)
    return Response(services.media.read(sha256), media_type=info.mime, headers=headers)


def _readable(services: Services, principal: Principal, sha256: str) -> MediaInfo:
    info = services.storage.get_media(sha256) if SHA256_RE.fullmatch(sha256) else None
    if info is None or not services.media.exists(sha256):
        raise hidden("media")
    storage = services.storage
    uploaded = storage.media_uploaded_by(sha256, principal.username)
    readable_media(principal, uploaded_by_caller=uploaded,
                   citing=() if uploaded else storage.reports_citing_media(sha256))
    return info
