"""The app's own errors for everything that can go wrong between the phone and the server.

``sync_client`` turns every transport failure and every error response into one of these, so no
other module ever sees a ``requests`` exception. They sit in the core's error tree
(``KerawananError``): each has a status, a dotted code and a message an officer can read.
"""
from __future__ import annotations

from typing import Any

from kerawanan.errors import KerawananError


class Offline(KerawananError):
    """The server could not be reached (no signal, DNS, timeout, captive portal). Retry later."""

    status, code = 503, "sync.offline"

    def __init__(self, message: str = "Tidak ada sinyal, akan dicoba lagi.", *, reason: str = "",
                 message_en: str = "No signal, will retry.", **kwargs: Any):
        super().__init__(message, message_en=message_en, **kwargs)
        self.reason = reason
        if reason:
            self.details.setdefault("reason", reason)


class ServerUnavailable(Offline):
    """The server (or a proxy in front of it) answered 5xx: transient, retry later."""

    code = "sync.server_unavailable"


class ServerRejected(KerawananError):
    """The server refused the request with its one error shape; ``code`` and ``message`` are its."""

    def __init__(self, status: int, code: str, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message, code=code, details=details)
        self.status = status


class AuthRevoked(ServerRejected):
    """401: the device token is missing, wrong or revoked. The officer must enroll again."""


class RateLimited(ServerRejected):
    """429: too many requests; wait ``retry_after`` seconds."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int,
                 details: dict[str, Any] | None = None):
        super().__init__(status, code, message, details=details)
        self.retry_after = max(1, int(retry_after))


class PinLocked(KerawananError):
    """Too many wrong PINs: unlocking is refused until ``until``."""

    status, code = 429, "pin.locked"

    def __init__(self, message: str, *, until, seconds_left: int, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.until = until
        self.seconds_left = seconds_left


class PhotoUnreadable(KerawananError):
    """The bytes given as a photo are not an image Pillow can read."""

    status, code = 415, "photo.unreadable"
