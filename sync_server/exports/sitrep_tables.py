"""The tables of the situation report: open alerts, report counts, personnel, coverage gaps."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from sync_server.exports import places, wording
from sync_server.exports.mapdraw import FILLS

_BASE = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", parent=_BASE["Title"], fontSize=17, leading=20, spaceAfter=1),
    "subtitle": ParagraphStyle("subtitle", parent=_BASE["Normal"], fontSize=10, leading=13,
                               alignment=1, textColor=colors.HexColor("#424242"), spaceAfter=4),
    "meta": ParagraphStyle("meta", parent=_BASE["Normal"], fontSize=9, leading=12, alignment=1),
    "summary": ParagraphStyle("summary", parent=_BASE["Normal"], fontSize=9.5, leading=13, alignment=1,
                              borderColor=colors.HexColor("#9e9e9e"), borderWidth=0.5, borderPadding=4,
                              backColor=colors.HexColor("#f5f5f5")),
    "h2": ParagraphStyle("h2", parent=_BASE["Heading2"], fontSize=12, leading=15, spaceBefore=6, spaceAfter=4,
                         keepWithNext=1),
    "note": ParagraphStyle("note", parent=_BASE["Normal"], fontSize=7, leading=9,
                           textColor=colors.HexColor("#424242"), spaceBefore=2),
    "cell": ParagraphStyle("cell", parent=_BASE["Normal"], fontSize=7.5, leading=9),
    "head": ParagraphStyle("head", parent=_BASE["Normal"], fontName="Helvetica-Bold", fontSize=7.5, leading=9),
}
LEVEL_ORDER = ("sangat_rawan", "rawan", "kurang_rawan")
GRID = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9e9e9e")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e0e0e0")),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 7.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]


def text(value: object) -> str:
    """Escaped for a Paragraph (region names and owners may hold ``&`` or ``<``)."""
    return escape("" if value is None else str(value))


def _cell(value: object) -> Paragraph:
    return Paragraph(text(value), STYLES["cell"])


def _table(rows: list[list], widths: Sequence[float], extra: Sequence = ()) -> Table:
    """A grid with a grey header row (header words wrap) that repeats on a new page."""
    rows = [[Paragraph(text(words), STYLES["head"]) for words in rows[0]], *rows[1:]]
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(GRID + list(extra)))
    return table


def _level_styles(levels: Sequence[str | None], column: int = 0) -> list:
    return [("BACKGROUND", (column, row), (column, row), FILLS[level][0])
            for row, level in enumerate(levels, start=1) if level in FILLS]


def _region(row: Mapping) -> str:
    """"Kecamatan Sungai Penuh": the gazetteer's title tells a kecamatan from its kota, so no code."""
    code = row.get("region_code") or row.get("code") or ""
    region = places.regions_by_code().get(code)
    return region.title if region is not None else str(row.get("region_name") or code)



def _score(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) and not isinstance(value, bool) else text(value)


def _empty(message: str) -> Paragraph:
    return Paragraph(message, STYLES["note"])


# --- alerts ------------------------------------------------------------------------------------

def alerts_section(alerts: Sequence[Mapping], generated_at: datetime, width: float) -> list:
    story = [Paragraph("1. Peringatan terbuka menurut tingkat", STYLES["h2"])]
    if not alerts:
        return story + [_empty("Tidak ada peringatan terbuka dalam cakupan ini.")]
    ordered = sorted(alerts, key=lambda a: (_rank(a.get("level")), -_number(a.get("score"))))
    rows = [["Tingkat", "Wilayah", "Skor", "Status", "Penanggung jawab", "Batas waktu", "Eskalasi", "Lap."]]
    for alert in ordered:
        rows.append([wording.level_label(alert.get("level")), _cell(_region(alert)), _score(alert.get("score")),
                     wording.status_label(alert.get("status")),
                     _cell(alert.get("owner_name") or alert.get("owner") or "-"),
                     _cell(_deadline(alert, generated_at)), _cell(_escalations(alert.get("escalations"))),
                     text(alert.get("report_count", ""))])
    widths = [0.11, 0.24, 0.07, 0.1, 0.15, 0.14, 0.13, 0.06]
    extra = _level_styles([a.get("level") for a in ordered]) + [("ALIGN", (2, 1), (2, -1), "RIGHT"),
                                                               ("ALIGN", (7, 1), (7, -1), "RIGHT")]
    return story + [_table(rows, [w * width for w in widths], extra)]


def _rank(level: object) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _deadline(alert: Mapping, generated_at: datetime) -> str:
    deadline = wording.as_datetime(alert.get("deadline_at"))
    if deadline is None:
        return "-"
    late = deadline < generated_at and alert.get("status") != "resolved"
    return wording.short_moment(deadline) + (" (lewat)" if late else "")


def _escalations(value: object) -> str:
    """An escalation count, or a list of hops (the last hop's target is shown)."""
    if isinstance(value, bool) or value is None:
        return "-"
    if isinstance(value, int):
        return f"{value}x" if value else "-"
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return "-"
        last = value[-1]
        target = next((last.get(k) for k in ("to", "owner", "level") if isinstance(last, Mapping) and last.get(k)),
                      None)
        return f"{len(value)}x" + (f", ke {target}" if target else "")
    return str(value)


# --- counts ------------------------------------------------------------------------------------

def counts_section(by_category: Mapping[str, int], by_stage: Mapping[str, int], width: float) -> list:
    story = [Paragraph("2. Jumlah laporan menurut kategori dan tahapan", STYLES["h2"])]
    categories = sorted(((n, code) for code, n in by_category.items() if n), key=lambda item: (-item[0], item[1]))
    order = wording.stage_order()
    stages = sorted(((code, n) for code, n in by_stage.items() if n),
                    key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    left = [["Kategori", "Jumlah"]] + [[_cell(wording.category_label(code)), str(n)] for n, code in categories]
    left.append(["Jumlah", str(sum(n for n, _ in categories))])
    right = [["Tahapan", "Jumlah"]] + [[_cell(wording.stage_label(code)), str(n)] for code, n in stages]
    right.append(["Jumlah", str(sum(n for _, n in stages))])
    total_row = [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 7.5), ("ALIGN", (1, 0), (1, -1), "RIGHT")]
    half = (width - 6 * mm) / 2
    pair = Table([[_table(left, [half * 0.8, half * 0.2], total_row),
                   _table(right, [half * 0.8, half * 0.2], total_row)]],
                 colWidths=[half + 3 * mm, half + 3 * mm], hAlign="LEFT")
    pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return story + [pair]


# --- personnel ---------------------------------------------------------------------------------

ESTIMATE_NOTE = ("* perkiraan: jumlah TPS Pemilu 2024 dibagi menurut jumlah desa/kelurahan (jumlah TPS Pilkada "
                 "per desa tidak dipublikasikan; TPS Pilkada lebih sedikit). Penebalan dihitung per desa; angka "
                 "wilayah di atasnya adalah jumlah desanya.")


def personnel_section(rows: Sequence[Mapping], width: float, strength: Sequence[Mapping] = ()) -> list:
    """The regions one tier below the scope that get reinforcement, a total row that adds exactly
    those rows, then the strength per Polres and Polda."""
    story = [Paragraph("3. Rekomendasi penebalan personel (perkiraan)", STYLES["h2"])]
    flat = [{**row, **(row.get("personnel") or {})} for row in rows]
    shown = [row for row in flat if _number(row.get("reinforcement")) > 0]
    if not shown:
        story.append(_empty("Tidak ada wilayah yang memerlukan penebalan personel."))
    else:
        story += _reinforcement_table(shown, len(flat) - len(shown), width)
    return story + _strength_table(strength, width)


def _reinforcement_table(shown: list[Mapping], quiet: int, width: float) -> list:
    shown = sorted(shown, key=lambda r: (-_number(r.get("reinforcement")), _rank(r.get("level"))))
    # the region's own live level beside the level its plan is drawn at (its hottest desa, a spread
    # signal or the Polda baseline): a standing plan beside a quiet region must not read as reported
    table = [["Wilayah", "Tingkat (laporan)", "Tingkat rencana", "Pola polisi:TPS", "TPS", "TPS ditebalkan",
              "Dari laporan", "Rencana tetap (baseline Polda)", "Penebalan"]]
    for row in shown:
        mark = "*" if row.get("estimate") else ""
        planned = row.get("planned_level") or row.get("level")
        table.append([_cell(_region(row)), _cell(wording.level_label(row.get("level"))),
                      _cell(wording.level_label(planned)), text(row.get("pattern", "")),
                      f"{text(row.get('tps', ''))}{mark}", f"{_whole(_reinforced_tps(row))}{mark}",
                      _plus(row.get("from_reports")), _plus(row.get("from_baseline")),
                      _plus(row.get("reinforcement"))])
    sums = {key: sum(int(_number(row.get(key))) for row in shown)
            for key in ("tps", "from_reports", "from_baseline", "reinforcement")}
    sums["reinforced_tps"] = sum(int(_number(_reinforced_tps(row))) for row in shown)
    table.append(["Jumlah penebalan", "", "", "", str(sums["tps"]), str(sums["reinforced_tps"]),
                  f"+{sums['from_reports']}", f"+{sums['from_baseline']}", f"+{sums['reinforcement']}"])
    widths = [0.19, 0.1, 0.1, 0.1, 0.06, 0.11, 0.09, 0.14, 0.1]
    extra = (_level_styles([r.get("level") for r in shown], column=1)
             + _level_styles([r.get("planned_level") or r.get("level") for r in shown], column=2)
             + [("ALIGN", (4, 1), (-1, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 7.5)])
    story = [_table(table, [w * width for w in widths], extra)]
    if quiet:
        story.append(_empty(f"{quiet} wilayah lain dalam cakupan tanpa penebalan (pola kurang rawan)."))
    if any(r.get("estimate") for r in shown):
        story.append(_empty(ESTIMATE_NOTE))
    return story


def _strength_table(strength: Sequence[Mapping], width: float) -> list:
    """Per Polres: the plan's headcount, its own strength and the shortfall; a total of the Polres rows;
    then Polda: the Polres shortfalls against BKO and Brimob."""
    if not strength:
        return []
    example = any(row.get("example") for row in strength)
    title = "Kekuatan personel dan kekurangan" + (" (angka CONTOH, ditetapkan Polda)" if example else "")
    table = [["Satuan", "Kebutuhan (rencana)", "Penebalan", "Tersedia", "Kekurangan"]]
    polres = [row for row in strength if row.get("kind") != "polda"]
    for row in polres:
        table.append([_cell(row.get("unit")), _whole(row.get("recommended")), _plus(row.get("reinforcement")),
                      _whole(row.get("available")), _whole(row.get("gap"))])
    bold = []
    if len(polres) > 1:
        table.append(["Jumlah Polres"] + [str(sum(int(_number(row.get(key))) for row in polres))
                                           for key in ("recommended", "reinforcement", "available", "gap")])
        table[-1][2] = f"+{table[-1][2]}"
        bold.append(("FONT", (0, len(table) - 1), (-1, len(table) - 1), "Helvetica-Bold", 7.5))
    for row in strength:
        if row.get("kind") == "polda":
            table.append([_cell(f"{row.get('unit')}: kekurangan Polres, dibantu BKO Polda "
                                f"{_whole(row.get('polda_bko'))} + Brimob {_whole(row.get('brimob'))}"),
                          _whole(row.get("needed")), "",
                          str(int(_number(row.get("polda_bko")) + _number(row.get("brimob")))),
                          _whole(row.get("gap"))])
    widths = [0.44, 0.15, 0.13, 0.13, 0.15]
    story = [Spacer(0, 2 * mm), Paragraph(text(title), STYLES["h2"]),
             _table(table, [w * width for w in widths], [("ALIGN", (1, 1), (-1, -1), "RIGHT"), *bold])]
    note = ("Kebutuhan = pola personel atas TPS (perkiraan) dengan penebalan; kekurangan = kebutuhan yang tidak "
            "tertutup kekuatan sendiri (surplus satu Polres tidak dihitung pindah ke Polres lain).")
    if example:
        note += " Angka kekuatan di tabel ini CONTOH (sumber: contoh) sampai Polda menetapkan angka sebenarnya."
    return story + [_empty(note)]


def _reinforced_tps(row: Mapping) -> object:
    """Never more than the region's TPS: desa estimates are rounded one by one, so their sum can pass
    the region's own estimate (every TPS reinforced reads "849 dari 849", not 861)."""
    value, tps = row.get("reinforced_tps"), row.get("tps")
    return min(int(_number(value)), int(_number(tps))) if value is not None and tps is not None else value


def _whole(value: object) -> str:
    return "-" if value is None else str(int(_number(value)))


def _plus(value: object) -> str:
    return "-" if value is None else f"+{int(_number(value))}"


# --- coverage gaps -----------------------------------------------------------------------------

def gaps_section(gaps: Sequence[Mapping], generated_at: datetime, width: float) -> list:
    story = [Spacer(0, 2 * mm), Paragraph("4. Wilayah tanpa kabar (celah pemantauan)", STYLES["h2"])]
    if not gaps:
        return story + [_empty("Semua desa dalam cakupan memberi kabar dalam 24 jam terakhir.")]
    heard = {id(g): wording.as_datetime(g.get("last_heard")) for g in gaps}
    ordered = sorted(gaps, key=lambda g: (heard[id(g)] is not None, heard[id(g)] or generated_at))
    rows = [["Wilayah", "Keadaan", "Terakhir ada kabar", "Diam selama"]]
    for gap in ordered:
        moment = heard[id(gap)]
        rows.append([_cell(_region(gap)), _cell(_quiet_words(gap)),
                     wording.short_moment(moment) if moment else "belum pernah", _silence(moment, generated_at)])
    story.append(_table(rows, [0.38 * width, 0.28 * width, 0.19 * width, 0.15 * width]))
    story.append(_empty("Diam bukan berarti aman: hubungi Bhabinkamtibmas wilayah ini, tunjuk Bhabin untuk desa "
                        "yang belum ada, atau kirim patroli."))
    return story


def _quiet_words(gap: Mapping) -> str:
    """"Tanpa kabar" / "Belum ada Bhabin" for a desa; "12 desa tanpa kabar (10 belum ada Bhabin)" above."""
    silent, unassigned = int(gap.get("silent_desa") or 1), int(gap.get("unassigned_desa") or 0)
    if str(gap.get("region_code") or "").count(".") == 3:
        return "Belum ada Bhabin" if unassigned else "Tanpa kabar"
    return f"{silent} desa tanpa kabar" + (f" ({unassigned} belum ada Bhabin)" if unassigned else "")


def _silence(moment: datetime | None, generated_at: datetime) -> str:
    if moment is None:
        return "-"
    hours = max(0, int((generated_at - moment).total_seconds() // 3600))
    return f"{hours // 24} hari {hours % 24} jam" if hours >= 24 else f"{hours} jam"
