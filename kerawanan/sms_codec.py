"""A report as signed SMS text, and back: the encoding of docs/sms.md (version ``PR1``).

Pure (no I/O, no clock): the app encodes, the server decodes, both with this module. A report's
wire object becomes a compact *body* (codes as indexes of the vocabulary and the gazetteer, times
as minutes since ``EPOCH``, ids as base-62, free text as is, length-prefixed), the body is signed
with the device's SMS key (HMAC-SHA256, truncated), and the signed payload is cut into parts that
each fit one SMS with their own header ``PR1 <device> <counter> <i>/<n> ``. A report that would
need more than ``MAX_PARTS`` parts goes as a *short version* (flag ``S``): no photos, no opinion,
its facts cut and marked ``SHORT_MARK``; the full report follows by data under the same id.

``decode_body(encode_body(wire)) == wire`` for every valid report's ``to_wire()``.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from kerawanan.report import TAHAPAN_CODES
from kerawanan.vocab import CATEGORY_CODES, THREAT_STAGES

TAG = "PR1"
MAX_PARTS = 4
SIG_LEN = 10
DEVICE_LEN = 8
EPOCH = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=7)))   # 2024-01-01 00:00 WIB
DEFAULT_OFFSET = 7 * 60                                              # WIB, minutes
SHORT_MARK = " [SMS singkat]"
SEP = "*"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GSM_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM_SEPTETS, UCS2_UNITS = 160, 70
_MINUTE_US = 60_000_000
_B62_INDEX = {char: value for value, char in enumerate(B62)}


class SmsFormatError(ValueError):
    """The text is not a well-formed PR1 message (garbled, truncated, unknown version)."""


class SmsTooLong(ValueError):
    """Even the short version needs more than the parts allowed (long non-GSM-7 tps or ids)."""


@dataclass(frozen=True, slots=True)
class Part:
    device: str          # the device id's short form: its first 8 hex digits
    counter: int         # the device's SMS counter (a nonce: never reused by one device)
    index: int           # 1-based
    total: int
    chunk: str


@dataclass(frozen=True, slots=True)
class Encoded:
    parts: tuple[str, ...]
    short: bool


@dataclass(frozen=True, slots=True)
class Decoded:
    wire: dict[str, Any]
    short: bool


# --- numbers -----------------------------------------------------------------------------------

def b62(number: int, width: int = 0) -> str:
    if number < 0:
        return "-" + b62(-number, width)
    digits = ""
    while number:
        number, digit = divmod(number, 62)
        digits = B62[digit] + digits
    return (digits or "0").rjust(width, "0")


def from_b62(text: str) -> int:
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text)
    if not digits:
        raise SmsFormatError("empty number")
    value = 0
    for char in digits:
        digit = _B62_INDEX.get(char)
        if digit is None:
            raise SmsFormatError(f"bad digit {char!r}")
        value = value * 62 + digit
    return sign * value


def short_device(device_id: str) -> str:
    """The device id as it travels in an SMS: its first 8 hex digits."""
    return device_id.replace("-", "").lower()[:DEVICE_LEN]


def short_code(report_id: str) -> str:
    """Four characters a person can read back ("7F3K"): the id's first 20 bits in Crockford base-32."""
    top = uuid.UUID(report_id).int >> 108
    return "".join(CROCKFORD[(top >> shift) & 31] for shift in (15, 10, 5, 0))


# --- fields ------------------------------------------------------------------------------------

def _time(moment: datetime, base_us: int = 0) -> str:
    offset = int(moment.utcoffset() // timedelta(minutes=1))
    us = (moment - EPOCH) // timedelta(microseconds=1) - base_us
    sign, us = ("-", -us) if us < 0 else ("", us)
    minutes, rest = divmod(us, _MINUTE_US)
    text = sign + b62(minutes) + (f".{b62(rest)}" if rest else "")
    return text + (f"@{b62(offset + 14 * 60)}" if offset != DEFAULT_OFFSET else "")


def _parse_time(text: str, base_us: int = 0) -> tuple[datetime, int]:
    value, _, offset = text.partition("@")
    sign = -1 if value.startswith("-") else 1
    minutes, _, rest = value.lstrip("-").partition(".")
    us = sign * (from_b62(minutes) * _MINUTE_US + (from_b62(rest) if rest else 0)) + base_us
    minutes_east = from_b62(offset) - 14 * 60 if offset else DEFAULT_OFFSET
    if not -14 * 60 <= minutes_east <= 14 * 60:
        raise SmsFormatError("bad offset")
    try:
        moment = (EPOCH + timedelta(microseconds=us)).astimezone(timezone(timedelta(minutes=minutes_east)))
    except OverflowError:
        raise SmsFormatError("time out of range") from None
    return moment, us


def _number(value: float) -> str:
    micro = round(value * 1_000_000)
    if micro / 1_000_000 == value:
        return b62(micro)
    return "!" + repr(float(value))


def _parse_number(text: str) -> float:
    if text.startswith("!"):
        try:
            return float(text[1:])
        except ValueError:
            raise SmsFormatError("bad number") from None
    return from_b62(text) / 1_000_000


def _uuid(text: str) -> str:
    return b62(uuid.UUID(text).int, 22)


def _parse_uuid(text: str) -> str:
    if len(text) != 22:
        raise SmsFormatError("bad id")
    value = from_b62(text)
    if not 0 <= value < 1 << 128:
        raise SmsFormatError("bad id")
    return str(uuid.UUID(int=value))


def _text(value: str | None) -> str:
    return "" if value is None else f"{b62(len(value))}:{value}"


def _code(value: str | None, codes: Sequence[str]) -> str:
    if value is None:
        return "-"
    return B62[codes.index(value)] if value in codes and codes.index(value) < 62 else "=" + value


def _parse_code(text: str, codes: Sequence[str]) -> str | None:
    if text == "-":
        return None
    if text.startswith("="):
        return text[1:]
    index = from_b62(text)
    if not 0 <= index < len(codes):
        raise SmsFormatError("bad code")
    return codes[index]


# --- the body ----------------------------------------------------------------------------------

def encode_body(wire: dict[str, Any], desa_codes: Sequence[str], *, short: bool = False) -> str:
    """The compact body of a report's wire object (``Report.to_wire()`` form)."""
    observed = datetime.fromisoformat(wire["observed_at"])
    observed_us = (observed - EPOCH) // timedelta(microseconds=1)
    recorded = wire.get("recorded_at")
    location = wire.get("location")
    grade = (wire.get("source_reliability") or "-") + str(wire.get("info_credibility") or "-")
    desa = wire["desa_code"]
    head = ("S" if short else "F") + B62[CATEGORY_CODES.index(wire["category"])] \
        + _code(wire.get("threat_stage"), THREAT_STAGES) + _code(wire.get("stage"), TAHAPAN_CODES)
    tokens = [
        head,
        _uuid(wire["id"]),
        b62(_bisect(desa_codes, desa)) if _bisect(desa_codes, desa) >= 0 else "=" + desa,
        _time(observed),
        "" if recorded is None else _time(datetime.fromisoformat(recorded), observed_us),
        "" if location is None else ",".join(
            [_number(location["lat"]), _number(location["lon"])]
            + ([] if location.get("accuracy_m") is None else [_number(location["accuracy_m"])])),
        "" if wire.get("people_count") is None else b62(wire["people_count"]),
        "" if grade == "--" else grade,
        "" if wire.get("supersedes") is None else _uuid(wire["supersedes"]),
        "".join(b62(int(sha, 16), 43) for sha in wire.get("media") or ()),
        _text(wire.get("tps")),
        _text(wire.get("facts")),
        _text(wire.get("opinion")),
    ]
    return SEP.join(tokens)


def decode_body(body: str, desa_codes: Sequence[str]) -> Decoded:
    """The wire object of a body; ``SmsFormatError`` when it is not one."""
    reader = _Reader(body)
    try:
        head = reader.token()
        if len(head) < 4 or head[0] not in "FS":
            raise SmsFormatError("bad head")
        category = CATEGORY_CODES[from_b62(head[1])]
        threat = _parse_code(head[2], THREAT_STAGES)
        stage = _parse_code(head[3:], TAHAPAN_CODES)
        report_id = _parse_uuid(reader.token())
        desa = _parse_desa(reader.token(), desa_codes)
        observed, observed_us = _parse_time(reader.token())
        recorded = reader.token()
        location = reader.token()
        people = reader.token()
        grade = reader.token()
        supersedes = reader.token()
        media = reader.token()
        wire = {
            "id": report_id, "observed_at": observed.isoformat(),
            "recorded_at": None if not recorded else _parse_time(recorded, observed_us)[0].isoformat(),
            "category": category, "threat_stage": threat, "desa_code": desa,
            "location": _parse_location(location), "stage": stage,
            "people_count": from_b62(people) if people else None,
            "source_reliability": None if not grade or grade[0] == "-" else grade[0],
            "info_credibility": None if not grade or grade[1:] == "-" else int(grade[1:]),
            "tps": reader.text(), "facts": reader.text(), "opinion": reader.text(),
            "media": _parse_media(media),
            "supersedes": _parse_uuid(supersedes) if supersedes else None,
        }
        reader.end()
    except (IndexError, ValueError, KeyError) as error:
        raise SmsFormatError(f"garbled body: {error}") from None
    return Decoded(wire={key: wire[key] for key in _WIRE_ORDER}, short=head[0] == "S")


_WIRE_ORDER = ("id", "observed_at", "recorded_at", "category", "threat_stage", "desa_code", "location",
               "stage", "people_count", "source_reliability", "info_credibility", "facts", "opinion",
               "tps", "media", "supersedes")


def _bisect(codes: Sequence[str], code: str) -> int:
    """The index of ``code`` in the sorted ``codes``, else -1."""
    low, high = 0, len(codes)
    while low < high:
        middle = (low + high) // 2
        if codes[middle] < code:
            low = middle + 1
        else:
            high = middle
    return low if low < len(codes) and codes[low] == code else -1


def _parse_desa(text: str, desa_codes: Sequence[str]) -> str:
    if text.startswith("="):
        return text[1:]
    index = from_b62(text)
    if not 0 <= index < len(desa_codes):
        raise SmsFormatError("unknown desa index")
    return desa_codes[index]


def _parse_location(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    numbers = [_parse_number(part) for part in text.split(",")]
    if len(numbers) not in (2, 3):
        raise SmsFormatError("bad location")
    return {"lat": numbers[0], "lon": numbers[1], "accuracy_m": numbers[2] if len(numbers) == 3 else None}


def _parse_media(text: str) -> list[str]:
    if len(text) % 43:
        raise SmsFormatError("bad media")
    return [format(from_b62(text[at:at + 43]), "064x") for at in range(0, len(text), 43)]


class _Reader:
    def __init__(self, text: str):
        self.text_, self.at = text, 0

    def token(self) -> str:
        end = self.text_.find(SEP, self.at)
        if end < 0:
            raise SmsFormatError("truncated body")
        value, self.at = self.text_[self.at:end], end + 1
        return value

    def text(self) -> str | None:
        if self.at >= len(self.text_) or self.text_[self.at] == SEP:
            self.at += 1
            return None
        colon = self.text_.find(":", self.at)
        if colon < 0:
            raise SmsFormatError("truncated text")
        length = from_b62(self.text_[self.at:colon])
        value = self.text_[colon + 1:colon + 1 + length]
        if len(value) != length:
            raise SmsFormatError("truncated text")
        self.at = colon + 1 + length + 1
        return value

    def end(self) -> None:
        if self.at < len(self.text_):
            raise SmsFormatError("trailing text")


# --- signing and parts -------------------------------------------------------------------------

def signature(key: bytes, device: str, counter: int, total: int, body: str) -> str:
    """The truncated HMAC-SHA256 of what one message says (10 base-62 characters, ~59 bits)."""
    signed = f"{TAG}|{device}|{counter}|{total}|{body}".encode()
    top = int.from_bytes(hmac.new(key, signed, hashlib.sha256).digest()[:8], "big") >> 5
    return b62(top, SIG_LEN)


def encode_report(wire: dict[str, Any], *, device_id: str, counter: int, key: bytes,
                  desa_codes: Sequence[str], max_parts: int = MAX_PARTS) -> Encoded:
    """The SMS texts of a report, in order; the short version when the full needs > ``max_parts``."""
    parts = _signed_parts(encode_body(wire, desa_codes), device_id, counter, key)
    if len(parts) <= max_parts:
        return Encoded(parts, short=False)
    facts = wire.get("facts") or ""
    low, high = 0, len(facts)
    best = None
    while low <= high:                   # the longest cut of the facts that still fits
        middle = (low + high) // 2
        candidate = _signed_parts(encode_body(_shortened(wire, facts[:middle]), desa_codes, short=True),
                                  device_id, counter, key)
        if len(candidate) <= max_parts:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    if best is None:
        raise SmsTooLong("report does not fit even as a short version")
    return Encoded(best, short=True)


def _shortened(wire: dict[str, Any], facts: str) -> dict[str, Any]:
    return {**wire, "facts": facts.rstrip() + SHORT_MARK, "opinion": None, "media": []}


def _signed_parts(body: str, device_id: str, counter: int, key: bytes) -> tuple[str, ...]:
    device = short_device(device_id)
    for total in range(1, 62):
        payload = body + "#" + signature(key, device, counter, total, body)
        chunks = split_chunks(payload, len(_header(device, counter, 1, total)))
        if len(chunks) == total:
            return tuple(_header(device, counter, index, total) + chunk
                         for index, chunk in enumerate(chunks, 1))
        if len(chunks) < total:
            break
    raise SmsTooLong("report too long for SMS")


def _header(device: str, counter: int, index: int, total: int) -> str:
    return f"{TAG} {device} {b62(counter)} {B62[index]}/{B62[total]} "


def is_gsm7(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def split_chunks(payload: str, header_len: int) -> list[str]:
    """``payload`` cut so that header + chunk fits one SMS (160 GSM-7 septets, else 70 UTF-16 units)."""
    gsm = is_gsm7(payload)
    room = (GSM_SEPTETS if gsm else UCS2_UNITS) - header_len
    chunks, current, used = [], "", 0
    for char in payload:
        cost = (2 if char in GSM_EXTENSION else 1) if gsm else (2 if ord(char) > 0xFFFF else 1)
        if used + cost > room:
            chunks.append(current)
            current, used = "", 0
        current, used = current + char, used + cost
    return [*chunks, current] if current or not chunks else chunks


def parse_part(text: str) -> Part:
    """One received SMS as a part of a PR1 message; ``SmsFormatError`` when it is not one."""
    pieces = text.split(" ", 4)
    if len(pieces) < 5 or pieces[0] != TAG:
        raise SmsFormatError("not a PR1 message")
    _, device, counter, position, chunk = pieces
    index, slash, total = position.partition("/")
    if len(device) != DEVICE_LEN or slash != "/" or len(index) != 1 or len(total) != 1:
        raise SmsFormatError("bad header")
    part = Part(device.lower(), from_b62(counter), from_b62(index), from_b62(total), chunk)
    if not 1 <= part.index <= part.total or part.counter < 0:
        raise SmsFormatError("bad part number")
    return part


def join_parts(parts: Iterable[Part]) -> tuple[str, str]:
    """``(body, signature)`` of a complete set of parts (any order); ``SmsFormatError`` otherwise."""
    by_index = {part.index: part for part in parts}
    totals = {part.total for part in by_index.values()}
    if len(totals) != 1 or set(by_index) != set(range(1, totals.pop() + 1)):
        raise SmsFormatError("parts missing")
    payload = "".join(by_index[index].chunk for index in sorted(by_index))
    body, hash_mark, sig = payload.rpartition("#")
    if not hash_mark or len(sig) != SIG_LEN:
        raise SmsFormatError("no signature")
    return body, sig


def verify(key: bytes, part: Part, body: str, sig: str) -> bool:
    return hmac.compare_digest(signature(key, part.device, part.counter, part.total, body), sig)


def sms_time(moment: datetime) -> str:
    """A moment as an officer reads it in an SMS: ``21:52`` WIB."""
    return moment.astimezone(timezone(timedelta(hours=7))).strftime("%H:%M")


__all__ = ["Decoded", "Encoded", "Part", "SmsFormatError", "SmsTooLong", "decode_body", "encode_body", "encode_report",
           "join_parts", "parse_part", "short_code", "short_device", "signature", "sms_time", "split_chunks",
           "verify"]
