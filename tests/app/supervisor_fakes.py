"""A fake supervisor client (no HTTP) and alert builders for the supervisor view-model and screen tests."""
from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from field_app.errors import Offline, ServerRejected

NOW = datetime(2024, 11, 27, 15, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def an_alert(alert_id: str = "a1", *, region_code: str = "15.72", region_name: str = "Kota Sungai Penuh",
             level: str = "sangat_rawan", status: str = "open", deadline: datetime | None = NOW + timedelta(hours=1),
             escalations: int = 0, version: int = 1, stage: str = "pemungutan_suara",
             categories: tuple[str, ...] = ("gangguan_tps",), score: float = 80.0, **extra: Any) -> dict[str, Any]:
    return {"id": alert_id, "region_code": region_code, "region_name": region_name, "region_level": "kabupaten",
            "level": level, "score": score, "stage": stage, "status": status, "owner": "polres.kerinci",
            "deadline_at": iso(deadline) if deadline else None, "escalations": escalations, "version": version,
            "report_count": 3, "officer_count": 2, "assignee": None, "response": None,
            "top_categories": [{"category": c, "label": c, "score": 1.0} for c in categories],
            "personnel": {"pattern": "2:1", "tps": 299, "recommended": 224, "baseline": 76, "reinforcement": 148,
                          "estimate": True, "reinforced_tps": 276, "from_reports": 12, "from_baseline": 136,
                          "standing": True, "critical_stage": True,
                          "strength": {"unit": "Polres Kerinci", "kind": "polres", "regions": ["15.01", "15.72"],
                                       "recommended": 1012, "reinforcement": 722, "available": 650,
                                       "polda_bko": 0, "brimob": 0, "needed": 1012, "gap": 362,
                                       "example": True, "estimate": True}},
            "context": {"ikp_category": "sedang", "polda_baseline": "rawan"}, **extra}


def a_detail(alert: dict[str, Any], history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {**alert, "reports": [{"id": "r1", "category": "gangguan_tps", "threat_stage": "GN",
                                  "desa_code": "15.72.07.2004", "facts": "Kotak suara TPS 05 dibakar.",
                                  "observed_at": iso(NOW - timedelta(hours=2)), "officer": "90110233",
                                  "source_reliability": "A", "info_credibility": 1, "media": ["ab" * 32],
                                  "review": {"status": "pending"}}],
            "explanation": {"formula": "bobot kategori × bobot tahap ancaman × kredibilitas",
                            "formula_en": "category weight × threat-stage weight × credibility",
                            "items": [{"desa_code": "15.72.07.2004", "category": "gangguan_tps",
                                       "threat_stage": "GN", "describe": "3 × 9 × 1.00 (A1) × 0.93 (2 h) × 1 = 25.1"}],
                            "rest": {"count": 0, "weight": 0}, "arithmetic": "25.1 = 25.1"},
            "history": history or [{"version": 1, "at": iso(NOW), "actor": "system", "event": "opened",
                                    "status": "open", "score": alert["score"], "note": None}]}


class FakeSupervisorClient:
    """Holds alerts and regions in memory; versions, If-Match and 412 behave like the server."""

    server_url = "http://127.0.0.1:9"

    def __init__(self, alerts: list[dict[str, Any]] | None = None):
        self.alerts = {a["id"]: a_detail(a) for a in (alerts or [an_alert()])}
        self.regions: dict[str, dict[str, Any]] = {}
        self.reports: list[dict[str, Any]] = []
        self.calls: list[tuple] = []
        self.offline = False
        self.reviews: list[tuple] = []
        self.rekaps: dict[str | None, dict[str, Any]] = rekaps()

    def _check(self) -> None:
        if self.offline:
            raise Offline(reason="test")

    def list_alerts(self, **filters: Any) -> dict[str, Any]:
        self._check()
        self.calls.append(("list_alerts", filters))
        return {"items": [{k: v for k, v in a.items() if k not in ("reports", "explanation", "history")}
                          for a in self.alerts.values()], "next_cursor": None}

    def get_alert(self, alert_id: str) -> dict[str, Any]:
        self._check()
        if alert_id not in self.alerts:
            raise ServerRejected(404, "alert.not_found", "Tidak ditemukan.")
        return copy.deepcopy(self.alerts[alert_id])

    def act_on_alert(self, alert_id: str, action: str, version: int, **fields: Any) -> dict[str, Any]:
        self._check()
        self.calls.append(("act", alert_id, action, version, fields))
        alert = self.alerts[alert_id]
        if version != alert["version"]:
            raise ServerRejected(412, "precondition.stale", "Peringatan sudah berubah.",
                                 details={"current": {k: v for k, v in alert.items() if k != "history"},
                                          "version": alert["version"]})
        self.change(alert_id, "me", action, **fields)
        return alert

    def change(self, alert_id: str, actor: str, action: str, **fields: Any) -> None:
        """Someone (``actor``) acts on the alert: the version goes up, history grows."""
        alert = self.alerts[alert_id]
        status = {"acknowledge": "acknowledged", "assign": "in_progress", "respond": "in_progress",
                  "resolve": "resolved", "reopen": "open"}[action]
        alert.update(status=status, version=alert["version"] + 1)
        if fields.get("assignee"):
            alert["assignee"] = fields["assignee"]
        alert["history"].append({"version": alert["version"], "at": iso(NOW), "actor": actor, "event": action,
                                 "status": status, "score": alert["score"], "note": fields.get("note")})

    def get_media(self, sha256: str) -> bytes:
        raise ServerRejected(404, "media.not_found", "Tidak ada.")

    def get_region(self, code: str) -> dict[str, Any]:
        self._check()
        if code not in self.regions:
            raise ServerRejected(404, "region.not_found", "Wilayah tidak ditemukan.")
        return self.regions[code]

    def region_officers(self, code: str) -> list[dict[str, Any]]:
        self._check()
        return [{"username": "88030417", "name": "Brigpol Reza Pratama", "post": "Bhabin Desa Dujung Sakti",
                 "label": "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti", "scope": ["15.72.07.2004"],
                 "last_sync_at": iso(NOW)}]

    def get_timeline(self) -> dict[str, Any]:
        """Voting day: masa tenang behind, the recapitulation ahead (issue 13.2)."""
        self._check()
        stage = {"critical": True, "reports": 0, "alerts": {"opened": 0, "rawan": 0, "sangat_rawan": 0},
                 "levels_at_end": {"kurang_rawan": 2, "rawan": 0, "sangat_rawan": 0}, "as_of": None}
        return {"current": "pemungutan_suara", "regions": 2, "countdown": {
            "rekapitulasi": {"day": "2024-11-28", "days": 1, "label": "H-1"}}, "stages": [
            {**stage, "code": "masa_tenang", "label": "Masa tenang", "label_en": "Quiet period", "from": "2024-11-24",
             "to": "2024-11-26", "state": "past"},
            {**stage, "code": "pemungutan_suara", "label": "Pemungutan suara", "label_en": "Voting",
             "from": "2024-11-27", "to": "2024-11-27", "state": "now"}]}

    def regions_as_of(self, as_of: str, tier: str | None = None) -> dict[str, Any]:
        self._check()
        return {"as_of": "2024-11-26T16:59:59Z", "stage_label": "Masa tenang", "items": []}

    def get_plan(self) -> dict[str, Any]:
        """Polda's 30 for two rawan regions (issue 13.4)."""
        self._check()
        rows = [{"region_code": "15.01", "name": "Kabupaten Kerinci", "priority": "rawan", "need": 60, "proposed": 22,
                 "allocated": 22},
                {"region_code": "15.72", "name": "Kota Sungai Penuh", "priority": "rawan", "need": 22, "proposed": 8,
                 "allocated": 8}]
        return {"proposal": {"unit": "15", "unit_name": "Polda Jambi", "rule": "…", "rows": rows, "pool": {
            "own": 30, "own_label": "BKO Polda + Brimob", "received": [], "total": 30}}, "saved": None, "versions": []}

    def list_sitreps(self) -> dict[str, Any]:
        self._check()
        return {"items": [], "times_wib": ["06:00", "18:00"], "next_cursor": None}

    def get_rekap(self, unit: str | None = None, **params: Any) -> dict[str, Any]:
        """Polda → Polres Kerinci → Kecamatan Koto Baru, as the server answers (``rekaps`` by unit)."""
        self._check()
        self.calls.append(("get_rekap", {"unit": unit, **params}))
        if unit not in self.rekaps:
            raise ServerRejected(404, "not_found", "Wilayah tidak ditemukan.")
        return self.rekaps[unit]

    def list_reports(self, **filters: Any) -> dict[str, Any]:
        self._check()
        wanted = filters.get("review")
        return {"items": [r for r in self.reports if not wanted or r["review"]["status"] == wanted],
                "next_cursor": None}

    def review_report(self, report_id: str, verdict: str, **fields: Any) -> dict[str, Any]:
        self._check()
        self.reviews.append((report_id, verdict, fields))
        return {}

    def issue_enrollment_code(self, username: str) -> dict[str, Any]:
        self._check()
        return {"code": "J8QY-2Z76", "expires_at": iso(NOW + timedelta(hours=72))}

    def create_user(self, username, name, role, scope, password=None) -> dict[str, Any]:
        self._check()
        self.calls.append(("create_user", username, name, role, scope, password))
        return {"username": username, "name": name, "role": role, "scope": scope}

    def list_devices(self, username: str) -> list[dict[str, Any]]:
        self._check()
        self.calls.append(("devices", username))
        if username != "88030417":
            return []
        revoked = iso(NOW) if ("revoke", "dev-1") in self.calls else None
        return [{"id": "dev-2", "name": "HP baru", "enrolled_at": iso(NOW - timedelta(days=1)),
                 "last_sync_at": iso(NOW - timedelta(hours=2)), "revoked_at": None},
                {"id": "dev-1", "name": "HP lama", "enrolled_at": iso(NOW - timedelta(days=90)),
                 "last_sync_at": iso(NOW - timedelta(days=3)), "revoked_at": revoked}]

    def revoke_device(self, device_id: str) -> None:
        self._check()
        self.calls.append(("revoke", device_id))

    # ---- credentials (the answers of the real routes, docs/api.md)
    ACCOUNTS = {"88030417": {"username": "88030417", "name": "Bripka Andri Saputra", "role": "officer",
                             "scope": ["15.72.07.2001"], "disabled_at": None, "password_change_required": False}}
    FAILURES = [{"kind": "login", "account": "polres.kerinci", "address": "10.9.8.7", "failures": 7,
                 "last_at": iso(NOW), "blocked_until": iso(NOW + timedelta(minutes=4))},
                {"kind": "address", "account": None, "address": "10.9.8.7", "failures": 9,
                 "last_at": iso(NOW), "blocked_until": None}]

    def change_password(self, old_password: str, new_password: str) -> None:
        self._check()
        self.calls.append(("change_password", old_password, new_password))
        if old_password != "lama-benar-123":
            raise ServerRejected(422, "password.old_wrong", "Kata sandi lama salah.",
                                 details={"fields": {"old_password": "Salah."}})

    def get_user(self, username: str) -> dict[str, Any]:
        self._check()
        self.calls.append(("get_user", username))
        if username not in self.ACCOUNTS:
            raise ServerRejected(404, "not_found", "Pengguna tidak ditemukan.")
        return dict(self.ACCOUNTS[username])

    def reset_password(self, username: str) -> dict[str, Any]:
        self._check()
        self.calls.append(("reset_password", username))
        return {"username": username, "temporary_password": "KQ7M-3XPA-W9HD", "expires_at": iso(NOW + timedelta(hours=72))}

    def set_user_disabled(self, username: str, disabled: bool) -> dict[str, Any]:
        self._check()
        self.calls.append(("disabled", username, disabled))
        return {**self.ACCOUNTS[username], "disabled_at": iso(NOW) if disabled else None}

    def revoke_sessions(self, username: str) -> int:
        self._check()
        self.calls.append(("revoke_sessions", username))
        return 2

    def login_failures(self) -> list[dict[str, Any]]:
        self._check()
        return [dict(item) for item in self.FAILURES]


def a_rekap_row(unit: str, name: str, *, drill: bool = True, **figures: Any) -> dict[str, Any]:
    base = {"open": 0, "overdue": 0, "escalated": 0, "unacknowledged": 0, "opened": 0, "ack_minutes": None,
            "action_minutes": None, "resolved_without_action": 0, "deadlines_missed": 0, "bhabin": 0,
            "bhabin_reported": 0, "bhabin_share": None, "desa": 10, "silent_desa": 0, "unassigned_desa": 10}
    return {"unit": unit, "name": name, "tier": "x", "codes": unit.split(","), "drill": drill, **base, **figures}


def rekaps() -> dict[str | None, dict[str, Any]]:
    """The answers of GET /rekap for a Polda: its scope, Polres Kerinci, Kecamatan Koto Baru."""
    def body(unit, name, below, rows):
        return {"unit": {"unit": unit, "name": name}, "level_below": below, "date": "2024-11-27", "days": 7,
                "rows": rows, "own": {}, "total": a_rekap_row(unit or "15", name, open=sum(r["open"] for r in rows))}
    silent = a_rekap_row("15.72.07", "Kecamatan Koto Baru", open=1, escalated=1, unacknowledged=1, opened=1,
                         deadlines_missed=1, bhabin=2, bhabin_reported=1, bhabin_share=0.5, silent_desa=1)
    acting = a_rekap_row("15.72.02", "Kecamatan Pesisir Bukit", open=2, opened=3, ack_minutes=30.0,
                         action_minutes=95.0, resolved_without_action=1, bhabin=3, bhabin_reported=3, bhabin_share=1.0)
    desa = a_rekap_row("15.72.07.2004", "Desa Dujung Sakti", drill=False, open=1, unacknowledged=1,
                       officers=[{"username": "88030417", "name": "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti"}])
    return {None: body(None, "Provinsi Jambi", "polres", [
                a_rekap_row("15.01,15.72", "Polres Kerinci", open=4, escalated=1, unacknowledged=1, opened=5,
                            deadlines_missed=1, ack_minutes=30.0),
                a_rekap_row("15.71", "Polresta Jambi")]),
            "15.01,15.72": body("15.01,15.72", "Polres Kerinci", "kecamatan", [acting, silent]),
            "15.72.07": body("15.72.07", "Kecamatan Koto Baru", "desa", [desa])}
