"""The report form and the quick report, driven like a view would, without any UI."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from field_app.i18n import Translator
from field_app.viewmodels import QuickReport, ReportForm
from kerawanan import assets
from kerawanan.regions import Located
from tests.app.builders import DESA, DESA_POINT, OFFICER, jpeg_bytes, uuid_for

JAKARTA = (-6.2, 106.8)


@pytest.fixture
def saved_ids() -> list[str]:
    return []


def _ids():
    numbers = count(1)
    return lambda: uuid_for(next(numbers))


@pytest.fixture
def form(outbox, clock, saved_ids) -> ReportForm:
    return ReportForm(outbox, OFFICER, clock=clock, new_id=_ids(), on_saved=saved_ids.append)


def _fill(form: ReportForm, *, skip: str = "") -> ReportForm:
    if skip != "category":
        form.choose_category("bentrok")
    if skip != "threat_stage":
        form.choose_threat_stage("AG")
    if skip != "desa_code":
        form.set_desa(DESA)
    if skip != "facts":
        form.set_facts("Dua kelompok pendukung saling dorong di depan balai desa.")
    return form


# ---------------------------------------------------------------- validation messages


def test_an_empty_form_says_what_is_missing_in_indonesian(form, clock):
    assert form.validate(clock()) is None
    assert form.errors == {
        "category": "Pilih kategori kerawanan.",
        "threat_stage": "Pilih tingkat ancaman: PG, AG atau GN.",
        "desa_code": "Pilih desa dari daftar, atau ambil lokasi GPS.",
        "facts": "Tuliskan fakta yang dilihat atau didengar.",
    }
    assert form.message == "Laporan belum bisa disimpan: periksa 4 isian yang ditandai."


@pytest.mark.parametrize("missing", ["category", "threat_stage", "desa_code", "facts"])
def test_each_required_field_alone_is_reported(form, clock, missing):
    _fill(form, skip=missing)
    assert form.validate(clock()) is None
    assert list(form.errors) == [missing]


def test_blank_facts_count_as_missing(form, clock):
    _fill(form).set_facts("   \n ")
    form.validate(clock())
    assert form.errors == {"facts": "Tuliskan fakta yang dilihat atau didengar."}


def test_messages_follow_the_chosen_language(outbox, clock):
    words = Translator("en")
    form = ReportForm(outbox, OFFICER, clock=clock, translator=words)
    form.validate(clock())
    assert form.errors["category"] == "Choose the kind of vulnerability."


def test_fixing_a_field_clears_its_message(form, clock):
    form.validate(clock())
    form.choose_category("bentrok")
    assert "category" not in form.errors and "facts" in form.errors


def test_too_long_facts_say_the_limit_and_the_count(form, clock):
    _fill(form).set_facts("x" * 4001)
    form.validate(clock())
    assert form.errors == {"facts": "Terlalu panjang: paling banyak 4.000 huruf (sekarang 4.001)."}


@pytest.mark.parametrize("typed, message", [
    ("banyak", "Jumlah orang harus berupa angka bulat, mis. 40."),
    ("-3", "Jumlah orang harus berupa angka bulat, mis. 40."),
    ("250000", "Jumlah orang harus antara 0 dan 100.000."),
])
def test_people_count_must_be_a_sensible_whole_number(form, clock, typed, message):
    _fill(form).set_people_count(typed)
    form.validate(clock())
    assert form.errors == {"people_count": message}


def test_people_count_accepts_thousands_separators(form, clock):
    _fill(form).set_people_count("1.200")
    assert form.validate(clock()).people_count == 1200


def test_a_time_in_the_future_is_refused_by_the_core_in_the_officers_words(form, clock):
    _fill(form).set_observed_at(clock() + timedelta(hours=2))
    form.validate(clock())
    assert form.errors == {"observed_at": "Waktu kejadian tidak boleh di masa depan; periksa jam HP."}


def test_a_time_before_2024_is_refused(form, clock):
    _fill(form).set_observed_at(datetime(2023, 12, 31, 12, 0, tzinfo=UTC))
    form.validate(clock())
    assert form.errors == {"observed_at": "Waktu kejadian tidak boleh sebelum 1 Januari 2024."}


def test_observed_at_defaults_to_now_and_a_naive_time_is_wib(form, clock):
    assert form.observed_at == clock()
    form.set_observed_at(datetime(2024, 11, 27, 20, 15))
    assert form.observed_at.utcoffset() == timedelta(hours=7)
    assert form.stage_label == "Pemungutan dan penghitungan suara"


# ---------------------------------------------------------------- desa: GPS or picker


def test_gps_inside_a_desa_fills_it_and_says_how(form):
    form.use_gps(*DESA_POINT, accuracy=12.4)
    assert form.desa_code == DESA and form.desa_name == "Desa Dujung Sakti"
    assert form.desa_how == "Dari GPS: di dalam batas desa (akurasi ± 12 m)."
    assert (form.location.lat, form.location.lon, form.location.accuracy_m) == (*DESA_POINT, 12.4)


def test_gps_outside_jambi_asks_for_the_picker(form):
    form.use_gps(*JAKARTA, accuracy=5)
    assert form.desa_code is None
    assert form.desa_how == "Titik GPS di luar wilayah Jambi. Pilih desa dari daftar."


class _Locating:
    """The real gazetteer, except for where a GPS fix falls."""

    def __init__(self, located: Located):
        self._real, self._located = assets.gazetteer(), located

    def locate_desa(self, lat, lon):
        return self._located

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.mark.parametrize("located, words, desa", [
    (Located(DESA, "15.72.07", "nearest", 230.4), "Dari GPS: desa terdekat, 230 m dari titik Anda. Periksa kembali.",
     DESA),
    (Located(None, "15.72.07", "kecamatan", None),
     "Dari GPS: hanya kecamatan Koto Baru yang diketahui. Pilih desa dari daftar.", None),
])
def test_gps_near_a_desa_or_only_in_a_kecamatan_says_so(outbox, clock, located, words, desa):
    form = ReportForm(outbox, OFFICER, clock=clock, gazetteer=_Locating(located))
    form.use_gps(-2.0, 101.4, accuracy=30)
    assert (form.desa_code, form.desa_how) == (desa, words)


def test_the_picker_searches_desa_by_name_and_shows_their_area(form):
    choices = form.search_desa("dujung")
    assert choices[0].code == DESA and choices[0].name == "Desa Dujung Sakti"
    assert "Koto Baru" in choices[0].area and "Sungai Penuh" in choices[0].area
    form.set_desa(choices[0].code)
    assert (form.desa_code, form.desa_how) == (DESA, "Dipilih dari daftar.")


def test_a_code_that_is_not_a_desa_is_not_taken(form):
    form.set_desa("15.72.07")
    assert form.desa_code is None


# ---------------------------------------------------------------- choices in plain words


def test_choices_come_in_plain_words_with_hints(form):
    assert len(form.category_choices) == 16 and form.category_choices[0].label == "Politik uang"
    assert [c.code for c in form.threat_stage_choices] == ["PG", "AG", "GN"]
    assert form.threat_stage_choices[2].label == "GN — Gangguan Nyata"
    assert form.reliability_choices[1].label == "Sumber biasanya dapat dipercaya"
    assert form.credibility_choices[1].label == "Kemungkinan besar benar"
    form.choose_category("bentrok")
    assert form.category_hint.startswith("Adu mulut")


# ---------------------------------------------------------------- saving


def test_submit_commits_to_the_outbox_and_wakes_sync(form, outbox, clock, saved_ids):
    _fill(form).use_gps(*DESA_POINT, accuracy=8)
    form.set_people_count("40")
    form.set_tps("03")
    form.choose_source_reliability("B")
    form.choose_info_credibility(2)
    form.set_opinion("Bisa meluas malam ini.")
    saved = form.submit(clock())
    entry = outbox.get(saved)
    assert saved == uuid_for(1) and saved_ids == [saved]
    assert entry.state == "waiting" and entry.officer == OFFICER
    assert entry.wire["stage"] == "pemungutan_suara"
    assert (entry.wire["people_count"], entry.wire["tps"], entry.wire["source_reliability"],
            entry.wire["info_credibility"]) == (40, "03", "B", 2)
    assert entry.wire["observed_at"].endswith("+07:00")
    assert form.message == "Laporan tersimpan di HP. Akan dikirim otomatis saat ada sinyal."


def test_a_double_tap_saves_one_report(form, outbox, clock):
    _fill(form)
    assert form.submit(clock()) == form.submit(clock())
    assert outbox.pending_count(OFFICER) == 1


def test_reset_starts_a_new_report_with_a_new_id(form, outbox, clock):
    _fill(form).submit(clock())
    form.reset()
    assert form.report_id == uuid_for(2) and form.category is None and form.errors == {}
    _fill(form).submit(clock())
    assert outbox.pending_count(OFFICER) == 2


def test_a_form_with_errors_saves_nothing(form, outbox, clock, saved_ids):
    assert form.submit(clock()) is None
    assert outbox.pending_count(OFFICER) == 0 and saved_ids == []


def test_photos_are_shrunk_kept_and_sent_with_the_report(form, outbox, clock):
    sha = form.add_photo(jpeg_bytes(size=(2000, 1500)))
    assert form.photos == [sha]
    assert outbox.photo_path(sha).exists()
    _fill(form).submit(clock())
    assert outbox.get(form.saved_id).wire["media"] == [sha]


def test_at_most_five_photos_and_unreadable_ones_are_said(form):
    for shade in range(5):
        form.add_photo(jpeg_bytes(color=(shade * 40, 0, 0)))
    assert form.add_photo(jpeg_bytes(color=(0, 0, 250))) is None
    assert form.errors["media"] == "Paling banyak 5 foto per laporan."
    form.remove_photo(form.photos[0])
    assert form.add_photo(b"garbage") is None
    assert form.errors["media"] == "Foto tidak dapat dibaca. Coba ambil foto lagi."


def test_listeners_hear_every_change(form):
    heard = []
    unsubscribe = form.subscribe(lambda: heard.append(form.category))
    form.choose_category("bentrok")
    unsubscribe()
    form.choose_category("bencana")
    assert heard == ["bentrok"]


# ---------------------------------------------------------------- quick report


@pytest.fixture
def quick(outbox, clock, saved_ids) -> QuickReport:
    return QuickReport(outbox, OFFICER, clock=clock, new_id=_ids(), on_saved=saved_ids.append)


def test_quick_report_in_three_taps_with_the_desa_from_gps(quick, outbox, clock, saved_ids):
    quick.use_gps(*DESA_POINT, accuracy=10)
    assert quick.step == "category" and quick.step_title == "1. Pilih kategori"
    quick.choose_category("bentrok")
    assert quick.step == "threat_stage"
    quick.choose_threat_stage("GN")
    assert quick.step == "confirm" and quick.summary["desa"] == "Desa Dujung Sakti"
    clock.advance(minutes=1)
    saved = quick.confirm(clock())
    entry = outbox.get(saved)
    assert quick.step == "done" and saved_ids == [saved]
    assert entry.wire["facts"] == "Laporan cepat: Bentrok antar pendukung (GN - Gangguan Nyata)."
    assert entry.wire["observed_at"] == clock().astimezone(entry.observed_at.tzinfo).isoformat(timespec="seconds")


def test_quick_report_keeps_words_the_officer_wrote(quick, outbox, clock):
    quick.use_gps(*DESA_POINT)
    quick.choose_category("politik_uang")
    quick.choose_threat_stage("PG")
    quick.set_facts("Amplop dibagikan di warung.")
    assert outbox.get(quick.confirm(clock())).wire["facts"] == "Amplop dibagikan di warung."


def test_quick_report_without_a_gps_desa_asks_for_one(quick, clock):
    quick.choose_category("bentrok")
    quick.choose_threat_stage("AG")
    assert quick.needs_desa and quick.desa_note == "Desa belum diketahui dari GPS. Pilih desa dari daftar."
    assert quick.confirm(clock()) is None
    assert quick.errors == {"desa_code": "Pilih desa dari daftar, atau ambil lokasi GPS."}
    assert quick.form.facts == "" and quick.step == "confirm"
    quick.set_desa(DESA)
    assert quick.confirm(clock()) is not None


def test_quick_report_can_go_back_a_step(quick):
    quick.choose_category("bentrok")
    quick.back()
    assert quick.step == "category"
    quick.choose_category("logistik")
    quick.choose_threat_stage("PG")
    quick.back()
    assert quick.step == "threat_stage" and quick.form.category == "logistik"


def test_a_draft_survives_the_app_being_killed(outbox, clock):
    form = ReportForm(outbox, OFFICER, clock=clock, new_id=_ids())
    form.choose_category("bencana")
    form.use_gps(*DESA_POINT, accuracy=7)
    form.set_facts("Jembatan putus, logistik tertahan.")
    form.save_draft()
    reopened = ReportForm(outbox, OFFICER, clock=clock, new_id=lambda: "not-used")
    assert reopened.restore_draft()
    assert (reopened.report_id, reopened.category, reopened.desa_code, reopened.facts) == (
        uuid_for(1), "bencana", DESA, "Jembatan putus, logistik tertahan.")
    assert reopened.location == form.location and reopened.observed_at == form.observed_at
    reopened.choose_threat_stage("GN")
    assert reopened.submit(clock()) == uuid_for(1)
    assert not ReportForm(outbox, OFFICER, clock=clock).restore_draft()      # saved: the draft is gone
