"""Feedback kept on the phone: one row per alert in its latest state, unread counts, per officer."""
from __future__ import annotations

from tests.app.builders import NOW, OFFICER, OTHER_OFFICER, alert_change


def test_changes_are_stored_unread_per_kind(outbox):
    stored = outbox.inbox.add(OFFICER, [alert_change(1), {"seq": 2, "kind": "task", "data": {"id": "t1"}},
                                        {"seq": 3, "kind": "notice", "data": {"title": "Apel pagi"}}], now=NOW)
    assert stored == 3
    assert outbox.inbox.unread_counts(OFFICER) == {"alert": 1, "review": 0, "task": 1, "notice": 1}
    assert outbox.inbox.unread_counts(OTHER_OFFICER) == {"alert": 0, "review": 0, "task": 0, "notice": 0}


def test_a_newer_change_of_the_same_alert_replaces_it_and_is_unread_again(outbox):
    outbox.inbox.add(OFFICER, [alert_change(1, level="rawan")], now=NOW)
    outbox.inbox.mark_all_read(OFFICER)
    outbox.inbox.add(OFFICER, [alert_change(5, level="sangat_rawan")], now=NOW)
    [entry] = outbox.inbox.entries(OFFICER, "alert")
    assert (entry.seq, entry.data["level"], entry.read) == (5, "sangat_rawan", False)


def test_a_repeated_or_older_change_changes_nothing(outbox):
    outbox.inbox.add(OFFICER, [alert_change(5, level="sangat_rawan")], now=NOW)
    outbox.inbox.mark_read(OFFICER, 5)
    assert outbox.inbox.add(OFFICER, [alert_change(5), alert_change(3, level="rawan")], now=NOW) == 0
    [entry] = outbox.inbox.entries(OFFICER)
    assert (entry.seq, entry.data["level"], entry.read) == (5, "sangat_rawan", True)


def test_mark_read_is_per_officer(outbox):
    outbox.inbox.add(OFFICER, [alert_change(1)], now=NOW)
    outbox.inbox.add(OTHER_OFFICER, [alert_change(1)], now=NOW)
    outbox.inbox.mark_read(OFFICER, 1)
    assert outbox.inbox.unread_counts(OFFICER)["alert"] == 0
    assert outbox.inbox.unread_counts(OTHER_OFFICER)["alert"] == 1


def test_entries_are_newest_first(outbox):
    outbox.inbox.add(OFFICER, [alert_change(1, alert_id="a"), alert_change(2, alert_id="b")], now=NOW)
    assert [e.seq for e in outbox.inbox.entries(OFFICER)] == [2, 1]
