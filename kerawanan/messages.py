"""The catalogue of validation messages, Bahasa Indonesia first, English second.

``message(reason, lang, **params)`` turns a stable reason code (``required``, ``too_long``, …)
into words. The code is what programs compare; the words are what an officer or a client
developer reads, so they say what to do, not only what went wrong.
"""
from __future__ import annotations

# reason -> (Bahasa Indonesia, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Wajib diisi.", "Required."),
    "unknown_field": ("Isian tidak dikenal; hapus isian ini.", "Unknown field; remove it."),
    "bad_type": ("Jenis isian salah: harus berupa {expected}.", "Wrong type: must be {expected}."),
    "bad_format": ("Format salah: {expected}.", "Wrong format: {expected}."),
    "bad_choice": ("Pilihan tidak dikenal; harus salah satu dari: {choices}.",
                   "Unknown choice; must be one of: {choices}."),
    "too_long": ("Terlalu panjang: paling banyak {max} karakter.", "Too long: at most {max} characters."),
    "empty": ("Tidak boleh kosong.", "Must not be empty."),
    "out_of_range": ("Harus antara {min} dan {max}.", "Must be between {min} and {max}."),
    "out_of_range:min": ("Tidak boleh kurang dari {min}.", "Must be at least {min}."),
    "too_many": ("Terlalu banyak: paling banyak {max} butir.", "Too many: at most {max} items."),
    "duplicate_item": ("Sudah tercantum sebelumnya di daftar ini.", "Already listed earlier in this list."),
    "not_desa": ("Bukan kode desa/kelurahan yang dikenal (contoh: 15.72.07.2004).",
                 "Not a known desa/kelurahan code (e.g. 15.72.07.2004)."),
    "out_of_bounds": ("Lokasi di luar wilayah Indonesia; periksa GPS.",
                      "Location outside Indonesia; check the GPS."),
    "in_future": ("Waktunya lebih dari {minutes} menit di masa depan; periksa jam dan tanggal ponsel.",
                  "More than {minutes} minutes in the future; check the phone's date and time."),
    "too_early": ("Waktunya sebelum {since}; periksa jam dan tanggal ponsel.",
                  "Earlier than {since}; check the phone's date and time."),
    "bad_offset": ("Zona waktu di luar ±14:00; periksa jam dan zona waktu ponsel.",
                   "UTC offset beyond ±14:00; check the phone's time zone."),
    "stage_mismatch": ("Tidak sesuai dengan waktu kejadian: hari itu termasuk tahapan {expected}; "
                       "kosongkan agar diisi otomatis.",
                       "Does not match observed_at: that day falls in the tahapan {expected}; "
                       "leave it empty to have it filled in."),
    "self_reference": ("Laporan tidak boleh mengoreksi dirinya sendiri.",
                       "A report cannot supersede itself."),
    "not_allowed": ("Tidak boleh diisi untuk laporan {category}; kosongkan isian ini.",
                    "Not allowed in a {category} report; leave it out."),
    "report_invalid": ("Laporan tidak valid: {count} isian perlu diperbaiki.",
                       "Invalid report: {count} field(s) need fixing."),
}

# Words for the ``expected`` parameter of bad_type / bad_format.
EXPECTED: dict[str, tuple[str, str]] = {
    "text": ("teks", "text"),
    "number": ("angka", "a number"),
    "integer": ("bilangan bulat", "a whole number"),
    "object": ("objek JSON", "a JSON object"),
    "list": ("daftar", "a list"),
    "uuid": ("harus berupa UUID, mis. 6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55",
             "must be a UUID, e.g. 6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55"),
    "datetime": ("harus berupa waktu ISO-8601 dengan zona waktu, mis. 2024-11-27T21:40:00+07:00",
                 "must be an ISO-8601 time with a UTC offset, e.g. 2024-11-27T21:40:00+07:00"),
    "sha256": ("harus berupa SHA-256: 64 karakter 0-9 dan a-f",
               "must be a SHA-256: 64 characters 0-9 and a-f"),
    "text_chars": ("berisi karakter yang tidak diizinkan", "contains characters that are not allowed"),
}


class _Params(dict):
    """Format parameters that never raise: a missing one shows as an ellipsis."""

    def __missing__(self, key: str) -> str:
        return "…"


def message(reason: str, lang: str = "id", **params: object) -> str:
    """The message for ``reason`` in ``lang`` ("id" or "en"; anything else gets Indonesian)."""
    if reason == "out_of_range" and params.get("max") is None:
        reason = "out_of_range:min"
    english = lang == "en"
    texts = MESSAGES.get(reason)
    if texts is None:
        return reason
    words = _Params({name: _word(name, value, english) for name, value in params.items()})
    return texts[english].format_map(words)


def _word(name: str, value: object, english: bool) -> str:
    if name == "expected" and isinstance(value, str) and value in EXPECTED:
        return EXPECTED[value][english]
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if english else f"{value:,}".replace(",", ".")
    return str(value)
