"""Checking small JSON request bodies field by field, collecting every problem into one 422.

Messages are Indonesian with English twins; ``fields`` is keyed by the field's JSON path.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kerawanan.errors import InvalidInput
from kerawanan.moments import parse_moment

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REGION_CODE_RE = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")


class Fields:
    """One request body (a JSON object) being checked."""

    def __init__(self, body: object, *, required: Iterable[str], optional: Iterable[str] = ()):
        self.fields: dict[str, str] = {}
        self.fields_en: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.required = tuple(required)
        allowed = set(self.required) | set(optional)
        if not isinstance(body, dict):
            self.body: dict[str, Any] = {}
            self.fail("$", "type", "Isi permintaan harus objek JSON.", "The body must be a JSON object.")
            return
        self.body = body
        for name in sorted(set(body) - allowed):
            self.fail(name, "unknown", "Kolom tidak dikenal.", "Unknown field.")
        for name in self.required:
            if body.get(name) is None:
                self.fail(name, "required", "Wajib diisi.", "Required.")

    def fail(self, path: str, reason: str, message: str, message_en: str) -> None:
        self.fields.setdefault(path, message)
        self.fields_en.setdefault(path, message_en)
        self.reasons.setdefault(path, reason)

    def text(self, name: str, *, max_length: int, min_length: int = 1,
             pattern: re.Pattern[str] | None = None) -> str | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, "type", "Harus teks.", "Must be a string.")
        elif not min_length <= len(value) <= max_length:
            self.fail(name, "length", f"Panjang harus {min_length}–{max_length} karakter.",
                      f"Length must be {min_length}–{max_length} characters.")
        elif pattern is not None and not pattern.fullmatch(value):
            self.fail(name, "format", "Format tidak sah.", "Invalid format.")
        else:
            return value
        return None

    def choice(self, name: str, options: Iterable[str]) -> str | None:
        options = tuple(options)
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or value not in options:
            self.fail(name, "choice", "Pilihan tidak dikenal: " + ", ".join(options),
                      "Unknown choice; one of: " + ", ".join(options))
            return None
        return value

    def text_list(self, name: str, *, max_items: int, pattern: re.Pattern[str]) -> list[str] | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not 1 <= len(value) <= max_items:
            self.fail(name, "type", f"Harus daftar 1–{max_items} teks.",
                      f"Must be a list of 1–{max_items} strings.")
            return None
        for index, item in enumerate(value):
            if not isinstance(item, str) or not pattern.fullmatch(item):
                self.fail(f"{name}[{index}]", "format", "Format tidak sah.", "Invalid format.")
        return list(dict.fromkeys(value)) if self.ok(prefix=name) else None

    def ok(self, prefix: str | None = None) -> bool:
        if prefix is None:
            return not self.fields
        return not any(path == prefix or path.startswith(prefix + "[") for path in self.fields)

    def raise_if_invalid(self) -> None:
        if self.fields:
            raise InvalidInput("Isian tidak valid.", message_en="Invalid input.", fields=self.fields,
                               fields_en=self.fields_en, reasons=self.reasons)


def invalid_parameter(name: str, message: str, message_en: str, reason: str = "format") -> InvalidInput:
    return InvalidInput("Parameter permintaan tidak valid.", message_en="Invalid request parameters.",
                        fields={name: message}, fields_en={name: message_en}, reasons={name: reason})


def parse_instant(name: str, text: str | None) -> datetime | None:
    """An ISO-8601 instant with a timezone (``Z`` or an offset within ±14:00) that can be converted
    to UTC (``kerawanan.moments``), else 422."""
    if text is None:
        return None
    moment = parse_moment(text)
    if moment is None:
        raise invalid_parameter(name, "Harus waktu ISO-8601 dengan zona waktu (paling jauh ±14:00), "
                                "mis. 2024-11-27T21:40:00+07:00.",
                                "Must be an ISO-8601 time with a UTC offset (at most ±14:00), "
                                "e.g. 2024-11-27T21:40:00+07:00.")
    return moment
