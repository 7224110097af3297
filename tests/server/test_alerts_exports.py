"""Exports never hold anything outside the caller's scope: Polresta Jambi (Kota Jambi) against
Polres Kerinci (Kerinci and Sungai Penuh) on the seeded demo at its 2024 dates. The sitrep PDF
opens and its first page renders to PNG."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest

from sync_server.demo import demo_accounts
from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import PASSWORD, assert_error

pytestmark = pytest.mark.slow
PASSWORDS = {account["username"]: account["password"] for account in demo_accounts()}
SCOPES = {"polresta.jambi": ("15.71",), "polres.kerinci": ("15.01", "15.72")}
KERINCI_WORDS = ("Sungai Penuh", "Koto Baru", "Kerinci", "Pesisir Bukit", "Siulak")
KOTA_JAMBI_WORDS = ("Telanaipura", "Jelutung", "Kebun Handil", "Kota Jambi", "Polresta")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("exports"), wib("11-28 17:40"))
    try:
        assert server.cli("seed-demo", "--hours-ago", "20").returncode == 0
        server.evaluate()
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def tokens(demo):
    return {name: demo.api.login(name, PASSWORDS[name]) for name in (*SCOPES, "88030417")}


def in_scope(code: str, scopes: tuple[str, ...]) -> bool:
    return any(code == scope or code.startswith(scope + ".") for scope in scopes)


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_reports_csv_holds_every_report_in_scope_and_nothing_else(demo, tokens, who):
    response = demo.api.get("/api/v1/export/reports.csv", token=tokens[who])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and all(in_scope(row["desa_code"], SCOPES[who]) for row in rows)
    expected = sum(1 for (code,) in demo.query("SELECT desa_code FROM reports") if in_scope(code, SCOPES[who]))
    assert len(rows) == expected
    foreign = KOTA_JAMBI_WORDS if who == "polres.kerinci" else KERINCI_WORDS
    assert not any(word in response.text for word in foreign)


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_alerts_geojson_holds_only_regions_in_scope(demo, tokens, who):
    response = demo.api.get("/api/v1/export/alerts.geojson", token=tokens[who])
    assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    codes = [feature["id"] for feature in collection["features"]]
    assert codes and all(in_scope(code, SCOPES[who]) for code in codes)
    assert all(feature["properties"]["tier"] == "kecamatan" for feature in collection["features"])
    text = json.dumps(collection, ensure_ascii=False)
    foreign = KOTA_JAMBI_WORDS if who == "polres.kerinci" else KERINCI_WORDS
    assert not any(word in text for word in foreign)
    levels = {feature["id"]: feature["properties"]["level"] for feature in collection["features"]}
    if who == "polres.kerinci":
        assert levels["15.72.07"] in ("rawan", "sangat_rawan")
        koto_baru = next(f for f in collection["features"] if f["id"] == "15.72.07")["properties"]
        assert koto_baru["alert_id"] is None and koto_baru["alerts_below"] == 3    # its desa's alerts, no copy
    else:
        assert set(levels.values()) == {"kurang_rawan"}
    desa = demo.api.get("/api/v1/export/alerts.geojson", token=tokens[who], params={"tier": "desa"}).json()
    assert all(in_scope(feature["id"], SCOPES[who]) for feature in desa["features"])
    assert len(desa["features"]) > len(codes)


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_sitrep_pdf_opens_and_speaks_only_of_its_scope(demo, tokens, who, tmp_path):
    response = demo.api.get("/api/v1/export/sitrep.pdf", token=tokens[who], params={"date": "2024-11-27"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "sitrep.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    foreign = KOTA_JAMBI_WORDS if who == "polres.kerinci" else KERINCI_WORDS
    assert not [word for word in foreign if word in text]
    day_reports = sum(1 for (code, observed) in demo.query(
        "SELECT desa_code, observed_at FROM reports WHERE review_status NOT IN ('rejected', 'duplicate')")
        if in_scope(code, SCOPES[who]) and "2024-11-26T17:00" <= observed < "2024-11-27T17:00")
    assert f"Laporan: {day_reports}" in " ".join(text.split())
    if who == "polres.kerinci":
        assert "Koto Baru" in text and "Polres Kerinci" in text
        words = " ".join(text.split())
        assert "AKP Syafrizal" in words and "polsek.pesisirbukit" not in text           # people by name
    png = tmp_path / f"sitrep-{who.replace('.', '-')}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), str(png)],
                   check=True)
    assert png.with_suffix(".png").stat().st_size > 20_000


def test_exports_are_for_supervisors_and_admins(demo, tokens):
    for path in ("reports.csv", "alerts.geojson", "sitrep.pdf"):
        assert_error(demo.api.get(f"/api/v1/export/{path}", token=tokens["88030417"]), 403, "auth.forbidden")
    admin = demo.api.login("admin", PASSWORD)
    assert demo.api.get("/api/v1/export/sitrep.pdf", token=admin).status_code == 200
    for bad in ("2024-13-01", "27-11-2024", "2024-11-29"):                 # the clock is 28 November
        assert_error(demo.api.get("/api/v1/export/sitrep.pdf", token=admin, params={"date": bad}), 422)
    assert_error(demo.api.get("/api/v1/export/alerts.geojson", token=admin, params={"tier": "x"}), 422)
    assert shutil.which("pdftoppm")
