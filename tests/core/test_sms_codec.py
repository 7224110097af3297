"""The SMS encoding of a report (kerawanan.sms_codec, docs/sms.md): lossless, signed, in parts."""
from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerawanan import sms_codec as codec
from tests.core.builders import desa_codes, parse, report, reports, wire_report

KEY = bytes(range(32))
LATER = datetime(2030, 1, 1, tzinfo=UTC)
DEVICE = "3f2a9c1e-0b7d-4e55-9a61-1c2d3e4f5a6b"


def roundtrip(wire, **kwargs):
    encoded = codec.encode_report(wire, device_id=DEVICE, counter=7, key=KEY, desa_codes=desa_codes(), **kwargs)
    parts = [codec.parse_part(text) for text in encoded.parts]
    body, sig = codec.join_parts(reversed(parts))
    assert codec.verify(KEY, parts[0], body, sig)
    return encoded, codec.decode_body(body, desa_codes())


@settings(max_examples=200, deadline=None)
@given(reports())
def test_every_valid_report_survives_the_round_trip(original):
    wire = original.to_wire()
    decoded = codec.decode_body(codec.encode_body(wire, desa_codes()), desa_codes())
    assert decoded.wire == wire
    assert parse(decoded.wire, now=LATER).to_wire() == wire


@settings(max_examples=60, deadline=None)
@given(reports())
def test_signed_parts_round_trip_or_say_short(original):
    try:
        encoded, decoded = roundtrip(original.to_wire())
    except codec.SmsTooLong:      # only when the parts must be UCS-2 (70 units) and the fields are long
        assert not codec.is_gsm7(codec.encode_body(original.to_wire(), desa_codes()))
        return
    assert len(encoded.parts) <= codec.MAX_PARTS
    assert decoded.short == encoded.short
    if not encoded.short:
        assert decoded.wire == original.to_wire()
    else:
        assert decoded.wire["id"] == original.id and decoded.wire["facts"].endswith(codec.SHORT_MARK)


def test_each_part_fits_one_sms():
    wire = report(facts="Massa berkumpul di depan kantor PPK. " * 8, opinion=None, media=[]).to_wire()
    encoded, decoded = roundtrip(wire)
    assert len(encoded.parts) > 1 and not encoded.short
    assert all(len(text) <= 160 for text in encoded.parts)
    assert [codec.parse_part(t).index for t in encoded.parts] == list(range(1, len(encoded.parts) + 1))
    assert decoded.wire == wire


def test_unicode_text_uses_70_character_parts():
    wire = report(facts="Warga resah 😟 " * 3, opinion=None, media=[]).to_wire()
    encoded, decoded = roundtrip(wire)
    assert all(len(text.encode("utf-16-le")) // 2 <= 70 for text in encoded.parts)
    assert decoded.wire == wire


def test_too_long_goes_as_a_short_version_that_says_so():
    wire = report(facts="Kronologi kejadian panjang sekali. " * 100).to_wire()
    encoded, decoded = roundtrip(wire)
    assert encoded.short and len(encoded.parts) <= codec.MAX_PARTS
    assert decoded.short and decoded.wire["facts"].endswith(codec.SHORT_MARK)
    assert decoded.wire["media"] == [] and decoded.wire["opinion"] is None
    assert {k: v for k, v in decoded.wire.items() if k not in ("facts", "opinion", "media")} == \
        {k: v for k, v in wire.items() if k not in ("facts", "opinion", "media")}


def test_laporan_nihil_is_one_short_message():
    wire = wire_report(category="nihil", threat_stage=None, facts="", opinion=None, media=[], location=None,
                       people_count=None, tps=None)
    encoded, decoded = roundtrip(parse(wire).to_wire())
    assert len(encoded.parts) == 1 and len(encoded.parts[0]) < 100
    assert decoded.wire["category"] == "nihil" and decoded.wire["threat_stage"] is None


def test_a_changed_character_breaks_the_signature():
    encoded, _ = roundtrip(report().to_wire())
    forged = [codec.parse_part(t) for t in encoded.parts]
    part = forged[0]
    forged[0] = codec.Part(part.device, part.counter, part.index, part.total, part.chunk[:-1] + "x")
    body, sig = codec.join_parts(forged)
    assert not codec.verify(KEY, forged[0], body, sig)
    assert not codec.verify(b"other key" * 4, forged[0], *codec.join_parts(codec.parse_part(t) for t in encoded.parts))


@pytest.mark.parametrize("text", ["", "halo pak", "PR1 abc 1 1/1 x", "PR1 3f2a9c1e 7 3/2 x", "PR2 3f2a9c1e 7 1/1 x"])
def test_garbled_parts_are_refused(text):
    with pytest.raises(codec.SmsFormatError):
        codec.parse_part(text)


def test_missing_part_is_refused():
    wire = report(facts="Massa berkumpul di depan kantor PPK. " * 8).to_wire()
    encoded, _ = roundtrip(wire)
    with pytest.raises(codec.SmsFormatError):
        codec.join_parts([codec.parse_part(t) for t in encoded.parts[1:]])


@given(st.text(max_size=200))
def test_decoding_garbage_raises_only_the_format_error(text):
    with contextlib.suppress(codec.SmsFormatError):
        codec.decode_body(text, desa_codes())


def test_short_code_is_four_readable_characters():
    assert codec.short_code("6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55") == codec.short_code(report().id)
    assert len(codec.short_code(report().id)) == 4 and codec.short_code(report().id).isalnum()
