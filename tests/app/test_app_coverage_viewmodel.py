"""The regions view-model reads coverage as the server sends it: quiet regions first at their level, silent
desa before those with no officer, the Bhabin without today's laporan nihil first."""
from __future__ import annotations

from field_app.viewmodels.supervisor_regions import RegionMap
from tests.app.supervisor_fakes import NOW, FakeSupervisorClient, iso


def region(code, level, state, **extra):
    return {"code": code, "name": code, "level": level, "score": 1.0,
            "coverage": {"state": state, "desa": 10, "silent_desa": 0 if state == "reporting" else 4,
                         "unassigned_desa": 2, "critical_stage": True}, "desa": 10, **extra}


def loaded() -> RegionMap:
    client = FakeSupervisorClient()
    top = region("15.72", "rawan", "silent", children=[
        region("15.72.01", "kurang_rawan", "reporting"), region("15.72.02", "kurang_rawan", "silent"),
        region("15.72.03", "rawan", "reporting")])
    top["coverage"].update(gaps=[
        {"code": "15.72.02.2001", "name": "A", "state": "unassigned", "last_heard": None},
        {"code": "15.72.02.2002", "name": "B", "state": "silent", "last_heard": iso(NOW)},
        {"code": "15.72.02.2003", "name": "C", "state": "silent", "last_heard": None}],
        officers=[{"username": "1", "name": "Zulkifli", "desa": ["15.72.02.2002"], "nihil_today_at": iso(NOW)},
                  {"username": "2", "name": "Andi", "desa": ["15.72.02.2003"], "nihil_today_at": None}])
    client.regions = {"15.72": top}
    vm = RegionMap(client, ("15.72",), clock=lambda: NOW)
    vm.set_tier("kecamatan")
    assert vm.refresh()
    return vm


def test_quiet_regions_are_gaps_and_come_first_at_their_level():
    vm = loaded()
    assert vm.is_gap("15.72.02") and not vm.is_gap("15.72.01") and vm.is_gap("15.72")
    assert [r["code"] for r in vm.region_list()] == ["15.72.03", "15.72.02", "15.72.01"]


def test_silent_desa_before_unassigned_and_missing_nihil_first():
    vm = loaded()
    assert [g["code"] for g in vm.coverage_rows()] == ["15.72.02.2003", "15.72.02.2002", "15.72.02.2001"]
    assert [r["name"] for r in vm.officer_rows()] == ["Andi", "Zulkifli"]
    summary = vm.coverage_summary()
    assert (summary["silent_desa"], summary["unassigned_desa"], summary["critical_stage"], summary["loaded"]) == (
        4, 2, True, True)
