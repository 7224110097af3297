"""One error tree for the whole system.

Every error carries an HTTP status and a stable dotted code. The server maps these to the single
JSON error shape in exactly one place; the app turns them into words for the officer.
Messages are Bahasa Indonesia first; ``message_en`` is kept for English clients and logs.
"""
from __future__ import annotations

from typing import Any


class KerawananError(Exception):
    """Base of every error the system raises on purpose."""

    status: int = 500
    code: str = "internal"

    def __init__(self, message: str, *, code: str | None = None,
                 details: dict[str, Any] | None = None, message_en: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        if code is not None:
            self.code = code
        self.details = dict(details or {})

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        """The one error shape: {"error": {"code", "message", "details"}}."""
        message = self.message_en if lang == "en" else self.message
        return {"error": {"code": self.code, "message": message, "details": self.details}}


class MalformedRequest(KerawananError):
    status, code = 400, "request.malformed"


class Unauthorized(KerawananError):
    status, code = 401, "auth.unauthorized"


class Forbidden(KerawananError):
    status, code = 403, "auth.forbidden"


class NotFound(KerawananError):
    status, code = 404, "not_found"


class Conflict(KerawananError):
    status, code = 409, "conflict"


class StaleVersion(KerawananError):
    """``If-Match`` named a version that is no longer current (412)."""

    status, code = 412, "precondition.stale"


class PayloadTooLarge(KerawananError):
    status, code = 413, "request.too_large"


class UnsupportedMediaType(KerawananError):
    status, code = 415, "request.media_type"


class InvalidInput(KerawananError):
    """Validation failed. ``fields`` maps a JSON path to a message; ``reasons`` to a code."""

    status, code = 422, "request.invalid"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None,
                 reasons: dict[str, str] | None = None, code: str | None = None,
                 message_en: str | None = None, fields_en: dict[str, str] | None = None):
        fields = dict(fields or {})
        reasons = dict(reasons or {})
        super().__init__(message, code=code, message_en=message_en,
                         details={"fields": fields, "reasons": reasons})
        self.fields = fields
        self.reasons = reasons
        self.fields_en = dict(fields_en or fields)

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        body = super().to_dict(lang)
        if lang == "en":
            body["error"]["details"] = {**self.details, "fields": self.fields_en}
        return body


class InvalidReport(InvalidInput):
    code = "report.invalid"


class RateLimited(KerawananError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))
        self.details.setdefault("retry_after", self.retry_after)


class Unavailable(KerawananError):
    status, code = 503, "unavailable"
