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
        self._outside_cache: dict[tuple[str, str], bool] = {}

    def apply(self, rows: Iterable[ScoringRow], seq: int) -> set[str]:
        """Take in reports as they are now (new, reviewed, superseded); returns the desa that changed."""
        entries, gone = [], []
        for row in {row.id: row for row in rows}.values():      # the last state of each report
            entry = entry_for(row.id, row.desa_code, row.category, row.threat_stage, row.observed_epoch, row.officer,
                              row.source_reliability, row.info_credibility, row.review, row.grade,
                              device=row.device_id, outside=self._outside(row), superseded=row.superseded_by is not None,
                              stage=row.stage)
            if entry is None:
                gone.append(row.id)
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

    def _outside(self, row: ScoringRow) -> bool:
        key = (row.officer, row.desa_code)
        found = self._outside_cache.get(key)
        if found is None:
            found = self._outside_cache[key] = outside_area(row.desa_code, self.scopes.get(row.officer, ()))
        return found
