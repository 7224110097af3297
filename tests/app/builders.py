"""Small builders for the app's tests: reports as the phone makes them, photos, canned changes."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image

from kerawanan import assets
from kerawanan.report import Report, parse_report

WIB = timezone(timedelta(hours=7))
OFFICER = "87050123"
OTHER_OFFICER = "87050999"
DESA = "15.72.07.2004"              # Desa Dujung Sakti, Kota Sungai Penuh
DESA_POINT = (-2.0339, 101.3922)    # inside its polygon
NOW = datetime(2024, 11, 27, 15, 0, tzinfo=UTC)


def uuid_for(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012x}"


def wire(number: int = 1, **overrides: Any) -> dict[str, Any]:
    data = {
        "id": uuid_for(number), "observed_at": "2024-11-27T21:40:00+07:00",
        "recorded_at": "2024-11-27T21:52:13+07:00", "category": "gangguan_tps", "threat_stage": "GN",
        "desa_code": DESA, "location": {"lat": DESA_POINT[0], "lon": DESA_POINT[1], "accuracy_m": 12.0},
        "people_count": 40, "source_reliability": "B", "info_credibility": 2,
        "facts": f"Massa membakar kotak suara di TPS 03 (laporan {number}).",
        "opinion": "Berpotensi meluas.", "tps": "03", "media": [], "supersedes": None,
    }
    data.update(overrides)
    return data


def report(number: int = 1, **overrides: Any) -> Report:
    return parse_report(wire(number, **overrides), now=NOW, gazetteer=assets.gazetteer(),
                        calendar=assets.calendar())


def save_reports(outbox, count: int, *, officer: str = OFFICER, start: int = 1, now: datetime = NOW) -> list[str]:
    return [outbox.save(report(number), officer=officer, now=now + timedelta(seconds=number))
            for number in range(start, start + count)]


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30),
               exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", exif=exif or Image.Exif())
    return out.getvalue()


def alert_change(seq: int, alert_id: str = "a-1", level: str = "rawan", status: str = "open") -> dict[str, Any]:
    return {"seq": seq, "kind": "alert", "data": {"id": alert_id, "region_code": "15.72.07",
                                                  "region_name": "Kecamatan Koto Baru", "level": level,
                                                  "status": status}}
