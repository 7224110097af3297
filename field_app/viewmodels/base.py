"""What every view-model shares: a translator and change listeners (no UI framework involved).

A view registers ``subscribe(callback)``; every intent method that changes what the screen shows
ends with ``self.changed()``. The Flet layer re-renders and calls ``update()`` in that callback.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from field_app.i18n import Translator

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ViewModel:
    def __init__(self, *, clock: Clock = utc_now, translator: Translator | None = None):
        self.clock = clock
        self.t = translator or Translator()
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()
