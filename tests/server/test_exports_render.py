"""The export renderers on their own: CSV, GeoJSON and the situation-report PDF (no server)."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import types
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from kerawanan.regions import Region
from kerawanan.tahapan import WIB
from sync_server.exports import (
    CSV_COLUMNS,
    SitrepData,
    geojson_export,
    mapdraw,
    mappanel,
    places,
    render_alerts_geojson,
    render_reports_csv,
    render_sitrep_pdf,
    sitrep,
)

# --- builders ----------------------------------------------------------------------------------


def report_row(**overrides) -> dict:
    """A report as the API sends it (wire form + officer, received_at, seq, review)."""
    row = {
        "id": "6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55",
        "observed_at": "2024-11-27T14:40:00Z",
        "recorded_at": "2024-11-27T14:52:13Z",
        "category": "gangguan_tps",
        "threat_stage": "GN",
        "desa_code": "15.72.07.2004",
        "location": {"lat": -2.0339, "lon": 101.3922, "accuracy_m": 12.0},
        "stage": "pemungutan_suara",
        "people_count": 40,
        "source_reliability": "B",
        "info_credibility": 2,
        "facts": "Massa membakar kotak suara di TPS 03.",
        "opinion": "Berpotensi meluas.",
        "tps": "03",
        "media": ["ab" * 32],
        "supersedes": None,
        "officer": "87050123",
        "received_at": "2024-11-27T15:01:00Z",
        "seq": 7,
        "review": {"status": "pending", "grade": None, "duplicate_of": None, "note": None, "by": None,
                   "at": None},
    }
    row.update(overrides)
    return row


def read_csv(chunks) -> list[dict]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


WIB_NIGHT = datetime(2024, 11, 27, 23, 30, tzinfo=WIB)
SUNGAI_PENUH_LEVELS = {"15.72.01": "sangat_rawan", "15.72.03": "rawan", "15.72.05": "rawan", "15.72.07": "rawan"}
KERINCI_LEVELS = {"15.01.11": "rawan"}
BLANK_SPOT = "15.01.20"  # Bukit Kerman: no mobile signal, reports delayed (jambi_history.csv)


def region_rows(levels: dict[str, str], gaps: tuple[str, ...] = ()) -> list[dict]:
    rows = []
    for code, boundary in places.boundaries("kecamatan").items():
        if code.startswith(("15.01.", "15.72.")):
            level = levels.get(code, "kurang_rawan")
            score = {"sangat_rawan": 41.5, "rawan": 14.2}.get(level, 1.3)
            rows.append({"code": code, "name": boundary.name, "tier": "kecamatan", "level": level,
                         "score": score, "coverage_gap": code in gaps})
    rows += [{"code": "15.72", "name": "Kota Sungai Penuh", "tier": "kabupaten", "level": "sangat_rawan",
              "score": 88.0, "coverage_gap": False},
             {"code": "15.01", "name": "Kabupaten Kerinci", "tier": "kabupaten", "level": "rawan",
              "score": 21.0, "coverage_gap": False}]
    return rows


def alert(code: str, level: str, score: float, **overrides) -> dict:
    body = {"id": f"al-{code}", "region_code": code, "region_name": places.regions_by_code()[code].name,
            "level": level, "score": score, "status": "open", "owner": "kapolsek_sungai_penuh",
            "deadline_at": "2024-11-27T15:40:00Z", "escalations": [], "report_count": 9}
    body.update(overrides)
    return body


def sample_sitrep(levels: dict[str, str] | None = None) -> SitrepData:
    """Polres Kerinci on voting night 2024: Sungai Penuh burning, a blank spot gone silent."""
    levels = {**SUNGAI_PENUH_LEVELS, **KERINCI_LEVELS} if levels is None else levels
    return SitrepData(
        date=date(2024, 11, 27), scope_codes=("15.01", "15.72"), scope_title="Polres Kerinci",
        generated_at=WIB_NIGHT, stage="pemungutan_suara",
        regions=region_rows(levels, gaps=(BLANK_SPOT,)),
        alerts=[alert("15.72.01", "sangat_rawan", 41.5, owner="kapolres_kerinci",
                      escalations=[{"from": "kapolsek_sungai_penuh", "to": "kapolres_kerinci",
                                    "at": "2024-11-27T15:40:00Z"}]),
                alert("15.72", "sangat_rawan", 88.0, owner="kapolres_kerinci", deadline_at="2024-11-27T17:10:00Z"),
                alert("15.72.03", "rawan", 14.2, status="acknowledged", deadline_at="2024-11-27T20:00:00Z"),
                alert("15.72.05", "rawan", 12.9, owner="kapolsek_kumun_debai & <wakil>"),
                alert("15.01.11", "rawan", 10.4, owner="kapolsek_air_hangat_timur", report_count=4)],
        reports_by_category={"gangguan_tps": 12, "bentrok": 5, "pengerahan_massa": 4, "politik_uang": 3,
                             "informasi_umum": 6, "hoaks_sara": 0},
        reports_by_stage={"pemungutan_suara": 26, "masa_tenang": 4},
        personnel=[{"region_code": "15.72", "region_name": "Kota Sungai Penuh", "level": "sangat_rawan",
                    "personnel": {"pattern": "2:1", "tps": 299, "recommended": 598, "baseline": 76,
                                  "reinforcement": 522, "estimate": True}},
                   {"region_code": "15.72.03", "level": "rawan", "pattern": "2:2", "tps": 35,
                    "recommended": 36, "baseline": 10, "reinforcement": 26, "estimate": True}],
        gaps=[{"region_code": BLANK_SPOT, "region_name": "Bukit Kerman",
               "last_heard": datetime(2024, 11, 26, 14, 5, tzinfo=WIB)},
              {"region_code": "15.01.01.2005", "region_name": "Masgo", "last_heard": None}],
    )


def render_page_one(pdf: bytes, folder, dpi: int = 60) -> Image.Image:
    source = folder / "sitrep.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(source),
                    str(folder / "page1")], check=True, capture_output=True, timeout=60)
    return Image.open(folder / "page1.png").convert("RGB")


def count_near(image: Image.Image, colour, tolerance: int = 40) -> int:
    """Pixels within ``tolerance`` of a ReportLab colour on every channel."""
    target = tuple(int(channel * 255) for channel in colour.rgb())
    return sum(count for count, pixel in image.getcolors(1 << 24)
               if all(abs(p - t) <= tolerance for p, t in zip(pixel, target, strict=True)))


def pdf_text(pdf: bytes, folder) -> str:
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(source), "-"], check=True, capture_output=True,
                          timeout=60, text=True).stdout


# --- CSV ---------------------------------------------------------------------------------------

def test_csv_header_comes_first_behind_a_bom():
    chunks = list(render_reports_csv([]))
    assert chunks == ["\ufeff" + ",".join(CSV_COLUMNS) + "\r\n"]
    assert chunks[0].encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_csv_streams_rows_lazily():
    read = []

    def endless_rows():
        while True:
            read.append(1)
            yield report_row(id=f"r{len(read)}")

    stream = render_reports_csv(endless_rows())
    assert isinstance(stream, types.GeneratorType)
    assert next(stream).startswith("\ufeffid,")
    first, second = next(stream), next(stream)
    assert first.startswith("r1,") and first.endswith("\r\n")  # whole lines only
    assert second.startswith(f"r{first.count(chr(13) + chr(10)) + 1},")  # the next row, none lost
    assert 0 < len(read) < 1000  # rows are read as the chunks are asked for, never all at once


def test_csv_row_holds_names_labels_wib_times_and_counts():
    [row] = read_csv(render_reports_csv([report_row()]))
    assert row["observed_at_wib"] == "2024-11-27 21:40:00"
    assert row["received_at_wib"] == "2024-11-27 22:01:00"
    assert (row["category"], row["category_label"]) == ("gangguan_tps", "Gangguan di TPS dan rekapitulasi")
    assert (row["kecamatan"], row["kabupaten"]) == ("Koto Baru", "Kota Sungai Penuh")
    assert row["desa"] == places.regions_by_code()["15.72.07.2004"].name
    assert (row["lat"], row["lon"], row["people_count"]) == ("-2.0339", "101.3922", "40")
    assert (row["grade"], row["review_status"], row["media_count"], row["supersedes"]) == ("B2", "pending", "1", "")


def test_csv_shows_the_supervisors_regrade():
    review = {"status": "confirmed", "grade": "A1", "by": "kapolsek", "at": "2024-11-28T01:00:00Z"}
    [row] = read_csv(render_reports_csv([report_row(review=review)]))
    assert (row["grade"], row["review_status"]) == ("A1", "confirmed")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"klik\")", "+62 812 555", "-1+1", "@SUM(A1)",
                                  "\tdisembunyikan", "\rbaris"])
def test_csv_guards_formula_injection_in_free_text(text):
    row = report_row(facts=text, opinion=text, tps=text, officer=text)
    [parsed] = read_csv(render_reports_csv([row]))
    for column in ("facts", "opinion", "tps", "officer"):
        assert parsed[column] == "'" + text


def test_csv_leaves_negative_numbers_and_plain_text_alone():
    [parsed] = read_csv(render_reports_csv([report_row(facts="Aman terkendali", location={"lat": -2.5, "lon": 101.5})]))
    assert (parsed["facts"], parsed["lat"]) == ("Aman terkendali", "-2.5")


def test_csv_keeps_commas_quotes_newlines_and_non_ascii_in_one_cell():
    facts = 'Warga Pekan Jum\'at, "café" dekat TPS 03\nbaris kedua, é'
    chunks = list(render_reports_csv([report_row(facts=facts), report_row(id="second")]))
    parsed = read_csv(chunks)
    assert [p["id"] for p in parsed] == ["6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55", "second"]
    assert parsed[0]["facts"] == facts
    assert "".join(chunks).encode("utf-8").decode("utf-8-sig").count("Jum'at") == 1


def test_csv_survives_missing_optional_fields():
    row = {"id": "x", "observed_at": "2024-11-27T14:40:00Z", "category": "bentrok", "threat_stage": "PG",
           "desa_code": "15.99.99.9999", "facts": "f", "location": None}
    [parsed] = read_csv(render_reports_csv([row]))
    assert (parsed["desa"], parsed["lat"], parsed["grade"], parsed["media_count"]) == ("", "", "", "0")


# --- GeoJSON -----------------------------------------------------------------------------------

def test_geojson_is_a_feature_collection_with_polygons_and_properties():
    regions = [{"code": "15.72", "level": "sangat_rawan", "score": 88.0, "alert_id": "al-1", "status": "open",
                "owner": "kapolres_kerinci", "deadline_at": datetime(2024, 11, 27, 17, 10, tzinfo=UTC)},
               {"code": "15.72.01", "level": "rawan", "score": 14.0},
               {"code": "15.72.07.2004", "level": "kurang_rawan", "score": 0.5, "coverage_gap": True}]
    collection = json.loads(json.dumps(render_alerts_geojson(regions)))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    assert [f["properties"]["code"] for f in collection["features"]] == ["15.72", "15.72.01", "15.72.07.2004"]
    assert [f["properties"]["tier"] for f in collection["features"]] == ["kabupaten", "kecamatan", "desa"]
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert set(feature["properties"]) == set(geojson_export.PROPERTIES)
    first = collection["features"][0]["properties"]
    assert (first["name"], first["level_label"], first["deadline_at"]) == (
        "Kota Sungai Penuh", "Sangat Rawan", "2024-11-27T17:10:00Z")
    quiet = collection["features"][2]["properties"]
    assert quiet["coverage_gap"] is True and quiet["coverage"] == "silent"
    assert (quiet["summary"], quiet["summary_label"]) == ("tidak_ada_kabar", "Kurang Rawan · Tanpa kabar")


def _positions(geometry):
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return [point for polygon in polygons for ring in polygon for point in ring]


def test_geojson_coordinates_are_lon_then_lat_around_the_region():
    [feature] = render_alerts_geojson([{"code": "15.72.01"}])["features"]
    positions = _positions(feature["geometry"])
    assert all(101.0 < lon < 102.0 and -2.5 < lat < -1.5 for lon, lat in positions)
    point = places.regions_by_code()["15.72.01"]
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    assert min(lons) <= point.lon <= max(lons) and min(lats) <= point.lat <= max(lats)
    ring = feature["geometry"]["coordinates"][0] if feature["geometry"]["type"] == "Polygon" \
        else feature["geometry"]["coordinates"][0][0]
    assert ring[0] == ring[-1]


def test_geojson_falls_back_to_points_and_null_geometry():
    features = render_alerts_geojson([{"code": "15"}, {"code": "15.09.04.1009"}, {"code": "15.99"}])["features"]
    province, tebo, unknown = (f["geometry"] for f in features)
    regions = places.regions_by_code()
    assert province == {"type": "Point", "coordinates": (regions["15"].lon, regions["15"].lat)}
    assert tebo == {"type": "Point", "coordinates": (regions["15.09.04"].lon, regions["15.09.04"].lat)}
    assert unknown is None and features[2]["properties"]["name"] is None


def test_geojson_takes_names_from_the_given_gazetteer():
    class Gazetteer:
        def find(self, code):
            return Region(code, "kecamatan", "Nama Uji", "15.72", -2.0, 101.4)

    [feature] = render_alerts_geojson([{"code": "15.72.01"}], Gazetteer())["features"]
    assert feature["properties"]["name"] == "Nama Uji"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


# --- situation report --------------------------------------------------------------------------

def test_projection_keeps_true_proportions():
    projection = mapdraw.Projection((101.0, -3.0, 102.0, -1.0), 1000, 1000)
    ratio = projection.width / projection.height
    assert ratio == pytest.approx(0.5 * mapdraw.math.cos(mapdraw.math.radians(2.0)))
    assert projection.height == pytest.approx(1000)


def test_map_tiers_follow_the_scope():
    assert sitrep.map_tiers(["15.01", "15.72"]) == ("kecamatan", "kabupaten")
    assert sitrep.map_tiers(["15"]) == ("kecamatan", "kabupaten")
    assert sitrep.map_tiers(["15.72.01"]) == ("desa", "kecamatan")


def test_silent_region_is_never_green():
    assert mapdraw.fill_of("kurang_rawan", True)[0] == mapdraw.GAP_FILL
    assert mapdraw.fill_of("rawan", True) == mapdraw.FILLS["rawan"]
    assert mapdraw.fill_of(None, False)[0] == mapdraw.UNASSESSED_FILL


def test_map_draws_only_the_scope_and_names_do_not_overlap():
    data = sample_sitrep()
    areas, outlines = sitrep.map_areas(data)
    assert {a.code[:5] for a in areas} == {"15.01", "15.72"}
    assert len(areas) == 26 and sorted(o.code for o in outlines) == ["15.01", "15.72"]
    panel = mappanel.MapPanel(areas, outlines, 515, 520, "Batas kabupaten/kota")
    assert panel.inset is not None and panel.inset.title == "Sisipan: Kota Sungai Penuh"
    for view in (panel.main, panel.inset):
        named = [label for label in view.labels if label.number is None]
        assert not any(mapdraw.overlaps(a.box, b.box) for i, a in enumerate(named) for b in named[i + 1:])
        assert all(label.box[0] >= 0 and label.box[2] <= view.projection.width for label in named)
    labelled = [label.area.code for view in (panel.main, panel.inset) for label in view.labels]
    assert sorted(labelled) == sorted(a.code for a in areas)  # every kecamatan named or numbered, once
    inset_named = {label.area.code for label in panel.inset.labels if label.number is None}
    assert {"15.72.01", "15.72.03", "15.72.07"} <= inset_named  # the town's small kecamatan, by name


def test_sitrep_pdf_page_one_shows_the_map_in_level_colours(tmp_path):
    pdf = render_sitrep_pdf(sample_sitrep())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    page = render_page_one(pdf, tmp_path)
    assert page.size[0] < page.size[1]  # A4 portrait
    white = dict((colour, count) for count, colour in page.getcolors(1 << 24)).get((255, 255, 255), 0)
    assert page.size[0] * page.size[1] - white > page.size[0] * page.size[1] * 0.15
    for level in ("kurang_rawan", "rawan", "sangat_rawan"):
        assert count_near(page, mapdraw.FILLS[level][0]) > 400, level
    assert count_near(page, mapdraw.GAP_FILL, tolerance=12) > 100


def test_sitrep_map_is_red_only_where_a_region_is_sangat_rawan(tmp_path):
    """Without alerts (whose table cells are coloured too) red on page 1 is the map and the legend."""
    with_red = replace(sample_sitrep(), alerts=[])
    without_red = replace(sample_sitrep(levels={**SUNGAI_PENUH_LEVELS, "15.72.01": "rawan"}), alerts=[])
    red = mapdraw.FILLS["sangat_rawan"][0]
    legend_only = count_near(render_page_one(render_sitrep_pdf(without_red), tmp_path, dpi=100), red)
    with_map = count_near(render_page_one(render_sitrep_pdf(with_red), tmp_path, dpi=100), red)
    assert legend_only < 250  # the legend's cross-hatched swatch
    assert with_map > legend_only + 200


def test_sitrep_text_holds_the_tables(tmp_path):
    words = " ".join(pdf_text(render_sitrep_pdf(sample_sitrep()), tmp_path).split())
    for expected in ("LAPORAN SITUASI HARIAN", "Rabu, 27 November 2024", "Tahapan: Pemungutan dan penghitungan suara",
                     "Polres Kerinci",
                     "27 Nov 23:30 WIB", "Peringatan terbuka: 2 sangat rawan, 3 rawan", "Kecamatan Sungai Penuh",
                     "(lewat)", "1x, ke kapolres_kerinci", "& <wakil>",
                     "Gangguan di TPS dan rekapitulasi 12", "Pemungutan dan penghitungan suara 26", "Jumlah 30",
                     "299*", "+522", "Jumlah penebalan", "perkiraan", "Kecamatan Bukit Kerman", "1 hari 9 jam",
                     "belum pernah", "tanpa kabar", "Keadaan", "desa tanpa kabar"):
        assert expected in words, expected
    assert not re.search(r"\(15(\.\d+)*\)", words)               # places by name, never "(15.72.01)"


def test_sitrep_renders_empty_sections_and_a_polsek_scope(tmp_path):
    data = SitrepData(date=date(2024, 9, 30), scope_codes=("15.72.01",), scope_title="Polsek Sungai Penuh",
                      generated_at=datetime(2024, 9, 30, 8, 0, tzinfo=UTC))
    pdf = render_sitrep_pdf(data)
    words = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Peta kerawanan per desa" in words and "Tidak ada peringatan terbuka" in words
    assert "Semua desa dalam cakupan memberi kabar dalam 24 jam terakhir" in words
    page = render_page_one(pdf, tmp_path)
    assert count_near(page, mapdraw.UNASSESSED_FILL, tolerance=6) > 1000  # every desa drawn, none assessed


def test_sitrep_for_the_whole_province_names_only_what_matters():
    levels = {**SUNGAI_PENUH_LEVELS, "15.71.01": "rawan"}
    data = SitrepData(date=date(2024, 11, 27), scope_codes=("15",), scope_title="Polda Jambi",
                      generated_at=WIB_NIGHT + timedelta(minutes=5),
                      regions=[{"code": code, "level": levels.get(code, "kurang_rawan")}
                               for code in places.boundaries("kecamatan")])
    areas, outlines = sitrep.map_areas(data)
    assert len(areas) == 144 and len(outlines) == 11
    assert {a.code for a in areas if a.anchor} == set(levels)
    assert render_sitrep_pdf(data).startswith(b"%PDF")
