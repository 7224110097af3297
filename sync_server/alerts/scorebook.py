"""The engine's bookkeeping around the core's ``ScoreBook``: which stored reports it has seen.

The arithmetic is the core's (``kerawanan.scorebook``); this module only turns the storage's
``ScoringRow``s into the core's entries (``kerawanan.scoring.entry_for``: the rules of what counts
and of a supervisor's regrade live there), with each officer's area from the accounts, and keeps
the change number the book reflects.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from kerawanan.scorebook import ScoreBook
from kerawanan.scoring import ScoringConfig, entry_for, outside_area
from sync_server.storage.base import ScoringRow


class ReportFeed:
    """The core's book of one process, fed with the storage's reports; ``seq`` is the change number
    it reflects (its owner reads the storage's delta after it)."""

    def __init__(self, config: ScoringConfig, scopes: Mapping[str, tuple[str, ...]]):
        self.book = ScoreBook(config)
        self.scopes = dict(scopes)
        self.seq = 0
        self._outside_cache: dict[tuple[str, str], tuple[bool, str, str]] = {}

    def apply(self, rows: Iterable[ScoringRow], seq: int) -> set[str]:
        """Take in reports as they are now (new, reviewed, superseded); returns the desa that changed."""
        entries, gone = [], []
        outside, scopes = self._outside_cache, self.scopes
        for (report_id, desa, category, threat_stage, epoch, officer, reliability, credibility, review, grade, _,
             device, stage, superseded_by) in {row[0]: row for row in rows}.values():   # each report's last state
            known = outside.get((officer, desa))
            if known is None:            # once per officer and desa: the area, and one string object each
                known = outside[officer, desa] = (outside_area(desa, scopes.get(officer, ())), officer, desa)
            away, officer, desa = known
            entry = entry_for(report_id, desa, category, threat_stage, epoch, officer, reliability, credibility,
                              review, grade, device=device, outside=away, superseded=superseded_by is not None,
                              stage=stage)
            if entry is None:
                gone.append(report_id)
            else:
                entries.append(entry)
        touched = self.book.drop(gone) | self.book.put(entries)
        self.seq = max(self.seq, seq)
        return touched

    def learn(self, scopes: Mapping[str, tuple[str, ...]]) -> None:
        """New officers' areas (the entries already in the book keep theirs)."""
        self.scopes.update(scopes)
        self._outside_cache.clear()

    def knows(self, officers: Iterable[str]) -> bool:
        """Whether every officer's area is known (else the owner reloads the areas)."""
        return all(officer in self.scopes for officer in officers)
