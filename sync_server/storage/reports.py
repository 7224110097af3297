"""Queries for reports: the push transaction, reads, lists and reviews.

Portable SQL (SQLite and PostgreSQL alike run it, ``storage.facade``): no driver is imported here.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from kerawanan.corrections import Original, supersession_refusal
from kerawanan.errors import Unavailable
from sync_server.storage.base import (
    NewChange,
    ReportQuery,
    Review,
    StoredReport,
    StoreOutcome,
    StoreResult,
)
from sync_server.storage.connection import Database, from_db, rows_in, subtree_sql, to_db

REPORT_COLUMNS = ("id, officer, device_id, desa_code, category, threat_stage, stage, observed_at, "
                  "received_at, seq, content_hash, wire, review_status, review_grade, "
                  "review_duplicate_of, review_note, review_by, review_at, superseded_by")
_WIRE = 11                                    # index of ``wire`` in REPORT_COLUMNS

_INSERT_CHANGE = ("INSERT INTO changes (seq, kind, recipient, region_code, audience, ref, data, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_REPORT = ("INSERT INTO reports (id, seq, officer, device_id, desa_code, category, threat_stage, "
                  "stage, observed_at, received_at, content_hash, wire, observed_epoch, source_reliability, "
                  "info_credibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_MEDIA = "INSERT INTO report_media (sha256, report_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
_TOUCH_DESA = """
INSERT INTO desa_activity (desa_code, last_report_id, last_observed_at, last_received_at, report_count)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (desa_code) DO UPDATE SET
    report_count = desa_activity.report_count + excluded.report_count,
    last_received_at = excluded.last_received_at,
    last_report_id = CASE WHEN excluded.last_observed_at >= coalesce(desa_activity.last_observed_at, '')
                          THEN excluded.last_report_id ELSE desa_activity.last_report_id END,
    last_observed_at = CASE WHEN excluded.last_observed_at >= coalesce(desa_activity.last_observed_at, '')
                            THEN excluded.last_observed_at ELSE desa_activity.last_observed_at END
"""
_TOUCH_OFFICER = """
INSERT INTO officer_activity (username, last_sync_at, last_report_at) VALUES (?, ?, ?)
ON CONFLICT (username) DO UPDATE SET
    last_sync_at = excluded.last_sync_at,
    last_report_at = coalesce(excluded.last_report_at, officer_activity.last_report_at)
"""


def row_to_report(row: Sequence[Any]) -> StoredReport:
    return _stored_report(row, json.loads(row[_WIRE]))


def rows_to_reports(rows: Sequence[Sequence[Any]]) -> list[StoredReport]:
    """``row_to_report`` for many rows, decoding their wire JSON in one ``json.loads`` (a page of
    1,000 reports: one call instead of 1,000)."""
    if not rows:
        return []
    wires = json.loads("[" + ",".join(row[_WIRE] for row in rows) + "]")
    return [_stored_report(row, wire) for row, wire in zip(rows, wires, strict=True)]


def _stored_report(row: Sequence[Any], wire: dict[str, Any]) -> StoredReport:
    (report_id, officer, device_id, desa, category, threat, stage, observed, received, seq, content_hash,
     _, status, grade, duplicate_of, note, by, at, superseded_by) = row
    return StoredReport(
        id=report_id, officer=officer, device_id=device_id, desa_code=desa, category=category,
        threat_stage=threat or None, stage=stage, observed_at=from_db(observed), received_at=from_db(received),
        seq=seq, content_hash=content_hash, wire=wire,
        review=Review(status=status, grade=grade, duplicate_of=duplicate_of, note=note, by=by,
                      at=from_db(at)), superseded_by=superseded_by)


def last_seq(conn: Any) -> int:
    """The newest change's seq (0: none). Changes are never deleted, and the highest key is the end
    of the primary key's index on both backends."""
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])


def seq_floor(conn: Any) -> int:
    """The number the next change counts up from (inside the write transaction).

    A change's ``seq`` is max(previous + 1, the wall clock in microseconds since the epoch): it only
    grows, like a counter, but the distance between two seqs a caller sees measures time, not how
    many changes other people made in between (issue 11; docs/reliability.md "What a cursor tells").
    It serialises the transaction first (PostgreSQL's cross-node write lock; SQLite holds its own),
    so changes are numbered and committed in order.
    """
    with conn.pipeline():            # PostgreSQL: the lock and the read go in one round trip
        conn.serialize()
        newest = last_seq(conn)
    return max(newest, time.time_ns() // 1000 - 1)


def insert_changes(conn: Any, changes: Sequence[NewChange], at: datetime) -> int:
    """Number and insert changes (inside the caller's write transaction); returns the last seq."""
    if not changes:
        return last_seq(conn)
    seq = seq_floor(conn)
    rows = []
    for change in changes:
        seq += 1
        data = None if change.data is None else json.dumps(change.data, ensure_ascii=False)
        rows.append((seq, change.kind, change.recipient, change.region_code, change.audience, change.ref,
                     data, to_db(at)))
    conn.insert_values(_INSERT_CHANGE, rows)
    return seq


def _known_reports(conn: Any, ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """The stored content hash, seq and author of each known id."""
    return {report_id: (content_hash, seq, author) for report_id, content_hash, seq, author in
            rows_in(conn, "SELECT id, content_hash, seq, officer FROM reports WHERE id IN", ids)}


def _originals(conn: Any, ids: list[str]) -> dict[str, Original]:
    """The stored reports a batch's corrections name: author and correction, by id."""
    return {report_id: Original(author, superseded_by) for report_id, author, superseded_by in
            rows_in(conn, "SELECT id, officer, superseded_by FROM reports WHERE id IN", ids)}


def _supersedes(report: Any, officer: str, originals: dict[str, Original]) -> str | None:
    """The core's refusal of a new report's ``supersedes`` (None: fine); on success the batch's
    view is updated (the original is now taken, the new report may itself be corrected later in
    the same batch)."""
    target = report.supersedes
    if target is not None:
        refusal = supersession_refusal(officer, originals.get(target))
        if refusal is not None:
            return refusal
        originals[target] = Original(officer, report.id)
    originals[report.id] = Original(officer)
    return None


def _record_supersessions(conn: Any, fresh: list[tuple[int, _Prepared]]) -> None:
    pairs = [(item.report.id, item.report.supersedes) for _, item in fresh if item.report.supersedes]
    if pairs:
        conn.executemany("UPDATE reports SET superseded_by = ? WHERE id = ?", pairs)


class _Prepared(NamedTuple):
    """A report with what storing it needs, computed before the write lock is taken."""

    report: Any
    canonical: str
    content_hash: str
    observed_at: str
    observed_epoch: float     # the alert engine's column: ``from_db(observed_at).timestamp()``


def _prepare(report: Any) -> _Prepared:
    canonical = report.canonical_json()
    observed_at = to_db(report.observed_at)
    return _Prepared(report=report, canonical=canonical, observed_at=observed_at,
                     content_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),  # == content_hash()
                     observed_epoch=from_db(observed_at).timestamp())


class Push:
    """One push on its way to the database: its reports prepared (canonical JSON, hashes) before any
    lock is taken, and, once written, its result or the error that refused it."""

    __slots__ = ("officer", "device_id", "prepared", "at", "corrects", "result", "error", "done")

    def __init__(self, officer: str, device_id: str | None, reports: Sequence[Any], received_at: datetime):
        self.officer, self.device_id, self.at = officer, device_id, to_db(received_at)
        self.prepared = [_prepare(report) for report in reports]
        self.corrects = any(item.report.supersedes for item in self.prepared)
        self.result: StoreResult | None = None
        self.error: BaseException | None = None
        self.done = False


def store_reports(db: Database, officer: str, device_id: str | None, reports: Sequence[Any],
                  received_at: datetime) -> StoreResult:
    """One push written alone (the server's pushes go through a ``PushQueue``)."""
    return store_pushes(db, [Push(officer, device_id, reports, received_at)])[0]


def store_pushes(db: Database, pushes: Sequence[Push]) -> list[StoreResult]:
    """Insert the new reports of ``pushes`` in one transaction, in their order, as if each came alone;
    a known id is a duplicate or conflict.

    On PostgreSQL the known ids are read before the write lock is taken: the lock is held for
    numbering, the writes (one round trip) and the commit. If another node stored one of the ids in
    between, the reports' primary key refuses the insert and the pushes are stored again, this time
    locked from the start (they then find that id known). Pushes with corrections are locked from the
    start anyway: whether an original is taken is read-then-write.
    """
    corrections = any(push.corrects for push in pushes)
    try:
        return _store(db, pushes, lock_now=corrections)
    except db.IntegrityError:
        if corrections:
            raise
        return _store(db, pushes, lock_now=True)


class PushQueue:
    """Group commit: pushes that arrive while another group is being written wait, and the first of
    them to wake writes them all in the next transaction — one write lock, one round trip of rows and
    one commit (one ``fsync``) for the group, each push answered as if it came alone. A failure is
    never shared: if a group's transaction fails, each of its pushes is written alone, so the error
    reaches only the push it belongs to. A push with corrections is always written alone.
    ``groups`` and ``pushes`` count what was written (how many pushes shared a transaction)."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._waiting: list[Push] = []
        self._writing = False
        self.groups = 0
        self.pushes = 0

    def store(self, db: Database, push: Push) -> StoreResult:
        if push.corrects:
            return store_pushes(db, [push])[0]
        with self._ready:
            self._waiting.append(push)
            while self._writing and not push.done:
                self._ready.wait()
            lead = not push.done
            if lead:
                self._writing, group, self._waiting = True, self._waiting, []
        if lead:
            try:
                _write_group(db, group)
            finally:
                with self._ready:
                    for each in group:
                        if each.result is None and each.error is None:      # the leader was interrupted
                            each.error = Unavailable("Penyimpanan terputus; kirim ulang.",
                                                     message_en="Storing was interrupted; send again.")
                        each.done = True
                    self._writing = False
                    self.groups, self.pushes = self.groups + 1, self.pushes + len(group)
                    self._ready.notify_all()
        if push.error is not None:
            raise push.error
        assert push.result is not None
        return push.result


def _write_group(db: Database, group: list[Push]) -> None:
    try:
        for push, result in zip(group, store_pushes(db, group), strict=True):
            push.result = result
        return
    except Exception as error:                          # noqa: BLE001 — handed to the push it belongs to
        if len(group) == 1:
            group[0].error = error
            return
    for push in group:                                  # whose it was is not known: each alone
        try:
            push.result = store_pushes(db, [push])[0]
        except Exception as error:                      # noqa: BLE001
            push.error = error


def _store(db: Database, pushes: Sequence[Push], *, lock_now: bool) -> list[StoreResult]:
    with db.writing(lock_now=lock_now) as conn:
        known = _known_reports(conn, list({item.report.id for push in pushes for item in push.prepared}))
        originals = _originals(conn, [item.report.supersedes for push in pushes for item in push.prepared
                                      if item.report.supersedes])
        seq = seq_floor(conn)
        results, written = [], []
        for push in pushes:
            outcomes, fresh, own = [], [], 0
            for item in push.prepared:
                report_id = item.report.id
                if report_id in known:
                    content_hash, stored_seq, author = known[report_id]
                    status = "duplicate" if content_hash == item.content_hash else "conflict"
                    outcomes.append(StoreOutcome(id=report_id, status=status))
                    own = max(own, stored_seq) if author == push.officer else own
                    continue
                refusal = _supersedes(item.report, push.officer, originals)
                if refusal is not None:
                    outcomes.append(StoreOutcome(id=report_id, status="invalid", error=refusal))
                    continue
                seq += 1
                known[report_id] = (item.content_hash, seq, push.officer)
                fresh.append((seq, item))
                outcomes.append(StoreOutcome(id=report_id, status="created", seq=seq))
            results.append(StoreResult(outcomes=outcomes, cursor=fresh[-1][0] if fresh else own))
            written.append((push, fresh))
        with conn.pipeline():
            _insert_reports(conn, written)
            _record_supersessions(conn, [pair for _, fresh in written for pair in fresh])
            _touch_activity(conn, written)
    return results


_Written = list[tuple[Push, list[tuple[int, _Prepared]]]]      # each push and its new reports, with seqs


def _insert_reports(conn: Any, written: _Written) -> None:
    conn.insert_values(_INSERT_CHANGE, [(seq, "report", None, item.report.desa_code, "supervisors",
                                         item.report.id, None, push.at)
                                        for push, fresh in written for seq, item in fresh])
    conn.insert_values(_INSERT_REPORT, [_report_row(seq, item, push) for push, fresh in written for seq, item in fresh])
    conn.insert_values(_INSERT_MEDIA, [(sha, item.report.id) for _, fresh in written for _, item in fresh
                                       for sha in set(item.report.media)])


def _report_row(seq: int, item: _Prepared, push: Push) -> tuple:
    report = item.report
    return (report.id, seq, push.officer, push.device_id, report.desa_code, report.category,
            report.threat_stage or "", report.stage, item.observed_at, push.at, item.content_hash, item.canonical,
            item.observed_epoch, report.source_reliability, report.info_credibility)


def _touch_activity(conn: Any, written: _Written) -> None:
    conn.insert_values(_TOUCH_DESA, _desa_activity(written))      # one row per desa
    conn.executemany(_TOUCH_OFFICER, [(push.officer, push.at, push.at if fresh else None) for push, fresh in written])
    devices = [(push.at, push.device_id) for push, _ in written if push.device_id is not None]
    if devices:
        conn.executemany("UPDATE devices SET last_sync_at = ? WHERE id = ?", devices)


def _desa_activity(written: _Written) -> list[tuple[str, str, str, str, int]]:
    """One row per desa of the pushes: its count, its newest report (the later one on a tie, as if
    the reports were applied one by one) and the arrival of the last push that touched it. Text order
    of stored times is time order."""
    newest: dict[str, tuple[str, str, int, str]] = {}
    for push, fresh in written:
        for _, item in fresh:
            desa = item.report.desa_code
            previous = newest.get(desa)
            if previous is None:
                newest[desa] = (item.report.id, item.observed_at, 1, push.at)
            elif item.observed_at >= previous[1]:
                newest[desa] = (item.report.id, item.observed_at, previous[2] + 1, push.at)
            else:
                newest[desa] = (*previous[:2], previous[2] + 1, push.at)
    return [(desa, report_id, observed, at, count) for desa, (report_id, observed, count, at) in newest.items()]


def record_sync(db: Database, officer: str, device_id: str | None, at: datetime) -> None:
    with db.writing() as conn:
        _touch_activity(conn, [(Push(officer, device_id, [], at), [])])


def get_report(db: Database, report_id: str) -> StoredReport | None:
    with db.reading() as conn:
        row = conn.execute(f"SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?", (report_id,)).fetchone()
    return row_to_report(row) if row else None


def reports_by_id(conn: Any, ids: list[str]) -> dict[str, StoredReport]:
    rows = rows_in(conn, f"SELECT {REPORT_COLUMNS} FROM reports WHERE id IN", ids)
    return {report.id: report for report in rows_to_reports(rows)}


def list_reports(db: Database, query: ReportQuery) -> tuple[list[StoredReport], int | None]:
    """Newest first; the second value is the ``before_seq`` of the next page, or None."""
    where, params = _report_filters(query)
    sql = (f"SELECT {REPORT_COLUMNS} FROM reports WHERE {' AND '.join(where)} "
           f"ORDER BY seq DESC LIMIT ?")
    with db.reading() as conn:
        rows = conn.execute(sql, [*params, query.limit + 1]).fetchall()
    items = rows_to_reports(rows[:query.limit])
    more = len(rows) > query.limit
    return items, (items[-1].seq if more and items else None)


def _report_filters(query: ReportQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if query.scopes is not None:
        clause, values = subtree_sql("desa_code", query.scopes)
        where.append(clause)
        params.extend(values)
    if query.region is not None:
        clause, values = subtree_sql("desa_code", (query.region,))
        where.append(clause)
        params.extend(values)
    for column, value in (("officer", query.officer), ("category", query.category),
                          ("stage", query.stage), ("review_status", query.review)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if query.since is not None:
        where.append("received_at >= ?")
        params.append(to_db(query.since))
    if query.before_seq is not None:
        where.append("seq < ?")
        params.append(query.before_seq)
    return where, params


def review_report(db: Database, report_id: str, review: Review, change: NewChange) -> StoredReport:
    """Record a verdict on the report, in its history, and on the officer's feed — one transaction."""
    with db.writing() as conn:
        conn.execute(
            "UPDATE reports SET review_status = ?, review_grade = ?, review_duplicate_of = ?, "
            "review_note = ?, review_by = ?, review_at = ? WHERE id = ?",
            (review.status, review.grade, review.duplicate_of, review.note, review.by, to_db(review.at),
             report_id))
        conn.execute(
            "INSERT INTO reviews (report_id, status, grade, duplicate_of, note, reviewer, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (report_id, review.status, review.grade, review.duplicate_of, review.note, review.by,
             to_db(review.at)))
        insert_changes(conn, [change], review.at)
        row = conn.execute(f"SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?", (report_id,)).fetchone()
    return row_to_report(row)


def reports_citing_media(db: Database, sha256: str) -> list[StoredReport]:
    with db.reading() as conn:
        rows = conn.execute(
            f"SELECT {REPORT_COLUMNS} FROM reports WHERE id IN "
            "(SELECT report_id FROM report_media WHERE sha256 = ?)", (sha256,)).fetchall()
    return [row_to_report(row) for row in rows]


SHORT_FIELDS = ("facts", "opinion", "media")     # what an SMS short version leaves out (kerawanan.sms_codec)


def complete_short_version(db: Database, officer: str, report: Any, short_mark: str, received_at: datetime) -> bool:
    """Store the full text of ``officer``'s report that arrived first as an SMS short version: same id,
    every field but the facts, opinion and photos the same, the stored facts a cut of the full ones
    ending in ``short_mark``. The report keeps its seq (it is counted once); the short text goes to
    ``report_repairs``. False (nothing changed) when the stored report is not such a short version."""
    item = _prepare(report)
    full = json.loads(item.canonical)
    with db.writing() as conn:
        row = conn.execute("SELECT wire, content_hash FROM reports WHERE id = ? AND officer = ?",
                           (report.id, officer)).fetchone()
        if row is None or row[1] == item.content_hash:
            return False
        stored = json.loads(row[0])
        facts = stored.get("facts") or ""
        same = all(stored.get(key) == full.get(key) for key in set(stored) | set(full) if key not in SHORT_FIELDS)
        if not (same and facts.endswith(short_mark)
                and (full.get("facts") or "").startswith(facts[:-len(short_mark)])):
            return False
        at = to_db(received_at)
        conn.execute("INSERT INTO report_repairs (report_id, field, original, replacement, reason, at) "
                     "VALUES (?, 'facts', ?, ?, 'sms_short_version_completed', ?)",
                     (report.id, json.dumps(facts), json.dumps(full.get("facts")), at))
        conn.execute("UPDATE reports SET wire = ?, content_hash = ? WHERE id = ?",
                     (item.canonical, item.content_hash, report.id))
        media = [(sha, report.id) for sha in set(report.media)]
        if media:
            conn.executemany(_INSERT_MEDIA, media)
    return True
