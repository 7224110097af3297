"""Slow clients: a connection must send each request's headers within ``Settings.header_seconds``.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) but waits forever for the
rest of a request's headers, so a client trickling half a request line holds a connection (and a
file descriptor) for as long as it likes — the slowloris attack. ``HeaderDeadline`` is uvicorn's
own HTTP protocol with one more timer: armed when a connection opens and after each response,
it closes the connection if no request's headers have arrived by then. Bodies have their own
deadline where they are read (``sync_server.body``, ``sync_server.uploads``).

``serve`` passes the class to uvicorn (``http=``); it is importable by name, so ``--workers N``
processes get it too, and reads its deadline from the environment (``PETA_HEADER_SECONDS``).
"""
from __future__ import annotations

import asyncio
import functools

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:                                     # pragma: no cover - httptools is optional
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol  # type: ignore[assignment]

from sync_server.settings import Settings


@functools.cache
def header_seconds() -> float:
    return Settings.from_env().header_seconds


class HeaderDeadline(_Protocol):
    """uvicorn's HTTP protocol, closing a connection whose request headers are late."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self._header_timer = self.loop.call_later(header_seconds(), self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        waiting = self.cycle is None or self.cycle.response_complete     # no request under way
        if waiting and not self.transport.is_closing():
            self.transport.close()
