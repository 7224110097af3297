"""The daily situation report (*Laporan Situasi Harian*): an A4 PDF in Bahasa Indonesia.

Page 1: title, date, tahapan, scope and generation time (WIB), a one-line summary, and the map
panel (``mappanel``: the map coloured and patterned by level, an inset on a town too small to
read, the legend). The tables follow: open alerts by level, reports by category and by tahapan,
recommended reinforcement per region and strength per Polres (with Polda's BKO and Brimob),
coverage gaps.

The map shows kecamatan (with kabupaten/kota boundaries on top) for a Polres, Polda or admin
scope, and desa when every scope code is a kecamatan (a Polsek); a boundary layer is drawn only
when it separates two or more regions. Every region of the coloured tier in scope is drawn;
those missing from ``SitrepData.regions`` are "belum dinilai". On a map of more than
``QUIET_MAP`` regions only rawan, sangat rawan and gap regions are named, so those stay readable.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from kerawanan.regions import in_scope, tier_of
from sync_server.exports import places, wording
from sync_server.exports.mapdraw import Area
from sync_server.exports.mappanel import MapPanel
from sync_server.exports.sitrep_tables import (
    STYLES,
    alerts_section,
    counts_section,
    gaps_section,
    personnel_section,
    text,
)

MARGIN = 14 * mm
QUIET_MAP = 40
MAP_MAX_HEIGHT = 185 * mm


@dataclass(frozen=True)
class SitrepData:
    """Everything the report shows, already gathered in scope by the caller. Plain values only.

    ``regions``: ``{code, name, tier, level, score, coverage_gap}`` for the regions to colour
    (kecamatan — or desa for a Polsek — plus any kabupaten, whose rows feed the summary).
    ``alerts``: open alerts as the API sends them (``id, region_code, region_name, level, score,
    status, owner, deadline_at, escalations, report_count``). ``personnel``: one row per region one
    tier below the scope, ``{region_code, region_name, level, pattern, tps, reinforced_tps,
    from_reports, from_baseline, reinforcement, estimate}`` (or those inside a ``personnel`` mapping,
    as on an alert); the total row adds the rows. ``strength``: per unit (Polres, then Polda) the
    plan beside its strength (``kerawanan.strength.StrengthCheck.to_dict``). ``gaps``: ``{region_code,
    region_name, last_heard}`` (``None``: never heard). Times are aware datetimes or ISO text.
    """

    date: date                                  # the WIB day reported on
    scope_codes: Sequence[str]                  # e.g. ("15.01", "15.72")
    scope_title: str                            # e.g. "Polres Kerinci"
    generated_at: datetime                      # aware; printed in WIB
    stage: str | None = None                    # tahapan code of the day
    regions: Sequence[Mapping] = ()
    alerts: Sequence[Mapping] = ()
    reports_by_category: Mapping[str, int] = field(default_factory=dict)
    reports_by_stage: Mapping[str, int] = field(default_factory=dict)
    personnel: Sequence[Mapping] = ()
    strength: Sequence[Mapping] = ()
    gaps: Sequence[Mapping] = ()
    replay: bool = False                        # a replayed election (the demo): said on every page
    annexes: Sequence = ()                      # flowables appended at the end (the scheduled sitrep's annexes)


def render_sitrep_pdf(data: SitrepData) -> bytes:
    """The report as PDF bytes (starts with ``%PDF``)."""
    buffer = io.BytesIO()
    title = f"Laporan Situasi Harian {data.date.isoformat()} - {data.scope_title}"
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=title,
                                 author="Peta Rawan", subject="Kerawanan Pilkada")
    width = A4[0] - 2 * MARGIN
    story = _front_page(data, width)
    story += [*alerts_section(data.alerts, data.generated_at, width),
              *counts_section(data.reports_by_category, data.reports_by_stage, width),
              *personnel_section(data.personnel, width, data.strength),
              *gaps_section(data.gaps, data.generated_at, width), *data.annexes]
    footer = _footer(data)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _footer(data: SitrepData):
    words = (f"Peta Rawan - Laporan Situasi Harian {wording.long_date(data.date)} - {data.scope_title}"
             f" - dibuat {wording.short_moment(data.generated_at)}")
    if data.replay:
        words = f"REPLAY / SIMULASI - bukan kejadian nyata - {words}"

    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillGray(0.35)
        canvas.drawString(MARGIN, MARGIN - 2, words)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2, f"hal. {document.page}")
        canvas.restoreState()
    return draw


# --- page 1 ------------------------------------------------------------------------------------

def _front_page(data: SitrepData, width: float) -> list:
    scope_names = ", ".join(_name(code) for code in data.scope_codes)
    stage = f" &nbsp;|&nbsp; Tahapan: <b>{text(wording.stage_label(data.stage))}</b>" if data.stage else ""
    replay = [Paragraph("<b>REPLAY / SIMULASI</b> Pilkada 2024 - bukan kejadian nyata (demo)",
                        STYLES["summary"])] if data.replay else []
    story = [
        *replay,
        Paragraph("LAPORAN SITUASI HARIAN", STYLES["title"]),
        Paragraph("Kerawanan Pemilihan Serentak 2024 (Pilkada)", STYLES["subtitle"]),
        Paragraph(f"<b>{text(wording.long_date(data.date))}</b>{stage}", STYLES["meta"]),
        Paragraph(f"Satuan: <b>{text(data.scope_title)}</b> &nbsp;|&nbsp; Wilayah: {text(scope_names)}",
                  STYLES["meta"]),
        Paragraph(f"Dibuat: {text(wording.short_moment(data.generated_at))}", STYLES["meta"]),
        Spacer(0, 2 * mm),
        Paragraph(_summary(data), STYLES["summary"]),
        Spacer(0, 2 * mm),
    ]
    return story + _map_block(data, width)


def _summary(data: SitrepData) -> str:
    by_level = {level: sum(1 for a in data.alerts if a.get("level") == level)
                for level in ("sangat_rawan", "rawan")}
    reports = sum(data.reports_by_category.values())
    return (f"Peringatan terbuka: <b>{by_level['sangat_rawan']} sangat rawan</b>, "
            f"<b>{by_level['rawan']} rawan</b> &nbsp;|&nbsp; Laporan: <b>{reports}</b> "
            f"&nbsp;|&nbsp; Wilayah tanpa kabar: <b>{len(data.gaps)}</b>")


def map_tiers(scope_codes: Sequence[str]) -> tuple[str, str]:
    """(tier to colour, tier of the boundaries on top) for a scope."""
    fine = all(tier_of(code) in ("kecamatan", "desa") for code in scope_codes)
    return ("desa", "kecamatan") if fine else ("kecamatan", "kabupaten")


def map_areas(data: SitrepData) -> tuple[list[Area], list[Area]]:
    """The areas to colour and the boundaries to draw on top, all inside the scope."""
    fill_tier, outline_tier = map_tiers(data.scope_codes)
    states = {str(r.get("code")): r for r in data.regions}
    points = places.regions_by_code()
    shapes = [b for b in places.boundaries(fill_tier).values() if in_scope(b.code, data.scope_codes)]
    quiet = len(shapes) > QUIET_MAP
    areas = []
    for boundary in shapes:
        state = states.get(boundary.code, {})
        level, gap = state.get("level"), bool(state.get("coverage_gap"))
        point = points.get(boundary.code)
        named = not quiet or gap or level in ("rawan", "sangat_rawan")
        anchor = (point.lon, point.lat) if point is not None and point.lat is not None and named else None
        areas.append(Area(boundary.code, state.get("name") or boundary.name, boundary.polygons, anchor,
                          level, gap))
    outlines = [Area(b.code, b.name, b.polygons, None) for b in places.boundaries(outline_tier).values()
                if in_scope(b.code, data.scope_codes) or any(in_scope(s, [b.code]) for s in data.scope_codes)]
    # One boundary around everything separates nothing, and the layers do not nest exactly:
    # drawn alone it only shows where the coarser layer disagrees with the finer one.
    return areas, outlines if len(outlines) > 1 else []


def _map_block(data: SitrepData, width: float) -> list:
    areas, outlines = map_areas(data)
    fill_tier, outline_tier = map_tiers(data.scope_codes)
    if not areas:
        return [Paragraph("Peta tidak tersedia: tidak ada batas wilayah untuk cakupan ini.", STYLES["note"])]
    heading = Paragraph(f"Peta kerawanan per {fill_tier}", STYLES["h2"])
    outline_label = None if not outlines else \
        "Batas kabupaten/kota" if outline_tier == "kabupaten" else "Batas kecamatan"
    panel = MapPanel(areas, outlines, width, MAP_MAX_HEIGHT, outline_label)
    block = [heading, panel]
    if panel.key:
        entries = [f"<b>{number}</b> {text(area.name)}" + (" (tanpa kabar)" if area.coverage_gap else "")
                   for number, area in sorted(panel.key, key=lambda item: item[0])]
        block.append(Paragraph("Nomor pada peta: " + ", &nbsp;".join(entries), STYLES["note"]))
    block.append(Paragraph(
        "Warna dan arsiran menunjukkan tingkat: hijau polos kurang rawan, kuning arsir miring rawan, "
        "merah arsir silang sangat rawan. Garis putus-putus tebal: wilayah dengan desa tanpa kabar 24 jam "
        "terakhir atau belum ada Bhabin — diam bukan berarti aman: bila tidak rawan, abu-abu, bukan hijau.",
        STYLES["note"]))
    return [KeepTogether(block[:2]), *block[2:]]


def _name(code: str) -> str:
    region = places.regions_by_code().get(code)
    return region.title if region is not None else code
