"""The rekap berjenjang as an annex of the scheduled sitrep (*Lampiran: Rekap Berjenjang*).

``rekap_annex_story(body, width)``: ``body`` is what ``GET /api/v1/rekap`` answers
(``sync_server/alerts/rekap.py``); one row per unit one level below, then the total.
"""
from __future__ import annotations

from collections.abc import Mapping

from reportlab.platypus import PageBreak, Paragraph

from sync_server.exports.sitrep_tables import STYLES, _table, text

HEADER = ["Satuan", "Terbuka", "Lewat tenggat", "Eskalasi", "Belum diakui", "Menit akui", "Menit tindakan",
          "Selesai tanpa tindakan", "Bhabin melapor", "Desa tanpa kabar"]


def rekap_annex_story(body: Mapping | None, width: float) -> list:
    story: list = [PageBreak(), Paragraph("LAMPIRAN: REKAP BERJENJANG", STYLES["h2"])]
    rows = list((body or {}).get("rows") or ())
    if not rows:
        return [*story, Paragraph("Tidak ada satuan di bawah untuk direkap.", STYLES["note"])]
    total = (body or {}).get("total") or {}
    lines = [_line(row.get("name"), row) for row in rows] + [_line("Jumlah", total)]
    widths = [width * 0.22] + [width * 0.78 / 9] * 9
    story.append(_table([HEADER, *lines], widths, [("FONT", (0, len(lines)), (-1, len(lines)), "Helvetica-Bold", 7.5)]))
    story.append(Paragraph(f"Hari {text(body.get('date'))} (WIB); menit = median dari {body.get('days')} hari terakhir. "
                           "Satuan yang tidak bertindak tampak dari 'Belum diakui' dan 'Lewat tenggat'.", STYLES["note"]))
    return story


def _line(name: object, row: Mapping) -> list:
    share = row.get("bhabin_share")
    bhabin = f"{row.get('bhabin_reported', 0)}/{row.get('bhabin', 0)}" + (f" ({share:.0%})" if share is not None else "")
    return [text(name), row.get("open", 0), row.get("overdue", 0), row.get("escalated", 0), row.get("unacknowledged", 0),
            _minutes(row.get("ack_minutes")), _minutes(row.get("action_minutes")),
            row.get("resolved_without_action", 0), bhabin, row.get("silent_desa", 0)]


def _minutes(value: object) -> str:
    return "-" if value is None else f"{value:.0f}"
