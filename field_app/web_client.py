"""The web client's static files, served compressed and cached (issue 14.4).

In web mode (``python -m field_app``) the browser first downloads Flet's Flutter client: 17.7 MB
uncompressed, almost all of it ``main.dart.js`` (9.6 MB), CanvasKit (5.8 MB) and fonts. This ASGI
layer sits in front of Flet's own app and serves those files itself:

- **precompressed**: every compressible file of the client is gzipped once (level 9) into a cache
  folder (``PETA_WEB_CACHE``, default ``var/web-client``), in a background thread at start-up
  (the first-load files first) or ahead of time by ``python -m field_app.web_client``; until a
  file's ``.gz`` exists it goes out plain. A browser that sends ``Accept-Encoding: gzip`` gets
  ``Content-Encoding: gzip`` (and ``Vary: Accept-Encoding``).
- **cached for a year where the URL names the version**: ``flutter_bootstrap.js`` is served with
  the build's files renamed by version — ``main.dart.js?v=TAG`` and CanvasKit under ``/_v/TAG/`` —
  so those answer ``Cache-Control: public, max-age=31536000, immutable``; a new flet-web gives a
  new TAG, so no browser keeps an old engine. Every other file (entry files, fonts, icons) is
  ``no-cache`` with a strong ``ETag``: a return visit asks and gets ``304`` without a body.

What Flet patches per app (``index.html``, ``manifest.json``, ``assets/FontManifest.json``), the
app's own assets and the WebSocket go to Flet as before (small text there is gzipped on the fly,
and an answer that says nothing of caching gets ``no-cache``).
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {".js", ".mjs", ".wasm", ".json", ".otf", ".ttf", ".html", ".css", ".svg", ".txt"}
SKIPPED = ("pyodide/",)                       # the in-browser Python runtime: not used in web mode
FLET_PATCHED = {"index.html", "manifest.json", "assets/FontManifest.json"}
FIRST_LOAD = ("main.dart.js", "canvaskit/chromium/canvaskit.wasm", "canvaskit/chromium/canvaskit.js",
              "canvaskit/canvaskit.wasm", "canvaskit/canvaskit.js", "assets/fonts/MaterialIcons-Regular.otf")
BOOTSTRAP = "flutter_bootstrap.js"
VERSIONED_PREFIX = "_v"
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".otf": "font/otf", ".ttf": "font/ttf", ".json": "application/json"}
# Flet's own headers on every static answer (its CustomHeadersMiddleware): kept on ours.
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp",
             "Access-Control-Allow-Origin": "*"}


def package_web_dir() -> Path:
    from flet_web import get_package_web_dir

    return Path(get_package_web_dir())


def build_tag(web_dir: Path) -> str:
    """Names this build of the client: flet-web's version and a digest of the bootstrap and main files."""
    from flet_web.version import version

    digest = hashlib.sha256()
    for name in (BOOTSTRAP, "main.dart.js", "canvaskit/chromium/canvaskit.wasm"):
        path = web_dir / name
        if path.exists():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return f"{version}-{digest.hexdigest()[:10]}"


def cache_dir(tag: str) -> Path:
    return Path(os.environ.get("PETA_WEB_CACHE") or ROOT / "var" / "web-client") / tag


def compressible(web_dir: Path) -> list[str]:
    """The files worth gzipping, the first load's first, then the largest."""
    found = []
    for path in web_dir.rglob("*"):
        rel = path.relative_to(web_dir).as_posix()
        if (path.is_file() and (path.suffix in COMPRESSIBLE or path.name == "NOTICES")
                and path.stat().st_size >= 1024 and not rel.startswith(SKIPPED)):
            found.append(rel)
    first = [rel for rel in FIRST_LOAD if rel in found]
    rest = sorted(set(found) - set(first), key=lambda rel: -(web_dir / rel).stat().st_size)
    return first + rest


def precompress(web_dir: Path, target: Path) -> int:
    """Write ``target/<file>.gz`` for each compressible file lacking one; how many were written."""
    written = 0
    for rel in compressible(web_dir):
        out = target / f"{rel}.gz"
        if out.exists():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f"{out.name}.{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(gzip.compress((web_dir / rel).read_bytes(), compresslevel=9, mtime=0))
        os.replace(partial, out)                    # atomic: a reader never sees half a file
        written += 1
    return written


class CompressedClient:
    """ASGI: the Flutter client's files precompressed and cached; everything else to ``app``."""

    def __init__(self, app: ASGIApp, *, web_dir: Path | None = None, cache: Path | None = None,
                 background: bool = True):
        self.app = GZipMiddleware(app, minimum_size=1000)
        self.web_dir = web_dir or package_web_dir()
        self.tag = build_tag(self.web_dir)
        self.cache = cache or cache_dir(self.tag)
        self.bootstrap = _versioned_bootstrap((self.web_dir / BOOTSTRAP).read_text(encoding="utf-8"), self.tag)
        self.bootstrap_gz = gzip.compress(self.bootstrap, compresslevel=9, mtime=0)
        if background:
            threading.Thread(target=self._precompress, name="precompress-web-client", daemon=True).start()

    def _precompress(self) -> None:
        try:
            written = precompress(self.web_dir, self.cache)
            log.info("web client: %d files precompressed into %s", written, self.cache)
        except OSError:
            log.warning("web client: precompressing failed; files go out uncompressed", exc_info=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self._answer(scope) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if response is not None:
            await response(scope, receive, send)
        elif scope["type"] == "http":
            await self.app(scope, receive, _revalidated(send))
        else:
            await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> Response | None:
        rel, immutable = self._resolve(scope)
        headers = _headers(scope)
        gzip_ok = "gzip" in headers.get("accept-encoding", "")
        if rel == BOOTSTRAP:
            return self._bytes(self.bootstrap_gz if gzip_ok else self.bootstrap, gzip_ok, headers)
        if rel is None or rel in FLET_PATCHED:
            return None
        path = self.web_dir / rel
        if ".." in rel.split("/") or not path.is_file():
            return None
        packed = self.cache / f"{rel}.gz"
        use_gzip = gzip_ok and packed.is_file()
        stat = path.stat()
        etag = f'"{self.tag}-{stat.st_size}-{"gz" if use_gzip else "id"}"'
        answer = {**ISOLATION, "ETag": etag, "Vary": "Accept-Encoding",
                  "Cache-Control": IMMUTABLE if immutable else REVALIDATE}
        if etag in headers.get("if-none-match", ""):
            return Response(status_code=304, headers=answer)
        if use_gzip:
            answer["Content-Encoding"] = "gzip"
        return FileResponse(packed if use_gzip else path, headers=answer, media_type=_type(rel), stat_result=None)

    def _resolve(self, scope: Scope) -> tuple[str | None, bool]:
        """The file asked for, relative to the client's folder, and whether its URL names this build."""
        rel = scope["path"].lstrip("/")
        if rel.startswith(f"{VERSIONED_PREFIX}/"):
            _, tag, rest = (rel.split("/", 2) + [""])[:3]
            return (rest or None), tag == self.tag
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        return (rel or None), query.get("v") == [self.tag]

    def _bytes(self, body: bytes, gzipped: bool, request: dict[str, str]) -> Response:
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        answer = {**ISOLATION, "ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": REVALIDATE}
        if etag in request.get("if-none-match", ""):
            return Response(status_code=304, headers=answer)
        if gzipped:
            answer["Content-Encoding"] = "gzip"
        return Response(body, headers=answer, media_type="text/javascript")


def _revalidated(send: Send) -> Send:
    """Flet's answers (the patched index.html…) say nothing of caching: make them ``no-cache``."""
    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(key.lower() == b"cache-control" for key, _ in headers):
                headers.append((b"cache-control", REVALIDATE.encode()))
            message = {**message, "headers": headers}
        await send(message)
    return sending


def _versioned_bootstrap(text: str, tag: str) -> bytes:
    """Flutter's bootstrap, asking for the build's files by URLs that name ``tag``."""
    replaced = text
    for name in ("main.dart.js", "main.dart.wasm", "main.dart.mjs"):
        replaced = replaced.replace(f':"{name}"', f':"{name}?v={tag}"')
    old = "flutterConfig.canvasKitBaseUrl = flet.canvasKitBaseUrl;"
    new = (f'flutterConfig.canvasKitBaseUrl = flet.canvasKitBaseUrl.replace(/canvaskit\\/$/, '
           f'"{VERSIONED_PREFIX}/{tag}/canvaskit/");')
    if old not in replaced or f"main.dart.js?v={tag}" not in replaced:
        log.warning("web client: flutter_bootstrap.js has changed shape; its files are revalidated, not kept")
    return replaced.replace(old, new).encode("utf-8")


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}


def _type(rel: str) -> str:
    suffix = Path(rel).suffix
    return TYPES.get(suffix) or mimetypes.guess_type(rel)[0] or "application/octet-stream"


def main() -> None:
    """``python -m field_app.web_client``: precompress the client now (a build or deploy step)."""
    web_dir = package_web_dir()
    target = cache_dir(build_tag(web_dir))
    print(f"{precompress(web_dir, target)} files written to {target}")


if __name__ == "__main__":
    main()
