"""The penebalan plan as an annex of the sitrep (*Lampiran: Rencana Penebalan*), A4, Bahasa Indonesia.

``plan_annex_story(plan, width)`` gives the flowables (the scheduled sitrep appends them);
``render_plan_annex_pdf(plan, generated_at, replay)`` the annex on its own. ``plan`` is a saved
version as ``GET /api/v1/plans`` sends it (``sync_server/plans/service.py``): unit, version, who
saved it and when, the pool, the rule and one row per region (need, proposed, allocated, shortfall).
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from sync_server.exports import wording
from sync_server.exports.sitrep_tables import STYLES, _level_styles, _table, text

MARGIN = 14 * mm
PRIORITY = {"sangat_rawan": "Sangat rawan", "rawan": "Rawan", "kurang_rawan": "Kurang rawan"}


def plan_annex_story(plan: Mapping | None, width: float, *, page_break: bool = True) -> list:
    """The annex's flowables; a unit without a saved plan gets one line saying so."""
    story: list = [PageBreak()] if page_break else []
    story.append(Paragraph("LAMPIRAN: RENCANA PENEBALAN PERSONEL", STYLES["h2"]))
    if not plan:
        return [*story, Paragraph("Belum ada rencana penebalan yang disimpan untuk satuan ini.", STYLES["note"])]
    saved = plan.get("saved_at")
    when = wording.short_moment(saved) if saved else "-"
    story += [
        Paragraph(f"Satuan: <b>{text(plan.get('unit_name'))}</b> &nbsp;|&nbsp; Versi <b>{plan.get('version')}</b>, "
                  f"disimpan {text(when)} oleh {text(plan.get('saved_by_name') or plan.get('saved_by'))}",
                  STYLES["meta"]),
        Paragraph(_pool_line(plan.get("pool") or {}), STYLES["summary"]),
    ]
    if plan.get("note"):
        story.append(Paragraph(f"Catatan: {text(plan['note'])}", STYLES["note"]))
    story.append(_rows_table(plan.get("rows") or [], plan.get("totals") or {}, width))
    story.append(Paragraph(f"Aturan usulan (assets/penebalan.toml): {text(plan.get('rule'))} "
                           "* = diubah oleh komandan dari usulan.", STYLES["note"]))
    return story


def render_plan_annex_pdf(plan: Mapping | None, generated_at: datetime, *, replay: bool = False) -> bytes:
    buffer = io.BytesIO()
    unit = (plan or {}).get("unit_name", "")
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN + 4 * mm, title=f"Rencana Penebalan - {unit}",
                                 author="Peta Rawan", subject="Rencana penebalan personel")
    words = f"Peta Rawan - Rencana Penebalan - {unit} - dibuat {wording.short_moment(generated_at)}"
    if replay:
        words = f"REPLAY / SIMULASI - bukan kejadian nyata - {words}"

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillGray(0.35)
        canvas.drawString(MARGIN, MARGIN - 2, words)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2, f"hal. {doc.page}")
        canvas.restoreState()

    document.build(plan_annex_story(plan, A4[0] - 2 * MARGIN, page_break=False), onFirstPage=footer,
                   onLaterPages=footer)
    return buffer.getvalue()


def _pool_line(pool: Mapping) -> str:
    own = f"{pool.get('own', 0)} ({text(pool.get('own_label'))})" if pool.get("own_label") else str(pool.get("own", 0))
    received = "".join(f"; dari {text(item['from'])} untuk {text(item.get('region_name') or item['region_code'])}: {item['allocated']}"
                       for item in pool.get("received") or ())
    example = " - angka kekuatan CONTOH, belum ditetapkan Polda" if pool.get("example") else ""
    return f"Kekuatan tersedia: <b>{pool.get('total', 0)}</b> = sendiri {own}{received}{example}"


def _rows_table(rows: list[Mapping], totals: Mapping, width: float):
    header = ["Wilayah", "Prioritas", "Kebutuhan", "Usulan", "Alokasi", "Kekurangan"]
    body = [[text(row.get("name") or row.get("region_code")), PRIORITY.get(row.get("priority"), row.get("priority")),
             row.get("need", 0), row.get("proposed", 0), f"{row.get('allocated', 0)}{'*' if row.get('adjusted') else ''}",
             row.get("shortfall", 0)] for row in rows]
    body.append(["Jumlah", "", totals.get("need", 0), totals.get("proposed", 0), totals.get("allocated", 0),
                 totals.get("shortfall", 0)])
    body.append(["Cadangan (tidak dialokasikan)", "", "", "", totals.get("reserve", 0), ""])
    widths = [width * share for share in (0.40, 0.14, 0.115, 0.115, 0.115, 0.115)]
    return _table([header, *body], widths, [*_level_styles([row.get("priority") for row in rows], 1),
                                            ("FONT", (0, len(body) - 1), (-1, -1), "Helvetica-Bold", 7.5)])
