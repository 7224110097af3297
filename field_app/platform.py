"""Where the app's Python runs, behind one small interface: a CPython host, or a browser (Pyodide).

The app is the same code on a phone (``flet build apk``), a desktop, the web-mode host and in a
browser tab (``make web-offline``). A browser differs in five ways, and only here:

| concern | CPython (phone, desktop, web-mode host) | browser (Pyodide in a Web Worker) |
|---|---|---|
| data folder | ``FLET_APP_STORAGE_DATA`` or ``./var/app`` | ``/peta_rawan`` on IndexedDB (IDBFS) |
| durable | SQLite's fsync on commit | + the IndexedDB copy written after each commit |
| HTTP | ``requests`` (``sync_client.RequestsTransport``) | the browser's ``fetch`` |
| background work | a thread | none (no threads): done when first needed |
| photos, PIN hash | Pillow, ``hashlib.pbkdf2_hmac`` | the browser's image codecs and WebCrypto |

``current()`` is the one instance; nothing else asks whether it runs in a browser.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

IN_BROWSER = sys.platform == "emscripten"


class Host:
    """CPython: the phone's app, a desktop, or the web-mode host."""

    name = "host"

    def install(self) -> None:
        """Prepare the process before the first device is made (nothing to do here)."""

    def cannot_run(self) -> str | None:
        """A message for the officer when the app cannot run here (a browser without what it needs)."""
        return None

    def open_storage(self, folder: Path) -> None:
        """Make ``folder`` ready to hold the outbox."""
        folder.mkdir(parents=True, exist_ok=True)

    def make_durable(self) -> None:
        """Called after each committed transaction: SQLite's own fsync already made it durable."""

    def start_background(self, work: Callable[[], Any], name: str) -> None:
        """Warm something up without holding the caller (e.g. parse the gazetteer)."""
        threading.Thread(target=work, name=name, daemon=True).start()

    def new_transport(self) -> Any:
        from field_app.sync_client import RequestsTransport

        return RequestsTransport()

    def shrink_photo(self, raw: bytes, max_side: int, quality: int) -> tuple[bytes, int, int]:
        from field_app.photos import shrink_with_pillow

        return shrink_with_pillow(raw, max_side, quality)


_current: Host | None = None
_lock = threading.Lock()


def current() -> Host:
    """The platform this process runs on, installed on first use."""
    global _current
    with _lock:
        if _current is None:
            if IN_BROWSER:
                from field_app.web.browser import Browser

                _current = Browser()
            else:
                _current = Host()
            _current.install()
        return _current

