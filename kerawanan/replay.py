"""A replay clock: an election replayed at real speed from a chosen instant (demos, training).

``PETA_REPLAY`` holds ``<replayed instant>@<real instant>``, e.g.
``2024-11-27T21:00:00+07:00@2026-12-06T22:00:00Z``: at the real instant the replayed clock reads
the replayed instant, and from then on both advance together. Pure arithmetic: the real time is
an argument (the shells read it), so the server, the CLI and the app agree on "now" to the second
whichever process asks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

SEPARATOR = "@"


class InvalidReplay(ValueError):
    """``PETA_REPLAY`` is not ``<aware ISO-8601>@<aware ISO-8601>``."""


@dataclass(frozen=True, slots=True)
class Replay:
    replayed_at: datetime      # the instant being replayed at ...
    real_at: datetime          # ... this real instant

    def now(self, real_now: datetime) -> datetime:
        """The replayed "now" when the real clock reads ``real_now`` (aware UTC)."""
        return (self.replayed_at + (real_now - self.real_at)).astimezone(UTC)

    def text(self) -> str:
        return f"{self.replayed_at.isoformat()}{SEPARATOR}{self.real_at.isoformat()}"


def parse_replay(text: str) -> Replay:
    """``Replay`` from ``<replayed>@<real>``; ``InvalidReplay`` names what is wrong."""
    replayed_text, separator, real_text = text.strip().partition(SEPARATOR)
    if not separator:
        raise InvalidReplay(f"replay {text!r}: expected <replayed instant>@<real instant>")
    return Replay(replayed_at=_instant(replayed_text), real_at=_instant(real_text))


def start_replay(replayed_at: datetime, real_now: datetime) -> Replay:
    """A replay that reads ``replayed_at`` at ``real_now``."""
    return Replay(replayed_at=_aware(replayed_at), real_at=_aware(real_now))


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidReplay(f"replay instant {text!r} is not ISO-8601") from error
    return _aware(moment)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidReplay(f"replay instant {moment.isoformat()} has no timezone")
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise InvalidReplay(f"replay instant {moment.isoformat()} is out of range") from error
