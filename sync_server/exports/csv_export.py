"""Reports as CSV for Excel at a Polres: streamed in chunks, one line per report, safe to open.

Format: RFC 4180 — comma-separated, fields quoted when needed (commas, quotes, line breaks inside
``facts`` stay in one cell), CRLF line ends, UTF-8 **with a byte-order mark**. The BOM is what
makes Excel on Windows read the file as UTF-8 on a double-click (without it Excel assumes the
ANSI code page and "Jum'at"/"é" come out garbled); Python, pandas (``encoding="utf-8-sig"``),
LibreOffice and QGIS all accept it. Excel set to Indonesian regional settings uses ";" as its
list separator and "," as the decimal mark: there, open the file through *Data → From
Text/CSV* (delimiter: comma, file origin: UTF-8) instead of double-clicking it.

``officer_name`` (last, so earlier columns keep their places) is the officer by rank, name and post
(``sync_server/people.py``), when the row brings it. Times are WIB (UTC+7) as ``YYYY-MM-DD HH:MM:SS`` (Excel reads that as a date and time).
Officers' free text is guarded against formula injection: a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so Excel shows it as
text instead of running it. Numbers the server produced (coordinates, counts) are never altered.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sync_server.exports import places, wording

BOM = "\ufeff"
COLUMNS = (
    "id", "observed_at_wib", "received_at_wib", "officer", "category", "category_label",
    "threat_stage", "stage", "desa_code", "desa", "kecamatan", "kabupaten", "lat", "lon",
    "people_count", "grade", "review_status", "facts", "opinion", "tps", "media_count", "supersedes",
    "officer_name",
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
CHUNK_CHARS = 32_768


def render_reports_csv(rows: Iterable[Mapping]) -> Iterator[str]:
    """Yield the CSV text chunk by chunk: the BOM and header first, then about ``CHUNK_CHARS`` of
    rows at a time (whole lines only).

    A row is a report as the API sends it (wire fields plus ``officer``, ``received_at`` and
    ``review``); ``desa``/``kecamatan``/``kabupaten`` names are looked up from ``desa_code``
    unless the row brings them. Rows are read lazily, so a large export never sits in memory.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield BOM + _drain(buffer)
    for row in rows:
        writer.writerow([_cell(value) for value in _values(row)])
        if buffer.tell() >= CHUNK_CHARS:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _values(row: Mapping) -> list[Any]:
    desa, kecamatan, kabupaten = places.lineage(row.get("desa_code"))
    location = row.get("location") if isinstance(row.get("location"), Mapping) else {}
    review = row.get("review")
    status = review.get("status") if isinstance(review, Mapping) else review
    media = row.get("media")
    return [
        row.get("id"), _wib(row.get("observed_at")), _wib(row.get("received_at")),
        row.get("officer"), row.get("category"), wording.category_label(row.get("category")),
        row.get("threat_stage"), row.get("stage"), row.get("desa_code"),
        row.get("desa") or (desa.name if desa else None),
        row.get("kecamatan") or (kecamatan.name if kecamatan else None),
        row.get("kabupaten") or (kabupaten.name if kabupaten else None),
        _number(location.get("lat")), _number(location.get("lon")), _number(row.get("people_count")),
        _grade(row), status, row.get("facts"), row.get("opinion"), row.get("tps"),
        len(media) if isinstance(media, list | tuple) else 0, row.get("supersedes"), row.get("officer_name"),
    ]


def _wib(value: Any) -> Any:
    """WIB clock time; text that is no readable aware time is kept as it came."""
    return wording.wib_text(value) or (value if isinstance(value, str) else None)


def _grade(row: Mapping) -> str:
    """The supervisor's regrade when there is one, else the officer's grade ("B2")."""
    review = row.get("review")
    if isinstance(review, Mapping) and review.get("grade"):
        return str(review["grade"])
    reliability, credibility = row.get("source_reliability"), row.get("info_credibility")
    return f"{reliability or ''}{credibility or ''}"


def _number(value: Any) -> int | float | None:
    """A real number stays a number (unguarded); anything else is dropped from a numeric column."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _cell(value: Any) -> str:
    kind = type(value)  # exact types first: this runs for every cell of every row
    if kind is str:
        return "'" + value if value[:1] in _TRIGGER_SET else value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    return guard_formula(str(value))


def guard_formula(text: str) -> str:
    """Text that Excel would read as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
