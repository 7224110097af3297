"""Supervisor view-models without Flet: board order, filters and flags; the alert's actions and 412;
the map's point-in-polygon and scope; review; trends; admin codes with a QR PNG."""
from __future__ import annotations

from datetime import timedelta

import pytest

from field_app.i18n import Translator
from field_app.viewmodels.supervisor_admin import AdminPanel, qr_png
from field_app.viewmodels.supervisor_alert import AlertDetail, actions_for
from field_app.viewmodels.supervisor_board import AlertBoard, is_overdue
from field_app.viewmodels.supervisor_regions import RegionMap, shapes
from field_app.viewmodels.supervisor_review import ReviewQueue
from field_app.viewmodels.supervisor_trends import Trends
from tests.app.supervisor_fakes import NOW, FakeSupervisorClient, an_alert, iso


def board_with(*alerts) -> AlertBoard:
    board = AlertBoard(FakeSupervisorClient(list(alerts)), clock=lambda: NOW)
    assert board.refresh()
    return board


def test_the_board_puts_what_needs_action_first_overdue_then_the_nearest_deadline():
    board = board_with(an_alert("late-red", deadline=NOW + timedelta(hours=3)),
                       an_alert("yellow", level="rawan", deadline=NOW + timedelta(minutes=5)),
                       an_alert("none", deadline=None),
                       an_alert("overdue-yellow", level="rawan", deadline=NOW - timedelta(minutes=1)),
                       an_alert("soon-red", deadline=NOW + timedelta(minutes=30)))
    assert [row.id for row in board.rows()] == ["overdue-yellow", "yellow", "soon-red", "late-red", "none"]


def test_mine_is_the_default_of_a_polsek_or_polres_and_the_chip_says_what_is_filtered():
    from field_app.viewmodels.supervisor_board import mine_by_default

    assert mine_by_default("supervisor", ["15.72.07"]) and mine_by_default("supervisor", ["15.01", "15.72"])
    assert not mine_by_default("supervisor", ["15"]) and not mine_by_default("admin", ["15.01"])
    client = FakeSupervisorClient([an_alert("theirs", owner="polda.jambi"), an_alert("ours", owner="polres.kerinci",
                                                                                      level="rawan")])
    board = AlertBoard(client, me="polres.kerinci", mine_default=True, clock=lambda: NOW)
    assert board.refresh()
    assert [row.id for row in board.rows()] == ["ours"] and board.active_filters() == [("mine", "polres.kerinci")]
    board.set_filter("level", "rawan")
    assert board.active_filters() == [("mine", "polres.kerinci"), ("level", "rawan")]
    board.clear_filters()
    assert {row.id for row in board.rows()} == {"theirs", "ours"} and board.active_filters() == []


def test_overdue_means_still_open_after_the_deadline_and_escalated_means_an_escalation():
    board = board_with(an_alert("overdue", deadline=NOW - timedelta(minutes=1)),
                       an_alert("acked", status="acknowledged", deadline=NOW - timedelta(hours=1)),
                       an_alert("up", escalations=1))
    flags = {row.id: (row.overdue, row.escalated) for row in board.rows()}
    assert flags == {"overdue": (True, False), "acked": (False, False), "up": (False, True)}
    assert board.counts()["overdue"] == 1 and board.counts()["escalated"] == 1
    assert not is_overdue(an_alert(deadline=None), NOW)


def test_each_filter_narrows_the_board_and_clearing_restores_it():
    board = board_with(an_alert("a", region_code="15.72.07", stage="rekapitulasi", categories=("bentrok",)),
                       an_alert("b", level="rawan", status="acknowledged", region_code="15.01"))
    for name, value, expected in (("level", "rawan", ["b"]), ("status", "acknowledged", ["b"]),
                                  ("region", "15.72", ["a"]), ("stage", "rekapitulasi", ["a"]),
                                  ("category", "bentrok", ["a"])):
        board.clear_filters()
        board.set_filter(name, value)
        assert [row.id for row in board.rows()] == expected, name
    board.clear_filters()
    assert len(board.rows()) == 2
    assert board.options("level") == ["rawan", "sangat_rawan"]


def test_the_board_fetches_active_alerts_and_says_when_offline():
    client = FakeSupervisorClient()
    board = AlertBoard(client, clock=lambda: NOW)
    board.refresh()
    assert client.calls[0] == ("list_alerts", {"status": "active", "limit": 1000, "cursor": None})
    client.offline = True
    assert board.refresh() is False
    assert board.problem == Translator()("sv.offline")
    assert len(board.rows()) == 1                     # what was shown stays


def test_an_action_sends_the_version_seen_and_reloads():
    client = FakeSupervisorClient()
    detail = AlertDetail(client, "a1", clock=lambda: NOW)
    assert detail.load() and detail.version == 1
    assert detail.act("acknowledge", note="OTW")
    assert client.calls[-1] == ("act", "a1", "acknowledge", 1, {"note": "OTW", "assignee": None, "response": None})
    assert detail.version == 2 and detail.alert["status"] == "acknowledged"
    assert detail.done == "Peringatan diterima." and detail.stale_notice is None


def test_a_stale_action_says_who_changed_it_and_shows_the_current_state_without_overwriting():
    client = FakeSupervisorClient()
    detail = AlertDetail(client, "a1", clock=lambda: NOW)
    detail.load()
    client.change("a1", "polres.kerinci", "assign", assignee="90110233")   # someone else, meanwhile
    assert detail.act("acknowledge") is False
    assert detail.stale_notice.startswith("Peringatan ini sudah diubah oleh polres.kerinci — berikut keadaan terbaru")
    assert detail.alert["status"] == "in_progress" and detail.alert["assignee"] == "90110233"
    assert detail.version == 2
    assert client.alerts["a1"]["version"] == 2        # the stale acknowledge changed nothing


def test_actions_that_need_words_ask_for_them_first():
    client = FakeSupervisorClient()
    detail = AlertDetail(client, "a1", clock=lambda: NOW)
    detail.load()
    assert detail.act("assign") is False and detail.problem == "Pilih petugas yang ditugaskan."
    assert detail.act("resolve", response=" ") is False
    assert [c for c in client.calls if c[0] == "act"] == []
    assert actions_for("resolved") == ("reopen",) and "acknowledge" in actions_for("open")


def test_the_score_is_explained_in_words_and_numbers():
    detail = AlertDetail(FakeSupervisorClient(), "a1", clock=lambda: NOW)
    detail.load()
    lines = detail.explanation_lines()
    assert lines[0].startswith("Bobot tiap laporan = bobot kategori")
    assert "3 × 9 × 1.00 (A1)" in lines[1] and lines[-1] == "Jumlah: 25.1 = 25.1"


def test_an_alert_out_of_scope_reads_as_not_found():
    detail = AlertDetail(FakeSupervisorClient(), "elsewhere", clock=lambda: NOW)
    assert detail.load() is False
    assert detail.problem == "Peringatan tidak ditemukan atau di luar wilayah Anda." and detail.alert is None


def test_a_tap_inside_sungai_penuh_finds_it_and_outside_jambi_finds_nothing():
    client = FakeSupervisorClient()
    client.regions = {"15.72": {"code": "15.72", "name": "Kota Sungai Penuh", "level": "sangat_rawan",
                                "children": [{"code": "15.72.07", "level": "rawan", "coverage_gap": True}],
                                "coverage": {"gaps": [{"code": "15.72.07.2004", "name": "Dujung Sakti",
                                                       "last_heard": iso(NOW)}], "desa": 69, "silent_desa": 1}}}
    region_map = RegionMap(client, ("15.72",), clock=lambda: NOW)
    assert region_map.tier == "kabupaten" and region_map.refresh()
    assert region_map.locate(-2.0339, 101.3922) == "15.72"
    assert region_map.locate(1.0, 110.0) is None
    assert region_map.tap(-2.0339, 101.3922) and region_map.selected["name"] == "Kota Sungai Penuh"
    assert region_map.level_of("15.72") == "sangat_rawan"
    assert region_map.level_of("15.71") is None                   # out of scope: no level, grey
    assert region_map.is_gap("15.72.07") and [g["code"] for g in region_map.coverage_rows()] == ["15.72.07.2004"]
    assert region_map.tap(-1.61, 103.61) is False                 # Kota Jambi: the server refuses
    assert region_map.problem == "Wilayah ini di luar wilayah Anda."
    assert len(shapes("kabupaten")) == 11 and len(shapes("kecamatan")) == 144


def test_review_regrades_only_when_changed_and_needs_the_original_for_a_duplicate():
    client = FakeSupervisorClient()
    client.reports = [{"id": r, "desa_code": "15.72.07.2004", "category": "bentrok", "source_reliability": "B",
                       "info_credibility": 2, "observed_at": iso(NOW), "review": {"status": "pending"}}
                      for r in ("r1", "r2")]
    queue = ReviewQueue(client, clock=lambda: NOW)
    assert queue.refresh() and len(queue.reports) == 2
    queue.choose("r1")
    assert queue.submit("duplicate") is False and queue.problem == "Pilih laporan aslinya dulu."
    queue.set_duplicate_of("r2")
    queue.set_note("Sama dengan laporan Bripka Reza")
    assert queue.submit("duplicate")
    queue.choose("r2")
    queue.set_grade("reliability", "A")
    assert queue.submit("confirm")
    assert client.reviews == [("r1", "duplicate", {"grade": None, "duplicate_of": "r2",
                                                    "note": "Sama dengan laporan Bripka Reza"}),
                              ("r2", "confirm", {"grade": "A2", "duplicate_of": None, "note": None})]
    assert queue.reports == []


def test_trends_count_reports_per_wib_day_and_category_and_per_stage():
    client = FakeSupervisorClient()
    client.reports = [{"id": "1", "category": "bentrok", "stage": "kampanye", "observed_at": "2024-11-20T18:00:00Z",
                       "review": {"status": "pending"}},      # 21 Nov in WIB
                      {"id": "2", "category": "bentrok", "stage": "kampanye", "observed_at": "2024-11-21T02:00:00Z",
                       "review": {"status": "pending"}},
                      {"id": "3", "category": "logistik", "stage": "masa_tenang",
                       "observed_at": "2024-11-25T02:00:00Z", "review": {"status": "pending"}}]
    trends = Trends(client, clock=lambda: NOW)
    assert trends.refresh()
    days, per_category = trends.per_day_by_category()
    assert days == ["2024-11-21", "2024-11-25"]
    assert per_category == {"bentrok": [2, 0], "logistik": [0, 1]}
    assert trends.per_stage() == [("kampanye", 2), ("masa_tenang", 1)]
    assert trends.load_score_history(["a1"], "Kota Sungai Penuh") and trends.score_points[0][1] == 80.0


def test_an_enrollment_code_comes_as_text_and_as_a_qr_png():
    admin = AdminPanel(FakeSupervisorClient(), clock=lambda: NOW)
    assert admin.issue_code("88030417")
    assert admin.code["code"] == "J8QY-2Z76" and admin.code["qr"].startswith(b"\x89PNG\r\n\x1a\n")
    assert admin.issue_code("  ") is False and admin.problem == "Isi NRP petugas."
    assert qr_png("x") != qr_png("y")


def test_creating_a_user_splits_the_scope_and_revoking_needs_an_id():
    client = FakeSupervisorClient()
    admin = AdminPanel(client, clock=lambda: NOW)
    assert admin.create_user() is False
    for name, value in (("username", "89010001"), ("name", "Bripka Sari"), ("scope", "15.72.07.2004, 15.72.07.2001")):
        admin.set_user_field(name, value)
    assert admin.create_user() and admin.done == "Pengguna 89010001 dibuat."
    assert client.calls[-1] == ("create_user", "89010001", "Bripka Sari", "officer",
                                ["15.72.07.2004", "15.72.07.2001"], None)
    assert admin.revoke_device("") is False
    assert admin.revoke_device("dev-1") and ("revoke", "dev-1") in client.calls


def test_a_lost_phone_is_picked_from_the_officers_list_and_shown_revoked():
    client = FakeSupervisorClient()
    admin = AdminPanel(client, clock=lambda: NOW)
    assert admin.load_devices(" ") is False and admin.problem == "Isi NRP petugas."
    assert admin.load_devices("88030417") and admin.devices_for == "88030417"
    assert [d["name"] for d in admin.devices] == ["HP baru", "HP lama"] and admin.problem is None
    assert admin.revoke_device("dev-1") and admin.done == "Perangkat HP lama dicabut."
    assert client.calls[-2:] == [("revoke", "dev-1"), ("devices", "88030417")]
    assert [d["revoked_at"] is not None for d in admin.devices] == [False, True]
    assert admin.load_devices("89999999") and admin.devices == []
    assert admin.done == "89999999 belum mendaftarkan HP."
    with pytest.raises(KeyError):
        admin.set_user_field("nope", "x")


def test_an_admin_resets_disables_and_ends_the_sessions_of_an_account():
    client = FakeSupervisorClient()
    admin = AdminPanel(client, clock=lambda: NOW)
    assert admin.reset_password() is False and admin.problem == "Isi nama pengguna lalu tekan Lihat akun."
    assert admin.load_account("tidak.ada") is False and admin.problem == "Pengguna tidak ditemukan."
    assert admin.load_account(" 88030417 ") and admin.account["name"] == "Bripka Andri Saputra"
    assert admin.reset_password() and admin.temporary["temporary_password"] == "KQ7M-3XPA-W9HD"
    assert admin.done == "Kata sandi 88030417 direset; sesi login-nya diakhiri."
    assert admin.set_disabled(True) and admin.account["disabled_at"] is not None
    assert admin.done == "88030417 dinonaktifkan: semua token, HP dan kata sandinya berhenti."
    assert admin.set_disabled(False) and admin.account["disabled_at"] is None
    assert admin.revoke_sessions() and admin.done == "2 sesi login 88030417 diakhiri (HP tetap jalan)."
    assert client.calls[-4:] == [("reset_password", "88030417"), ("disabled", "88030417", True),
                                 ("disabled", "88030417", False), ("revoke_sessions", "88030417")]
    client.offline = True
    assert admin.revoke_sessions() is False and admin.problem == admin.t("sv.offline")


def test_changing_ones_own_password_checks_the_repeat_and_shows_the_servers_refusal():
    client = FakeSupervisorClient()
    admin = AdminPanel(client, clock=lambda: NOW)
    assert admin.change_own_password("", "baru-sekali-123", "baru-sekali-123") is False
    assert admin.change_own_password("lama-benar-123", "baru-sekali-123", "baru-sekali-124") is False
    assert admin.problem == "Kata sandi baru dan ulangannya tidak sama." and client.calls == []
    assert admin.change_own_password("salah", "baru-sekali-123", "baru-sekali-123") is False
    assert admin.problem == "Kata sandi lama salah. old_password: Salah."
    assert admin.change_own_password("lama-benar-123", "baru-sekali-123", "baru-sekali-123")
    assert admin.done == "Kata sandi diganti. Sesi lain akun ini diakhiri."


def test_the_admin_sees_which_account_is_being_guessed_from_where():
    admin = AdminPanel(FakeSupervisorClient(), clock=lambda: NOW)
    assert admin.failure_lines() == []
    assert admin.load_failures()
    [line] = admin.failure_lines()                       # the per-address total is not an account
    assert line.startswith("Sedang ditebak: polres.kerinci dari 10.9.8.7 · 7× · alamat itu menunggu sampai ")
