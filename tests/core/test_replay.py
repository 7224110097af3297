"""The replay clock: an election replayed at real speed from a chosen instant (the demo)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kerawanan.replay import InvalidReplay, parse_replay, start_replay

WIB = timezone(timedelta(hours=7))
VOTING_NIGHT = datetime(2024, 11, 27, 21, 0, tzinfo=WIB)
REAL = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)


def test_at_its_real_instant_the_replay_reads_the_replayed_instant():
    replay = start_replay(VOTING_NIGHT, REAL)
    assert replay.now(REAL) == VOTING_NIGHT
    assert replay.now(REAL).tzinfo == UTC


def test_the_replay_advances_with_the_real_clock():
    replay = start_replay(VOTING_NIGHT, REAL)
    assert replay.now(REAL + timedelta(minutes=95, seconds=3)) == VOTING_NIGHT + timedelta(minutes=95, seconds=3)


def test_text_round_trips_so_every_process_agrees_on_now():
    replay = start_replay(VOTING_NIGHT, REAL)
    again = parse_replay(replay.text())
    assert again == replay
    later = REAL + timedelta(hours=3)
    assert again.now(later) == replay.now(later)


def test_parse_reads_the_documented_form():
    replay = parse_replay("2024-11-27T21:00:00+07:00@2026-12-06T22:00:00Z")
    assert replay.now(REAL) == VOTING_NIGHT


@pytest.mark.parametrize("text", [
    "2024-11-27T21:00:00+07:00",                       # no real instant
    "2024-11-27T21:00:00@2026-12-06T22:00:00Z",        # naive replayed instant
    "2024-11-27T21:00:00+07:00@yesterday",             # not ISO-8601
    "",
])
def test_malformed_replays_are_refused(text):
    with pytest.raises(InvalidReplay):
        parse_replay(text)
