"""The engine's bookkeeping around the core's ``ScoreBook``: which stored reports it has seen.

The arithmetic is the core's (``kerawanan.scorebook``); this module only hands the storage's
``ScoringRow``s to the core (``kerawanan.scoring.entries_for``: the rules of what counts and of a
supervisor's regrade live there), with each officer's area from the accounts, and keeps the change
number the book reflects.
"""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from kerawanan.scorebook import ScoreBook
from kerawanan.scoring import ScoringConfig, entries_for
from sync_server.storage.base import ScoringDelta, ScoringRow

Areas = Mapping[str, tuple[str, ...]]          # each officer's area: region codes


def officer_areas(storage: Any) -> dict[str, tuple[str, ...]]:
    """Each officer's area, from the accounts (a report from outside it counts less until confirmed)."""
    return {user.username: tuple(user.scope) for user in storage.users_with_role("officer")}


def loaded_feed(storage: Any, config: ScoringConfig) -> ReportFeed:
    """A fresh book of every stored report: the storage's full read, taken in as a stream, with the
    cycle collector paused; a large book (it lives on) is then frozen out of the collector's reach."""
    with paused_gc():
        feed = ReportFeed(config, officer_areas(storage))
        with storage.scoring_rows() as (rows, seq):
            feed.load(rows, seq)
        if len(feed.book) >= FREEZE_AT:
            gc.freeze()
    return feed


def caught_up(feed: ReportFeed, storage: Any) -> ReportFeed:
    """``feed`` after taking in what the storage stored or reviewed since its change number."""
    feed.follow(storage.scoring_delta(feed.seq), lambda: officer_areas(storage))
    return feed


FREEZE_AT = 50_000               # reports in a fresh book from which its objects are kept out of the collector


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while the book or a pass builds its (acyclic) tuples and tallies:
    with 200,000 reports alive, collections triggered by the allocations double the time of a pass."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ReportFeed:
    """The core's book of one process, fed with the storage's reports; ``seq`` is the change number
    it reflects (its owner reads the storage's delta after it)."""

    def __init__(self, config: ScoringConfig, scopes: Areas):
        self.config = config
        self.book = ScoreBook(config)
        self.scopes = dict(scopes)
        self.seq = 0
        self._known: dict[tuple, tuple] = {}   # (officer, desa) → (outside, ...); kinds (``entries_for``)

    def load(self, rows: Iterable[tuple], seq: int) -> set[str]:
        """An empty book takes a storage's full read (``scoring_rows``: each report once, as the
        rows come, never held all at once); returns the desa that hold reports."""
        if len(self.book):
            raise ValueError("load() fills an empty book; apply() takes in what changed")
        entries, _ = entries_for(rows, self.scopes, self._known)   # a report that never counts: not in it
        touched = self.book.put(entries)                 # a ValueError names a repeated id or a bad row
        self.seq = max(self.seq, seq)
        return touched

    def apply(self, rows: Iterable[ScoringRow], seq: int) -> set[str]:
        """Take in reports as they are now (new, reviewed, superseded; of a report given more than
        once, its last row); returns the desa that changed."""
        entries, gone = entries_for(_latest(list(rows)), self.scopes, self._known)
        touched = self.book.drop(gone) | self.book.put(entries)
        self.seq = max(self.seq, seq)
        return touched

    def follow(self, delta: ScoringDelta, areas: Callable[[], Areas]) -> set[str]:
        """Take in a storage delta (``apply``); when it names an officer the feed does not know,
        ``areas()`` — every officer's area, read again — is learnt first."""
        if not self.knows(row.officer for row in delta.rows):
            self.learn(areas())
        return self.apply(delta.rows, delta.seq)

    def learn(self, scopes: Areas) -> None:
        """New officers' areas (the entries already in the book keep theirs)."""
        self.scopes.update(scopes)
        self._known.clear()

    def knows(self, officers: Iterable[str]) -> bool:
        """Whether every officer's area is known (else the owner reloads the areas)."""
        return all(officer in self.scopes for officer in officers)


def _latest(rows: list[ScoringRow]) -> list[ScoringRow]:
    """Each report's last row (a later row of the same id is its review)."""
    return list({row[0]: row for row in rows}.values()) if len(rows) > 1 else rows
