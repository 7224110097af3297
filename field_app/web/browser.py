"""The browser platform: the app's Python in Pyodide, inside the Web Worker Flet starts for it.

The app's code is synchronous (the outbox commits, the sync engine talks to the server, the PIN is
checked) and a browser offers promises. JSPI (JavaScript Promise Integration, Chromium 137+) lets
synchronous Python wait for a promise with ``pyodide.ffi.run_sync``; the Flet event loop keeps
running meanwhile. Where the browser has no JSPI, ``can_run_sync()`` is false and each piece says
what it does instead.

- Storage: the data folder is an IDBFS mount; its files live in memory and are copied to IndexedDB
  by ``FS.syncfs``. ``make_durable`` (after every commit) waits for that copy, so "Tersimpan" is
  shown only once the report is in IndexedDB.
- HTTP: ``fetch`` (``field_app/web/fetch.py``), same origin as the app, no CORS.
- PIN hash: WebCrypto's PBKDF2 fills in ``hashlib.pbkdf2_hmac``, which Pyodide's Python lacks.
- Photos: the browser decodes (EXIF orientation applied), an OffscreenCanvas scales, WebP re-encoding
  (JPEG where the browser cannot encode WebP) drops every EXIF field (Pillow has no Pyodide build here).
- No threads: background warm-ups run on the event loop when it is idle.
- One window at a time: each window runs its own Python over its own in-memory copy of the files,
  and the last to write IndexedDB would win; a Web Lock lets one window hold the outbox.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import js  # type: ignore[import-not-found]  # Pyodide's view of the worker's global scope
import pyodide_js  # type: ignore[import-not-found]
from pyodide.code import run_js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, can_run_sync, run_sync, to_js  # type: ignore[import-not-found]

from field_app.errors import PhotoUnreadable
from field_app.platform import Host

log = logging.getLogger(__name__)
DATA_DIR = "/peta_rawan"
WARM_UP_DELAY_S = 3.0
LOCK_NAME = "peta-rawan-outbox"
LOCK_WAIT_MS = 8000          # a reloaded window's old worker may still be letting go
NO_JSPI = ("Browser ini belum bisa menjalankan Peta Rawan tanpa sinyal. Buka dengan Google Chrome "
           "versi 137 atau yang lebih baru.\n\nThis browser cannot run Peta Rawan offline. "
           "Open it in Google Chrome 137 or newer.")
OPEN_ELSEWHERE = ("Peta Rawan sudah terbuka di jendela atau tab lain. Tutup yang lain, lalu muat ulang "
                  "halaman ini.\n\nPeta Rawan is already open in another window or tab. Close it, then "
                  "reload this page.")

HELPERS = run_js("""({
  syncfs: (populate) => new Promise((done, fail) =>
    pyodide_FS.syncfs(populate, (error) => error ? fail(error) : done(true))),
  lock: (name, ms) => new Promise((answer) => {
    navigator.locks.request(name, {signal: AbortSignal.timeout(ms)}, () => {
      answer(true);
      return new Promise(() => {});          // held until this worker ends
    }).catch(() => answer(false));
  }),
  pbkdf2: async (password, salt, iterations, bits) => {
    const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const out = await crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", salt, iterations}, key, bits);
    return new Uint8Array(out);
  },
  shrink: async (bytes, maxSide, quality, maxPixels) => {
    const bitmap = await createImageBitmap(new Blob([bytes]), {imageOrientation: "from-image"});
    if (bitmap.width * bitmap.height > maxPixels) { bitmap.close(); throw new Error("too large"); }
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    let blob = await canvas.convertToBlob({type: "image/webp", quality: quality / 100});
    if (blob.type !== "image/webp") blob = await canvas.convertToBlob({type: "image/jpeg", quality: quality / 100});
    return {data: new Uint8Array(await blob.arrayBuffer()), width, height};
  },
})""")


def wait_for(promise: Any) -> Any:
    """The promise's value, waited for synchronously (JSPI); ``RuntimeError`` where that is impossible."""
    if not can_run_sync():
        raise RuntimeError("this browser cannot wait for a promise here (no JSPI)")
    return run_sync(promise)


class Browser(Host):
    name = "browser"

    def __init__(self) -> None:
        self._mounted: set[str] = set()
        self._holds_lock = False

    def install(self) -> None:
        os.environ.setdefault("FLET_APP_STORAGE_DATA", DATA_DIR)
        os.environ.setdefault("PETA_SERVER_URL", str(js.location.origin))   # the API shares the app's origin
        js.pyodide_FS = pyodide_js.FS
        if not hasattr(hashlib, "pbkdf2_hmac"):
            hashlib.pbkdf2_hmac = pbkdf2_hmac

    def cannot_run(self) -> str | None:
        """Why this window cannot hold the outbox: no JSPI, or another window holds it."""
        if not hasattr(js.WebAssembly, "Suspending") or not can_run_sync():
            return NO_JSPI
        if not self._holds_lock:
            self._holds_lock = bool(run_sync(HELPERS.lock(LOCK_NAME, LOCK_WAIT_MS)))
        return None if self._holds_lock else OPEN_ELSEWHERE

    def open_storage(self, folder: Path) -> None:
        """Mount IndexedDB at ``folder`` (once) and load what an earlier visit left there."""
        path = str(folder)
        if path in self._mounted:
            return
        fs = pyodide_js.FS
        fs.mkdirTree(path)
        fs.mount(fs.filesystems.IDBFS, to_js({}, dict_converter=js.Object.fromEntries), path)
        self._mounted.add(path)
        self._sync(populate=True)
        self._ask_for_persistence()

    def make_durable(self) -> None:
        if self._mounted:
            self._sync(populate=False)

    def start_background(self, work: Callable[[], Any], name: str) -> None:
        try:
            asyncio.get_running_loop().call_later(WARM_UP_DELAY_S, work)
        except RuntimeError:
            log.debug("no event loop: %s runs when first needed", name)

    def new_transport(self) -> Any:
        from field_app.web.fetch import FetchTransport

        return FetchTransport()

    def shrink_photo(self, raw: bytes, max_side: int, quality: int) -> tuple[bytes, int, int]:
        from field_app.photos import MAX_PIXELS

        try:
            result = wait_for(HELPERS.shrink(to_js(raw), max_side, quality, MAX_PIXELS))
        except JsException as exc:
            raise PhotoUnreadable("Foto tidak dapat dibaca.", message_en="The photo could not be read.") from exc
        return result.data.to_bytes(), int(result.width), int(result.height)

    def _sync(self, *, populate: bool) -> None:
        promise = HELPERS.syncfs(populate)
        if can_run_sync():
            run_sync(promise)
        else:                      # no JSPI: the copy still happens, but nobody can wait for it
            log.warning("IndexedDB sync not awaited (no JSPI): the last change may be lost on a crash")

    def _ask_for_persistence(self) -> None:
        """Ask the browser not to evict the outbox under storage pressure (granted for installed apps)."""
        storage = getattr(js.navigator, "storage", None)
        if storage is not None and hasattr(storage, "persist"):
            try:
                storage.persist()
            except JsException:
                log.info("storage.persist() refused", exc_info=True)


def pbkdf2_hmac(hash_name: str, password: bytes, salt: bytes, iterations: int, dklen: int | None = None) -> bytes:
    """``hashlib.pbkdf2_hmac`` for SHA-256 through WebCrypto (pure Python where a promise cannot be waited for)."""
    if hash_name.lower().replace("-", "") != "sha256":
        raise ValueError(f"unsupported hash type {hash_name}")
    length = dklen or 32
    if can_run_sync():
        derived = run_sync(HELPERS.pbkdf2(to_js(bytes(password)), to_js(bytes(salt)), iterations, length * 8))
        return derived.to_bytes()
    return _pbkdf2_python(bytes(password), bytes(salt), iterations, length)


def _pbkdf2_python(password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    mac = hmac.new(password, digestmod="sha256")
    out = b""
    block = 1
    while len(out) < length:
        first = mac.copy()
        first.update(salt + block.to_bytes(4, "big"))
        u = first.digest()
        total = int.from_bytes(u, "big")
        for _ in range(iterations - 1):
            step = mac.copy()
            step.update(u)
            u = step.digest()
            total ^= int.from_bytes(u, "big")
        out += total.to_bytes(32, "big")
        block += 1
    return out[:length]
