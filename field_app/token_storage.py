"""Device tokens in the platform's secure storage, behind the synchronous ``TokenStore`` protocol.

On a phone (``flet build apk``) tokens go to ``flet-secure-storage`` (Android Keystore / iOS
Keychain). Its API is async and answers through the Flet client, while the view-models that read
and write tokens run in worker threads (enrolment and PIN checks are slow); so every call is sent
to the page's event loop with ``run_coroutine_threadsafe`` and waited for. Calling it *on* the
event loop would deadlock: that raises ``RuntimeError`` instead.

In web mode "the device" is the serving host, not the browser: tokens then live in the documented
``FileTokenStore`` (``pin.py``) in the app's data folder, so they survive a restart of the app
process and are shared by every browser that opens it.
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from field_app.pin import FileTokenStore, TokenStore

KEY_PREFIX = "peta_rawan.token."
TOKEN_FILE = "device_tokens.json"


class SecureTokenStore:
    """``TokenStore`` over a ``flet_secure_storage.SecureStorage`` service of one page."""

    def __init__(self, storage: Any, loop: asyncio.AbstractEventLoop, *, timeout: float = 10.0):
        self.storage = storage          # a strong reference keeps the service registered (notes, pitfall 7)
        self.loop = loop
        self.timeout = timeout

    def get(self, officer: str) -> str | None:
        value = self._call(self.storage.get(KEY_PREFIX + officer))
        return str(value) if value else None

    def set(self, officer: str, token: str) -> None:
        self._call(self.storage.set(KEY_PREFIX + officer, token))

    def delete(self, officer: str) -> None:
        self._call(self.storage.remove(KEY_PREFIX + officer))

    def _call(self, coroutine) -> Any:
        if _on_loop(self.loop):
            coroutine.close()
            raise RuntimeError("SecureTokenStore must be called from a worker thread, not the event loop")
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout as exc:
            future.cancel()
            raise RuntimeError("secure storage did not answer") from exc


def token_store_for(page: Any, data_dir: str | Path, *, file_store: TokenStore | None = None) -> TokenStore:
    """The keystore on a phone; the data folder's token file in web mode (and on desktop)."""
    if page.web or not page.platform or not page.platform.is_mobile():
        return file_store or FileTokenStore(Path(data_dir) / TOKEN_FILE)
    import flet_secure_storage as fss

    storage = fss.SecureStorage()
    page.services.append(storage)
    return SecureTokenStore(storage, asyncio.get_running_loop())


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return getattr(loop, "_thread_id", None) == threading.get_ident()
