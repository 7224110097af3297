"""The timeline, the map's "as of" and the penebalan plan view-models without Flet: stages in calendar
order with empty ones said as empty, H-n in words, levels as of a tahapan drawn only inside scope,
the commander's numbers with totals, shortfall and "over the strength" before anything is sent."""
from __future__ import annotations

from datetime import UTC, datetime

from field_app.errors import Offline, ServerRejected
from field_app.i18n import Translator
from field_app.viewmodels.supervisor_plan import PenebalanPlan
from field_app.viewmodels.supervisor_timeline import PAST_COVERAGE, AsOfLevels, Timeline

T = Translator("id")
NOW = datetime(2024, 11, 28, 3, 0, tzinfo=UTC)


def stage(code, label, start, end, state, reports=0, opened=0, rawan=0, sangat=0, levels=None):
    return {"code": code, "label": label, "label_en": label, "from": start, "to": end, "critical": True,
            "state": state, "reports": reports, "alerts": {"opened": opened, "rawan": rawan, "sangat_rawan": sangat},
            "levels_at_end": levels, "as_of": None}


TIMELINE = {"current": "rekapitulasi", "regions": 9, "countdown": {
    "pemungutan_suara": {"day": "2024-11-27", "days": -1, "label": "H+1"},
    "rekapitulasi": {"day": "2024-11-28", "days": 0, "label": "Hari H"}},
    "stages": [stage("kampanye", "Kampanye", "2024-09-25", "2024-11-23", "past", reports=40, opened=3, rawan=2, sangat=1,
                     levels={"kurang_rawan": 9, "rawan": 0, "sangat_rawan": 0}),
               stage("masa_tenang", "Masa tenang", "2024-11-24", "2024-11-26", "past",
                     levels={"kurang_rawan": 9, "rawan": 0, "sangat_rawan": 0}),
               stage("pemungutan_suara", "Pemungutan suara", "2024-11-27", "2024-11-27", "past", reports=5,
                     levels={"kurang_rawan": 9, "rawan": 0, "sangat_rawan": 0}),
               stage("rekapitulasi", "Rekapitulasi", "2024-11-28", "2024-12-16", "now", reports=10, opened=1, rawan=1,
                     levels={"kurang_rawan": 8, "rawan": 1, "sangat_rawan": 0}),
               stage("sengketa", "Sengketa", "2024-12-17", "2025-02-24", "future")]}


class Client:
    def __init__(self):
        self.calls: list[tuple] = []
        self.offline = False
        self.plan = {"proposal": {"unit": "15", "unit_name": "Polda Jambi", "rule": "…", "pool": {
            "own": 30, "own_label": "BKO Polda + Brimob", "received": [], "total": 30, "example": True},
            "rows": [{"region_code": "15.01", "name": "Kabupaten Kerinci", "priority": "rawan", "need": 60,
                      "proposed": 22, "allocated": 22},
                     {"region_code": "15.72", "name": "Kota Sungai Penuh", "priority": "rawan", "need": 22,
                      "proposed": 8, "allocated": 8}]}, "saved": None, "versions": []}

    def get_timeline(self):
        if self.offline:
            raise Offline(reason="test")
        return TIMELINE

    def regions_as_of(self, as_of, tier=None):
        self.calls.append(("regions_as_of", as_of, tier))
        if as_of == "sengketa":
            raise ServerRejected(422, "request.invalid", "Tahapan itu belum dimulai.")
        items = {"kabupaten": [{"code": "15.72", "level": "rawan", "score": 21.5}],
                 "kecamatan": [{"code": "15.72.07", "level": "rawan"}], "desa": []}[tier]
        return {"as_of": "2024-11-26T16:59:59.999999Z", "stage_label": "Masa tenang", "items": items}

    def get_plan(self):
        return self.plan

    def save_plan(self, rows, note, base_version):
        self.calls.append(("save_plan", rows, note, base_version))
        saved = {**self.plan["proposal"], "version": base_version + 1, "saved_at": "2024-11-28T02:00:00Z",
                 "saved_by": "sv-polda", "note": note,
                 "rows": [{**row, "allocated": next(r["allocated"] for r in rows if r["region_code"] == row["region_code"])}
                          for row in self.plan["proposal"]["rows"]]}
        self.plan = {**self.plan, "saved": saved, "versions": [saved]}
        return saved


def test_the_timeline_keeps_calendar_order_says_empty_and_counts_down():
    vm = Timeline(Client(), clock=lambda: NOW, translator=T)
    assert vm.refresh()
    assert vm.headline() == ["Sekarang: Rekapitulasi", "Pemungutan suara H+1 (27 Nov 2024)",
                             "Rekapitulasi Hari H (28 Nov 2024)"]
    lines = vm.lines()
    assert [line.code for line in lines] == ["kampanye", "masa_tenang", "pemungutan_suara", "rekapitulasi", "sengketa"]
    kampanye, tenang, _, now, later = lines
    assert kampanye.counts == "40 laporan · 3 peringatan (2 rawan, 1 sangat rawan)" and kampanye.share == 1.0
    assert tenang.empty and tenang.counts == "kosong: tidak ada laporan atau peringatan" and tenang.share == 0.0
    assert now.levels == "Saat ini: 0 sangat rawan, 1 rawan dari 9 wilayah"
    assert now.hot and not tenang.hot and not kampanye.hot
    assert later.levels == "" and later.state == "future" and tenang.dates == "24 Nov 2024 – 26 Nov 2024"
    assert [value for value, _ in vm.as_of_choices()] == ["now", "rekapitulasi", "pemungutan_suara", "masa_tenang",
                                                     "kampanye"]


def test_the_timeline_says_offline():
    client = Client()
    client.offline = True
    vm = Timeline(client, clock=lambda: NOW, translator=T)
    assert vm.refresh() is False and vm.problem == T("sv.offline")


def test_the_map_as_of_masa_tenang_draws_its_levels_inside_scope_only():
    client = Client()
    vm = AsOfLevels(client, clock=lambda: NOW, translator=T)
    assert vm.level_of("15.72", "kurang_rawan") == "kurang_rawan"          # live until a choice is made
    assert vm.choose("masa_tenang")
    assert [call[2] for call in client.calls] == ["kabupaten", "kecamatan", "desa"]
    assert vm.level_of("15.72", "kurang_rawan") == "rawan" and vm.level_of("15.72.07", "sangat_rawan") == "rawan"
    assert vm.level_of("15.01", "rawan") == "kurang_rawan"                 # nothing counted then
    assert vm.level_of("15.71", None) is None                              # outside scope stays outside
    assert vm.caption() == ("Menampilkan tingkat per 26 Nov 2024 23:59 WIB (Masa tenang), dihitung dari laporan sampai "
                            "saat itu. Kurang rawan digambar abu-abu: kabar desa saat itu tidak dinilai, jadi bukan "
                            "tanda aman.")
    live = [{"code": "15.01", "level": "rawan", "score": 40.0, "coverage": {"state": "reporting"}},
            {"code": "15.72", "level": "kurang_rawan", "score": 3.0, "coverage": {"state": "silent", "desa": 69}}]
    rows = vm.rows(live)                                                    # the list beside the map, as of then
    assert [(r["code"], r["level"], r["score"], r["coverage"]) for r in rows] == [
        ("15.72", "rawan", 21.5, None), ("15.01", "kurang_rawan", 0.0, PAST_COVERAGE)]   # not today's silence
    assert vm.choose("sengketa") is False and vm.problem == "Tahapan itu belum dimulai." and vm.choice == "masa_tenang"
    assert vm.choose("26/11/2024") is False and vm.problem == T("sv.asof.bad_date")
    assert vm.choose("now") and not vm.active and vm.level_of("15.72", "kurang_rawan") == "kurang_rawan"
    assert vm.rows(live) == live                                            # now: the live list as it is


def test_the_commander_adjusts_sees_the_totals_and_saves_a_version():
    client = Client()
    vm = PenebalanPlan(client, clock=lambda: NOW, translator=T)
    assert vm.refresh()
    assert vm.pool_lines() == ["Kekuatan tersedia: 30 personel", "sendiri: 30 (BKO Polda + Brimob)",
                               T("sv.plan.example")]
    assert vm.totals() == {"need": 82, "allocated": 30, "pool": 30, "shortfall": 52, "reserve": 0}
    assert vm.set_allocated("15.01", "25") and vm.over() == "Alokasi 33 melebihi kekuatan tersedia 30."
    assert vm.save("terlalu banyak") is False and not any(call[0] == "save_plan" for call in client.calls)
    assert vm.set_allocated("15.72", "lima") is False and vm.problem == "Alokasi Kota Sungai Penuh harus bilangan bulat ≥ 0."
    assert vm.set_allocated("15.72", "5") and vm.over() is None
    kerinci = vm.lines()[0]
    assert (kerinci.allocated, kerinci.shortfall, kerinci.adjusted) == (25, 35, True)
    assert vm.save("Kerinci lebih dulu")
    assert client.calls[-1] == ("save_plan", [{"region_code": "15.01", "allocated": 25},
                                              {"region_code": "15.72", "allocated": 5}], "Kerinci lebih dulu", 0)
    assert vm.saved_words() == "Versi 1 disimpan hari ini 09:00 WIB oleh sv-polda."
    assert [line.allocated for line in vm.lines()] == [25, 5]              # the saved numbers, not the proposal
    vm.reset()
    assert [line.allocated for line in vm.lines()] == [22, 8]


class StrengthClient:
    def __init__(self):
        self.units = [{"unit": "Polres Kerinci", "kind": "polres", "available": 650, "polda_bko": 0, "brimob": 0,
                       "source": "contoh", "example": True, "set_by": None, "set_at": None}]
        self.sent: list[tuple[str, dict]] = []
        self.refuse: str | None = None

    def get_strength(self):
        return {"units": [dict(unit) for unit in self.units], "history": []}

    def set_strength(self, unit, figures):
        if self.refuse:
            raise ServerRejected(422, "strength.invalid", self.refuse)
        self.sent.append((unit, figures))
        self.units[0] |= {**figures, "example": False, "set_by": "admin", "set_at": "2024-11-28T02:00:00Z"}
        return {"unit": unit, **figures}


def test_strength_lines_say_example_figures_and_who_changed_them():
    from field_app.viewmodels.supervisor_strength import StrengthFigures

    client = StrengthClient()
    figures = StrengthFigures(client, can_edit=True, clock=lambda: NOW, translator=T)
    assert figures.refresh()
    [line] = figures.lines()
    assert (line.unit, line.available, line.example, line.set_words) == ("Polres Kerinci", 650, True, None)
    assert figures.save("Polres Kerinci", {"available": "690", "polda_bko": "0", "brimob": "12"}, " Sprin 1 ")
    assert client.sent == [("Polres Kerinci", {"available": 690, "polda_bko": 0, "brimob": 12, "source": "Sprin 1"})]
    [line] = figures.lines()
    assert line.available == 690 and not line.example and line.set_words.startswith("diubah oleh admin")


def test_strength_refuses_a_bad_number_or_no_source_before_sending_and_says_the_servers_refusal():
    from field_app.viewmodels.supervisor_strength import StrengthFigures

    client = StrengthClient()
    figures = StrengthFigures(client, can_edit=True, clock=lambda: NOW, translator=T)
    figures.refresh()
    assert not figures.save("Polres Kerinci", {"available": "-5", "polda_bko": "0", "brimob": "0"}, "Sprin")
    assert figures.problem == "Tersedia Polres Kerinci harus bilangan bulat ≥ 0."
    assert not figures.save("Polres Kerinci", {"available": "5", "polda_bko": "0", "brimob": "0"}, "  ")
    assert figures.problem == "Tulis sumber angka (satu baris)."
    client.refuse = "Angka kekuatan tidak sah."
    assert not figures.save("Polres Kerinci", {"available": "5", "polda_bko": "0", "brimob": "0"}, "Sprin")
    assert figures.problem == "Angka kekuatan tidak sah." and client.sent == []
