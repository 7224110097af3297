"""The real clock. Everything else takes the clock as an argument (``create_app(clock=...)``)."""
from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)
