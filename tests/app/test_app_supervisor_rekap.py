"""The rekap view-model without Flet: rows in words, the unit that is not acting first, drill down
and back up the trail; the assign picker and history in names; "belum dinilai" instead of "??"."""
from __future__ import annotations

from field_app.i18n import Translator
from field_app.viewmodels.supervisor_alert import AlertDetail, grade_words, history_words
from field_app.viewmodels.supervisor_rekap import Rekap, cells, minutes_words
from field_app.viewmodels.supervisor_review import ReviewQueue
from tests.app.supervisor_fakes import NOW, FakeSupervisorClient, a_rekap_row

T = Translator("id")


def test_a_row_in_words():
    row = a_rekap_row("15.72.02", "Kecamatan Pesisir Bukit", open=2, ack_minutes=30.0, action_minutes=95.0,
                      bhabin=3, bhabin_reported=2, bhabin_share=0.667, silent_desa=1, desa=8)
    words = cells(row, T)
    assert (words["open"], words["ack"], words["action"], words["bhabin"], words["silent"]) == (
        "2", "30 mnt", "1,6 jam", "2/3 (67%)", "1/8")
    assert cells(a_rekap_row("x", "x", unacknowledged=1), T)["ack"] == "1 belum diterima · —"
    assert minutes_words(None, T) == "—" and minutes_words(90, Translator("en")) == "1.5 h"


def test_the_unit_that_does_not_act_comes_first_and_a_tap_goes_down_then_back_up():
    client = FakeSupervisorClient()
    vm = Rekap(client, clock=lambda: NOW)
    assert vm.refresh()
    assert vm.title() == "Provinsi Jambi: per Polres" and vm.lines()[0].name == "Polres Kerinci"
    assert vm.open("15.01,15.72")
    lines = vm.lines()
    assert [line.name for line in lines] == ["Kecamatan Koto Baru", "Kecamatan Pesisir Bukit"]
    assert lines[0].alarm and not lines[1].alarm and vm.alarm_names() == ["Kecamatan Koto Baru"]
    assert vm.open("15.72.07")
    (desa,) = vm.lines()
    assert not desa.drill and desa.officers == "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti"
    assert [name for _, name in vm.trail] == ["Provinsi Jambi", "Polres Kerinci", "Kecamatan Koto Baru"]
    assert vm.up(1) and [name for _, name in vm.trail] == ["Provinsi Jambi", "Polres Kerinci"]
    assert client.calls[-1] == ("get_rekap", {"unit": "15.01,15.72"})


def test_a_refused_unit_keeps_the_table_and_says_why():
    client = FakeSupervisorClient()
    vm = Rekap(client, clock=lambda: NOW)
    vm.refresh()
    assert vm.open("15.03") is False and vm.problem == "Wilayah tidak ditemukan."
    assert vm.lines()[0].name == "Polres Kerinci" and len(vm.trail) == 1
    client.offline = True
    assert vm.refresh() is False and vm.problem == T("sv.offline")


def test_history_is_said_in_indonesian_with_names():
    hop = {"event": "escalated", "actor": "system", "data": {
        "from_owner": "polsek.pb", "from_owner_name": "AKP Syafrizal Anwar, Polsek Pesisir Bukit",
        "to_owner": "polres.kerinci", "to_owner_name": "Kompol Hendra Wijaya Lubis, Polres Kerinci",
        "missed_by": "polsek.pb", "missed_by_name": "AKP Syafrizal Anwar, Polsek Pesisir Bukit"}}
    assert history_words(T, hop) == (
        "dieskalasi dari AKP Syafrizal Anwar, Polsek Pesisir Bukit ke Kompol Hendra Wijaya Lubis, Polres Kerinci; "
        "batas waktu dilewatkan oleh AKP Syafrizal Anwar, Polsek Pesisir Bukit")
    assert history_words(T, {"event": "acknowledge"}) == "diterima"
    assert history_words(T, {"event": "assign", "data": {"assignee": "88030417"}}) == "ditugaskan ke 88030417"


def test_quick_reports_without_a_grade_say_belum_dinilai():
    assert grade_words(T, {"source_reliability": None, "info_credibility": None}) == "belum dinilai"
    assert grade_words(T, {"source_reliability": "B", "info_credibility": 2}) == "B2"
    assert grade_words(T, {"source_reliability": "B", "info_credibility": 2, "review": {"grade": "A1"}}) == "A1"
    queue = ReviewQueue(FakeSupervisorClient(), clock=lambda: NOW)
    line = queue.line({"desa_code": "15.72.01.1003", "desa_name": "Kelurahan Pasar Sungai Penuh",
                       "threat_stage": "GN", "officer": "88030417",
                       "officer_name": "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti"}, "Senjata tajam", "03:50")
    assert line == ("Kelurahan Pasar Sungai Penuh · Senjata tajam GN · belum dinilai · oleh Brigpol Reza Pratama, "
                    "Bhabin Desa Dujung Sakti · 03:50")
    assert "??" not in line and "15.72" not in line


def test_assigning_picks_from_the_officers_of_the_region():
    detail = AlertDetail(FakeSupervisorClient(), "a1", clock=lambda: NOW)
    assert detail.load() and detail.load_officers()
    ((username, words),) = detail.officer_options()
    assert username == "88030417" and words.startswith("Brigpol Reza Pratama, Bhabin Desa Dujung Sakti · sinkron")
