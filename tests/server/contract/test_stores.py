"""The stores beside the ports, on every backend of ``contract/conftest.py``: ``PlanStore`` (strength
figures, plans, the sitrep archive, leases) and ``SmsStore`` (device keys, message parts, nonces,
short versions, the log, contacts, the notifier's cursor). Every public method is pinned once."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kerawanan.errors import Conflict
from kerawanan.sms_codec import Part
from sync_server.sms.store import Contact
from sync_server.storage.connection import to_db
from tests.server.contract.builders import NOW, OFFICER
from tests.server.contract.test_alerts import alert, event, opened

KERINCI = "15.01,15.72"
FIGURES = {"available": 420, "polda_bko": 60, "brimob": 30, "source": "Renops Polres Kerinci"}


@pytest.fixture
def plans(storage):
    return storage.plans


@pytest.fixture
def sms(storage):
    return storage.sms


# ---------------------------------------------------------------- PlanStore

def test_strength_figures_replace_the_last_and_keep_their_history(plans):
    assert plans.strength_figures() == {} and plans.strength_history() == []
    plans.set_strength("Polres Kerinci", FIGURES, None, "admin", NOW)
    more = {**FIGURES, "available": 450}
    plans.set_strength("Polres Kerinci", more, FIGURES, "admin", NOW + timedelta(hours=1))
    assert plans.strength_figures() == {"Polres Kerinci": {**more, "updated_by": "admin",
                                                           "updated_at": NOW + timedelta(hours=1)}}
    history = plans.strength_history()
    assert [(row["before"], row["after"]) for row in history] == [(FIGURES, more), (None, FIGURES)]  # newest first
    assert history[0]["at"] == NOW + timedelta(hours=1) and plans.strength_history(limit=1) == history[:1]


def test_plans_are_versioned_and_a_stale_base_is_refused(plans):
    assert plans.current_version(KERINCI) == 0 and plans.plan_version(KERINCI) is None
    assert plans.save_plan(KERINCI, "Polres Kerinci", 0, {"pool": 100}, "kapolres", "awal", NOW) == 1
    assert plans.save_plan(KERINCI, "Polres Kerinci", 1, {"pool": 120}, "kapolres", "tambah", NOW) == 2
    with pytest.raises(Conflict) as stale:
        plans.save_plan(KERINCI, "Polres Kerinci", 1, {"pool": 90}, "wakapolres", "", NOW)
    assert stale.value.details == {"current_version": 2}
    assert plans.save_plan("15", "Polda Jambi", None, {"pool": 900}, "kapolda", "", NOW) == 1    # no base: appends
    assert plans.current_version(KERINCI) == 2
    assert plans.plan_version(KERINCI) == {"version": 2, "saved_at": NOW, "saved_by": "kapolres", "note": "tambah",
                                           "pool": 120}
    assert plans.plan_version(KERINCI, 1)["pool"] == 100 and plans.plan_version(KERINCI, 9) is None
    assert [(row["version"], row["note"]) for row in plans.plan_history(KERINCI)] == [(2, "tambah"), (1, "awal")]
    assert sorted((row["unit_key"], row["pool"]) for row in plans.current_plans()) == [("15", 900), (KERINCI, 120)]


def test_a_sitrep_is_kept_once_per_unit_and_slot_with_its_pdf_bytes(plans):
    pdf = b"%PDF-1.4\n\x00\xff\xfe binary\n%%EOF"
    assert not plans.has_sitrep(KERINCI, "20241128-0600")
    assert plans.save_sitrep(KERINCI, "20241128-0600", "Polres Kerinci", pdf, NOW)
    assert not plans.save_sitrep(KERINCI, "20241128-0600", "Polres Kerinci", b"%PDF-other", NOW)
    assert plans.save_sitrep("15", "20241128-1800", "Polda Jambi", b"%PDF-2", NOW)
    assert plans.has_sitrep(KERINCI, "20241128-0600") and plans.sitrep_pdf(KERINCI, "20241128-0600") == pdf
    assert plans.sitrep_pdf(KERINCI, "20241128-1800") is None
    assert [(row["unit"], row["slot"], row["size"]) for row in plans.sitreps()] == [
        ("15", "20241128-1800", len(b"%PDF-2")), (KERINCI, "20241128-0600", len(pdf))]     # newest slot first
    assert plans.sitreps(limit=1)[0]["produced_at"] == NOW


def test_a_lease_has_one_holder_until_it_runs_out(plans):
    until = NOW + timedelta(minutes=2)
    assert plans.take_lease("sitrep-schedule", "node-a", NOW, until)
    assert not plans.take_lease("sitrep-schedule", "node-b", NOW + timedelta(minutes=1), until)
    assert plans.take_lease("sitrep-schedule", "node-a", NOW + timedelta(minutes=1), until + timedelta(minutes=2))
    assert plans.take_lease("sitrep-schedule", "node-b", until + timedelta(minutes=3), until + timedelta(minutes=5))
    assert plans.take_lease("other", "node-a", NOW, until)


# ---------------------------------------------------------------- SmsStore

def test_device_keys_are_found_by_their_short_id(sms):
    first = sms.issue_key("ab12cd34-0000-4000-8000-000000000001", NOW)
    sms.issue_key("ab12cd35-0000-4000-8000-000000000002", NOW)
    again = sms.issue_key("ab12cd34-0000-4000-8000-000000000001", NOW)        # a new key replaces the old
    assert first != again and len(bytes.fromhex(again)) == 32
    assert sms.keys_for("ab12cd34") == [("ab12cd34-0000-4000-8000-000000000001", bytes.fromhex(again))]
    assert sms.keys_for("ab12cd3f") == [] and sms.keys_for("AB12CD34") == [] and sms.keys_for("ab12") == []


def test_parts_gather_until_complete_and_incomplete_ones_expire(sms):
    one, two = Part("ab12cd34", 7, 1, 2, "PR1 bentrok"), Part("ab12cd34", 7, 2, 2, "GN 40 orang")
    assert sms.add_part(one, "+6281", NOW) == [one]
    assert sms.add_part(replace(one, chunk="PR1 bentrok!"), "+6281", NOW) == [replace(one, chunk="PR1 bentrok!")]
    assert sms.add_part(two, "+6281", NOW) == [replace(one, chunk="PR1 bentrok!"), two]
    sms.drop_parts(one, "+6281")
    assert sms.add_part(two, "+6281", NOW) == [two]
    sms.add_part(Part("ffff0000", 1, 1, 3, "x"), "+6282", NOW + timedelta(hours=1))
    assert sms.expire_parts(NOW + timedelta(minutes=30)) == [("+6281", "ab12cd34", 1)]
    assert sms.expire_parts(NOW + timedelta(minutes=30)) == []
    assert sms.add_part(one, "+6281", NOW) == [one]                            # the expired message is gone


def test_a_nonce_is_used_once_and_short_versions_are_noted_when_followed_up(sms):
    assert not sms.nonce_used("dev-1", 7)
    assert sms.use_nonce("dev-1", 7, "r-1", NOW) and not sms.use_nonce("dev-1", 7, "r-2", NOW)
    assert sms.nonce_used("dev-1", 7) and not sms.nonce_used("dev-1", 8)
    sms.mark_short("r-1", OFFICER.username, NOW)
    sms.mark_short("r-1", "someone.else", NOW)                                   # the first mark stands
    assert sms.short_versions([], OFFICER.username, NOW) == set()
    assert sms.short_versions(["r-1", "r-2"], OFFICER.username, NOW) == {"r-1"}
    assert sms.short_versions(["r-1"], "someone.else", NOW) == set()


def test_the_log_counts_what_was_sent_and_refused(sms):
    first = sms.log(NOW, "in", "+6281", "refused", "xx", "refused", reason="garbled")
    second = sms.log(NOW, "out", "+6281", "alert", "Sangat rawan", "queued", username=OFFICER.username, ref="a-1")
    sms.log(NOW, "out", "+6281", "reply", "Diterima", "queued")
    sms.log(NOW, "out", "+6281", "alert", "Ditahan", "suppressed", username=OFFICER.username)
    sms.log(NOW, "in", "+6282", "refused", "yy", "refused", reason="forged")
    assert second > first
    sms.set_state(second, "sent")
    newest = sms.entries()
    assert [entry.kind for entry in newest] == ["refused", "alert", "reply", "alert", "refused"]
    assert newest[3].state == "sent" and newest[3].at == NOW and newest[3].ref == "a-1"
    assert [entry.id for entry in sms.entries(direction="out", username=OFFICER.username)] == [second + 2, second]
    assert [entry.id for entry in sms.entries(before=second, limit=5)] == [first]
    assert sms.refusals() == {"forged": 1, "garbled": 1}
    assert sms.sent_since("+6281", NOW) == 1 and sms.sent_since("+6281", NOW + timedelta(seconds=1)) == 0
    assert sms.suppressed_since(OFFICER.username, NOW) == 1


def test_contacts_are_replaced_and_read_by_username(sms):
    sms.set_contact(Contact(OFFICER.username, "+6281", ("sangat_rawan",), None), NOW)
    sms.set_contact(Contact(OFFICER.username, "+6289", ("sangat_rawan", "escalation"), "22-05"), NOW)
    expected = Contact(OFFICER.username, "+6289", ("sangat_rawan", "escalation"), "22-05")
    assert sms.contacts() == {OFFICER.username: expected}
    assert sms.contacts([OFFICER.username, "nobody"]) == {OFFICER.username: expected}
    assert sms.contacts(["nobody"]) == {}


def test_the_notifier_reads_history_after_its_cursor_and_claims_once(storage, sms):
    assert sms.cursor() is None and sms.last_history_id() == 0
    (first,) = opened(storage, alert(owner="polsek", deadline_at=NOW + timedelta(hours=1)))
    assert storage.update_alert(replace(first, version=2, owner="polres"), 1,
                                event(replace(first, version=2), "escalate", owner="polres"), [])
    history = sms.history_after(0)
    assert [(row["event"], row["owner"], row["previous_owner"]) for row in history] == [
        ("opened", None, None), ("escalate", "polres", None)]
    assert history[0]["region_code"] == first.region_code and history[0]["at"] == to_db(NOW)
    last = sms.last_history_id()
    assert last == history[-1]["id"] and sms.history_after(last) == [] and len(sms.history_after(0, limit=1)) == 1
    sms.set_cursor(last)
    sms.set_cursor(last)
    assert sms.cursor() == last
    due = sms.alerts_due(NOW, NOW + timedelta(hours=2))
    assert [(row["alert_id"], row["owner"]) for row in due] == [(first.id, "polres")]
    assert sms.alerts_due(NOW + timedelta(hours=2), NOW + timedelta(hours=3)) == []
    assert sms.claim(first.id, "escalate:2", "polres", NOW) and not sms.claim(first.id, "escalate:2", "polres", NOW)
    assert sms.claim(first.id, "escalate:2", "polda", NOW)
