"""The accounts port's login limits: failed attempts per (kind, account, address), on every backend,
shared by every server process or node of one database."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from sync_server.storage.base import LimitKey, LimitState
from tests.server.contract.builders import NOW
from tests.server.contract.test_accounts import another_node

MINUTE = timedelta(minutes=1)
LOGIN = LimitKey("login", "88030417", "10.0.0.7")
ADDRESS = LimitKey("address", "", "10.0.0.7")
ENROLL = LimitKey("enroll", "88030417", "10.0.0.8")


def fail(at, keys=(LOGIN,)):
    """A ``decide`` that counts one more failure on ``keys``; it answers what it saw."""
    def decide(states):
        updates = {key: LimitState(states[key].failures + 1 if key in states else 1, at) for key in keys}
        return updates, dict(states)
    return decide


def test_decide_sees_the_stored_states_and_its_updates_are_written(storage):
    assert storage.update_login_limits([LOGIN, ADDRESS], fail(NOW, (LOGIN, ADDRESS))) == {}
    seen = storage.update_login_limits([LOGIN, ADDRESS, ENROLL], fail(NOW + MINUTE, (LOGIN,)))
    assert seen == {LOGIN: LimitState(1, NOW), ADDRESS: LimitState(1, NOW)}
    blocked = LimitState(5, NOW + MINUTE, blocked_until=NOW + 10 * MINUTE)
    answer = storage.update_login_limits([LOGIN, ADDRESS], lambda states: ({LOGIN: blocked, ADDRESS: None}, "ok"))
    assert answer == "ok"
    assert storage.login_limits(NOW) == [(LOGIN, blocked)]
    assert storage.update_login_limits([LOGIN], lambda states: ({}, states)) == {LOGIN: blocked}


def test_a_decide_that_raises_writes_nothing(storage):
    storage.update_login_limits([LOGIN], fail(NOW))

    def broken(states):
        raise RuntimeError("decide failed")

    def half_written(states):
        return {ADDRESS: LimitState(9, NOW), LOGIN: LimitState(9, NOW, blocked_until="not a time")}, None

    with pytest.raises(RuntimeError):
        storage.update_login_limits([LOGIN], broken)
    with pytest.raises(AttributeError):          # the second row cannot be written: the first goes too
        storage.update_login_limits([LOGIN, ADDRESS], half_written)
    assert storage.login_limits(NOW) == [(LOGIN, LimitState(1, NOW))]


def test_login_limits_lists_recent_or_running_states_most_failures_first(storage):
    storage.update_login_limits([ADDRESS], lambda s: ({ADDRESS: LimitState(7, NOW)}, None))
    storage.update_login_limits([LOGIN], lambda s: ({LOGIN: LimitState(2, NOW + 5 * MINUTE)}, None))
    running = LimitState(9, NOW - 60 * MINUTE, blocked_until=NOW + 30 * MINUTE)
    storage.update_login_limits([ENROLL], lambda s: ({ENROLL: running}, None))
    assert [key for key, _ in storage.login_limits(NOW)] == [ENROLL, ADDRESS, LOGIN]
    assert storage.login_limits(NOW + MINUTE) == [(ENROLL, running), (LOGIN, LimitState(2, NOW + 5 * MINUTE))]
    assert storage.login_limits(NOW + 31 * MINUTE) == []


def test_forget_login_limits_drops_quiet_states_whose_delay_ended(storage):
    storage.update_login_limits([ADDRESS], lambda s: ({ADDRESS: LimitState(1, NOW)}, None))
    storage.update_login_limits([LOGIN], lambda s: ({LOGIN: LimitState(3, NOW, NOW + 20 * MINUTE)}, None))
    storage.update_login_limits([ENROLL], lambda s: ({ENROLL: LimitState(1, NOW + 15 * MINUTE)}, None))
    assert storage.forget_login_limits(NOW) == 0                         # nothing ended before NOW
    assert storage.forget_login_limits(NOW + 10 * MINUTE) == 1           # ADDRESS; LOGIN's delay runs on
    assert {key for key, _ in storage.login_limits(NOW - MINUTE)} == {LOGIN, ENROLL}
    assert storage.forget_login_limits(NOW + 30 * MINUTE) == 2
    assert storage.login_limits(NOW - MINUTE) == []


def test_attempts_at_once_on_two_nodes_are_all_counted(storage):
    """Threads on two nodes count failures on one key at once: every read-decide-write is one write
    transaction, serialised (SQLite's one writer, PostgreSQL's advisory write lock), so no update is
    lost and each decide saw a different count."""
    threads_per_node, attempts = 4, 25
    start, seen, lock = threading.Barrier(2 * threads_per_node), [], threading.Lock()

    def attempt(node):
        start.wait()
        for _ in range(attempts):
            before = node.update_login_limits([LOGIN], fail(NOW))
            with lock:
                seen.append(before[LOGIN].failures if LOGIN in before else 0)

    with another_node(storage) as other:
        threads = [threading.Thread(target=attempt, args=(node,))
                   for node in (storage, other) for _ in range(threads_per_node)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    total = 2 * threads_per_node * attempts
    assert sorted(seen) == list(range(total))
    assert storage.login_limits(NOW) == [(LOGIN, LimitState(total, NOW))]
