"""The clock. Everything else takes the clock as an argument (``create_app(clock=...)``).

The real clock is the default. ``PETA_CLOCK_FILE`` (``Settings.clock_file``) names a file holding one
ISO-8601 instant with a timezone: every reading of the clock reads that file, so a test drives
the time of a REAL server process (and of the CLI) by rewriting it — atomically (a new file renamed
over it: ``tests.server.helpers.write_clock``), since a reading may come at any moment. ``PETA_REPLAY``
(``Settings.replay``, see ``kerawanan.replay``) replays an election at real speed from a chosen
instant: the demo of ``make run`` replays voting night of Pilkada 2024.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kerawanan.replay import Replay


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def file_clock(path: Path | str) -> Callable[[], datetime]:
    """A clock reading ``path`` on every call; ``ValueError`` when it holds no aware ISO-8601 time."""
    path = Path(path)

    def now() -> datetime:
        text = path.read_text(encoding="utf-8").strip()
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"clock file {path}: {text!r} has no timezone")
        return moment.astimezone(UTC)

    return now


def replay_clock(replay: Replay, real: Callable[[], datetime] = utc_now) -> Callable[[], datetime]:
    """The replayed time, advancing with the real clock."""
    return lambda: replay.now(real())


def clock_for(clock_file: Path | None, replay: Replay | None = None) -> Callable[[], datetime]:
    """The file clock when a clock file is configured, else the replay when one is, else the real clock."""
    if clock_file is None:
        return utc_now if replay is None else replay_clock(replay)
    clock = file_clock(clock_file)
    clock()                                  # fail at start-up, not on the first request
    return clock
