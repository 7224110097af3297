"""Turning the query string of ``GET /reports`` into a ``ReportQuery`` inside the caller's scope."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kerawanan.vocab import CATEGORY_CODES
from sync_server.scope import Principal
from sync_server.storage.base import REVIEW_STATUSES, ReportQuery
from sync_server.validation import REGION_CODE_RE, invalid_parameter, parse_instant

if TYPE_CHECKING:
    from sync_server.services import Services

MAX_CURSOR = 2**62


def report_query(principal: Principal, services: Services, *, region: str | None, category: str | None,
                 stage: str | None, review: str | None, since: str | None, limit: int | None,
                 cursor: str | None) -> ReportQuery:
    """422 on an unknown code; filters outside the caller's scope simply match nothing."""
    if region is not None and (not REGION_CODE_RE.fullmatch(region) or services.gazetteer.find(region) is None):
        raise invalid_parameter("region", "Kode wilayah tidak dikenal.", "Unknown region code.", "unknown")
    _require_choice("category", category, CATEGORY_CODES)
    _require_choice("stage", stage, tuple(services.calendar.codes))
    _require_choice("review", review, REVIEW_STATUSES)
    return ReportQuery(scopes=principal.report_scopes(), region=region, category=category, stage=stage,
                       review=review, since=parse_instant("since", since), before_seq=parse_cursor(cursor),
                       limit=limit or services.settings.limits.page_default)


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or not 0 < int(cursor) <= MAX_CURSOR:
        raise invalid_parameter("cursor", "Kursor tidak sah.", "Invalid cursor.")
    return int(cursor)


def _require_choice(name: str, value: str | None, options: tuple[str, ...]) -> None:
    if value is not None and value not in options:
        raise invalid_parameter(name, "Pilihan tidak dikenal: " + ", ".join(options),
                                "Unknown choice; one of: " + ", ".join(options), "choice")
