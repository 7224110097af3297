"""Queries of the alert engine: what scoring reads of reports, region states, alerts and their
append-only history, and when each desa was last heard from.

Portable SQL, run unchanged on SQLite and PostgreSQL (``db`` is either backend's ``Database``). An
alert's ``number`` (its order of opening, the list cursor) comes from the database on its first save:
SQLite's rowid, PostgreSQL's identity column; a stored alert keeps it.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from kerawanan.errors import Conflict
from sync_server.storage.base import (
    Activity,
    Alert,
    AlertEvent,
    AlertNumbers,
    AlertQuery,
    NewChange,
    RegionState,
    ScoringDelta,
    ScoringRow,
    StoredReport,
    User,
)
from sync_server.storage.connection import Database, rows_in, subtree_sql, to_db
from sync_server.storage.reports import REPORT_COLUMNS, insert_changes, last_seq, row_to_report

# What the engine reads of a report: columns written at intake (observed_epoch is observed_at as
# ``datetime.timestamp()`` gives it; the officer's own grade from the wire), all in the covering
# index ``reports_scoring`` (schema step 12), so a full read scans that index alone, in time order.
SCORING_COLUMNS = ("id, desa_code, category, threat_stage, observed_epoch, officer, source_reliability, "
                   "info_credibility, review_status, review_grade, device_id, stage, superseded_by")
STATE_COLUMNS = ("code, tier, level, score, report_count, officer_count, top_categories, first_report_at, "
                 "last_report_at, evaluated_at")
ALERT_COLUMNS = ("id, region_code, level, peak_level, score, stage, status, owner, deadline_at, escalations, "
                 "report_count, officer_count, top_categories, first_report_at, last_report_at, scored_at, "
                 "opened_at, updated_at, version, assignee, response, resolved_at, response_for_field, number")
EVENT_COLUMNS = "alert_id, version, at, actor, event, level, previous_level, score, status, owner, note, data"
_UPSERT_ALERT = "ON CONFLICT (id) DO UPDATE SET " + ", ".join(   # never region_code or number
    f"{name} = excluded.{name}" for name in ALERT_COLUMNS.split(", ")[2:-1])
_SAVE_ALERT = f"INSERT INTO alerts ({ALERT_COLUMNS}) VALUES ({','.join('?' * 24)}) {_UPSERT_ALERT}"
_OPEN_ALERT = (f"INSERT INTO alerts ({ALERT_COLUMNS.removesuffix(', number')}) VALUES ({','.join('?' * 23)}) "
               f"{_UPSERT_ALERT}")          # no number yet: the database gives the next one
_STATE_VALUES = STATE_COLUMNS.split(", ")[1:] + ["code"]     # the order of ``_state_values``
_SAVE_STATES = (f"INSERT INTO region_states ({', '.join(_STATE_VALUES)}) VALUES ({','.join('?' * 10)}) "
                "ON CONFLICT (code) DO UPDATE SET " + ", ".join(
                    f"{name} = excluded.{name}" for name in _STATE_VALUES[:-1]))
_UPDATE_STATES = f"UPDATE region_states SET {', '.join(f'{name} = ?' for name in _STATE_VALUES[:-1])} WHERE code = ?"
# The reports changed after a number, and the reports they correct: one UNION of two index lookups
# (with ``id IN (...) OR superseded_by IN (...)`` PostgreSQL scans every report, 14 ms at 20,000).
_CHANGED = "SELECT ref FROM changes WHERE seq > ? AND kind IN ('report', 'review')"
INF = math.inf
_CHANGED_SINCE = (f"SELECT {SCORING_COLUMNS} FROM reports WHERE id IN ({_CHANGED} "
                  f"UNION SELECT id FROM reports WHERE superseded_by IN ({_CHANGED}))")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _state(row: Sequence[Any]) -> RegionState:
    code, tier, level, score, count, officers, top, first, last, evaluated = row
    return RegionState(code, tier, level, score, count, officers, tuple(map(tuple, json.loads(top))),
                       _time(first), _time(last), _time(evaluated))


class _Texts(dict):
    """``to_db`` with a memory: passes write the same instants over and over (a region's first and
    last report, the pass's own instant); forgotten now and then."""

    def __missing__(self, moment: datetime | None) -> str | None:
        if len(self) >= TEXTS_KEPT:
            self.clear()
        text = self[moment] = to_db(moment)
        return text


TEXTS_KEPT = 20_000
_TEXTS = _Texts()
_QUOTED: dict[str, str] = {}          # category code -> its JSON string


def _pairs_json(pairs: Sequence[tuple[str, float]]) -> str:
    """``json.dumps(pairs)`` of top categories, the very same text, without the encoder's cost per call
    (a pass writes a few hundred); anything but (text, finite float) pairs goes to ``json.dumps``."""
    parts = []
    for code, weight in pairs:
        if type(weight) is not float or not -INF < weight < INF or type(code) is not str:
            return json.dumps(pairs)
        quoted = _QUOTED.get(code)
        if quoted is None:
            quoted = _QUOTED[code] = json.dumps(code)
        parts.append(f"[{quoted}, {weight!r}]")
    return f"[{', '.join(parts)}]"


def _state_values(state: RegionState, texts: _Texts, top: Callable[[Sequence], str] = _pairs_json) -> tuple:
    return (state.tier, state.level, state.score, state.report_count, state.officer_count,
            top(state.top_categories), texts[state.first_report_at], texts[state.last_report_at],
            texts[state.evaluated_at], state.code)


def _alert(row: Sequence[Any]) -> Alert:
    (alert_id, region, level, peak, score, stage, status, owner, deadline, escalations, count, officers, top,
     first, last, scored, opened, updated, version, assignee, response, resolved, for_field, number) = row
    return Alert(id=alert_id, region_code=region, level=level, peak_level=peak, score=score, stage=stage,
                 status=status, owner=owner, deadline_at=_time(deadline), escalations=escalations,
                 report_count=count, officer_count=officers, top_categories=tuple(map(tuple, json.loads(top))),
                 first_report_at=_time(first), last_report_at=_time(last), scored_at=_time(scored),
                 opened_at=_time(opened), updated_at=_time(updated), version=version, assignee=assignee,
                 response=response, resolved_at=_time(resolved), number=number,
                 response_for_field=bool(for_field))


def _alert_values(alert: Alert) -> tuple:
    return (alert.id, alert.region_code, alert.level, alert.peak_level, alert.score, alert.stage, alert.status,
            alert.owner, to_db(alert.deadline_at), alert.escalations, alert.report_count, alert.officer_count,
            json.dumps(alert.top_categories), to_db(alert.first_report_at), to_db(alert.last_report_at),
            to_db(alert.scored_at), to_db(alert.opened_at), to_db(alert.updated_at), alert.version,
            alert.assignee, alert.response, to_db(alert.resolved_at), int(alert.response_for_field), alert.number)


def _save_alert(conn: Any, alert: Alert) -> None:
    """Insert or replace; a new alert (``number`` None) gets the next number (identity columns refuse NULL).

    A ``number`` passed in must be the one storage gave (PostgreSQL's identity does not skip a number
    chosen by hand). A second unresolved alert of a region is a ``Conflict`` on both backends, checked
    before the unique index ``alerts_one_unresolved`` would refuse it with a driver's error."""
    if alert.status != "resolved":
        _refuse_second_unresolved(conn, alert)
    values = _alert_values(alert)
    if alert.number is None:
        conn.execute(_OPEN_ALERT, values[:-1])
    else:
        conn.execute(_SAVE_ALERT, values)


def _refuse_second_unresolved(conn: Any, alert: Alert) -> None:
    row = conn.execute("SELECT id FROM alerts WHERE region_code = ? AND status != 'resolved' AND id != ?",
                       (alert.region_code, alert.id)).fetchone()
    if row is not None:
        raise Conflict("Wilayah ini sudah punya peringatan yang belum selesai.", code="alert.conflict",
                       message_en="This region already has an unresolved alert.", details={"alert_id": row[0]})


def _event(row: Sequence[Any]) -> AlertEvent:
    alert_id, version, at, actor, event, level, previous, score, status, owner, note, data = row
    return AlertEvent(alert_id, version, _time(at), actor, event, level, previous, score, status, owner, note,
                      None if data is None else json.loads(data))


def _event_values(event: AlertEvent) -> tuple:
    return (event.alert_id, event.version, to_db(event.at), event.actor, event.event, event.level,
            event.previous_level, event.score, event.status, event.owner, event.note,
            None if event.data is None else json.dumps(event.data, ensure_ascii=False))


def _insert_events(conn: Any, events: Sequence[AlertEvent]) -> None:
    conn.executemany(f"INSERT INTO alert_history ({EVENT_COLUMNS}) VALUES ({','.join('?' * 12)})",
                     [_event_values(event) for event in events])


# ---- what scoring reads

def scoring_delta(conn: Any, after: int) -> ScoringDelta:
    """Reports created or reviewed after change ``after``, as they are now."""
    seq = last_seq(conn)
    if seq <= after:
        return ScoringDelta(rows=[], seq=max(seq, after))
    if after <= 0:                                         # everything: a fresh book
        return ScoringDelta(rows=list(map(ScoringRow._make, conn.execute(
            f"SELECT {SCORING_COLUMNS} FROM reports ORDER BY observed_epoch, id"))),   # time order: appended
                            seq=seq)
    return ScoringDelta(rows=list(map(ScoringRow._make, conn.execute(_CHANGED_SINCE, (after, after)))), seq=seq)


def read_scoring_delta(db: Database, after: int, *, warm: bool = False) -> ScoringDelta:
    """``scoring_delta`` in a read transaction (no write lock; ``warm``: ``Database.reading``'s, for
    a delta that is mostly what this process's pushes just stored)."""
    with db.reading(warm=warm) as conn:
        return scoring_delta(conn, after)


@contextmanager
def scoring_rows(db: Database) -> Iterator[tuple[Iterator[tuple], int]]:
    """Every report, as ``scoring_delta(0)`` gives them but as plain tuples (in ``ScoringRow``'s field
    order: a named tuple per report costs 50 ms at 200,000), and the change number they reflect —
    read as the caller goes, inside one read transaction: a row is dropped as soon as it is taken in
    (a list of 200,000 cost 60 ms more)."""
    with db.reading() as conn:
        seq = last_seq(conn)
        yield iter(conn.execute(f"SELECT {SCORING_COLUMNS} FROM reports ORDER BY observed_epoch, id")), seq


# ---- the engine's write transaction

class SqlAlertBatch:
    """``AlertBatch`` over one write transaction of either backend."""

    def __init__(self, conn: Any):
        self.conn = conn
        self._texts: dict[int, tuple[object, str]] = {}   # id(top categories) -> (them, their JSON)

    def _json(self, pairs: Sequence[tuple[str, float]]) -> str:
        """``_pairs_json``, once per object: an alert's numbers carry its region state's very tuple."""
        found = self._texts.get(id(pairs))
        if found is None or found[0] is not pairs:
            found = self._texts[id(pairs)] = (pairs, _pairs_json(pairs))   # kept: its id is not reused
        return found[1]

    def scoring_delta(self, after: int) -> ScoringDelta:
        return scoring_delta(self.conn, after)

    def region_states(self, codes: Iterable[str] | None = None) -> dict[str, RegionState]:
        return _region_states(self.conn, codes)

    def hot_levels(self, under: Iterable[str] | None = None) -> dict[str, str]:
        """The stored level of every region at rawan or above (the incident rule reads its children),
        or of those among ``under`` and below them."""
        sql, params = "SELECT code, level FROM region_states WHERE level != 'kurang_rawan'", []
        if under is not None:
            where, params = subtree_sql("code", sorted(under))
            sql += f" AND {where}"
        return dict(self.conn.execute(sql, params))

    def region_levels(self, codes: Iterable[str]) -> dict[str, str]:
        """The stored level of each of ``codes`` that has a state."""
        return dict(rows_in(self.conn, "SELECT code, level FROM region_states WHERE code IN", list(codes)))

    def users_with_role(self, role: str) -> list[User]:
        return _users_with_role(self.conn, role)

    def states_stamp(self) -> tuple[str, int] | None:
        """(writer, seq) of the engine pass that last wrote region states (``stamp_states``)."""
        row = self.conn.execute("SELECT writer, seq FROM states_stamp").fetchone()
        return None if row is None else (row[0], int(row[1]))

    def stamp_states(self, writer: str, seq: int) -> None:
        """The states were last written by engine ``writer``'s pass that ends at change ``seq``."""
        self.conn.execute("INSERT INTO states_stamp (id, writer, seq) VALUES (1, ?, ?) "
                          "ON CONFLICT (id) DO UPDATE SET writer = excluded.writer, seq = excluded.seq", (writer, seq))

    def alert_changed_after(self, seq: int) -> bool:
        """Whether an ``alert`` change was stored after change ``seq`` (an alert was written: acted on,
        answered, opened, moved by an engine)."""
        return self.conn.execute("SELECT 1 FROM changes WHERE seq > ? AND kind = 'alert' LIMIT 1",
                                 (seq,)).fetchone() is not None

    def unresolved_alerts(self, regions: Iterable[str] | None = None,
                          due_by: datetime | None = None) -> dict[str, Alert]:
        """All unresolved alerts; or those of ``regions`` and the open ones due by ``due_by``."""
        sql = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE status != 'resolved'"
        if regions is None:
            return {alert.region_code: alert for alert in map(_alert, self.conn.execute(sql))}
        rows = rows_in(self.conn, f"{sql} AND region_code IN", sorted(regions))
        found = {alert.region_code: alert for alert in map(_alert, rows)}
        if due_by is not None:
            rows = self.conn.execute(f"{sql} AND status = 'open' AND deadline_at <= ?", (to_db(due_by),))
            found.update((alert.region_code, alert) for alert in map(_alert, rows))
        return found

    def save_region_states(self, states: Sequence[RegionState]) -> None:
        """Insert or replace. Most passes re-write regions stored before: an UPDATE of each (a third
        cheaper than an upsert on SQLite), and the upsert only when some were not there."""
        texts, top = _TEXTS, self._json
        values = [_state_values(state, texts, top) for state in states]
        if values and self.conn.executemany(_UPDATE_STATES, values).rowcount != len(values):
            self.conn.executemany(_SAVE_STATES, values)

    def save_alert(self, alert: Alert, events: Sequence[AlertEvent]) -> None:
        _save_alert(self.conn, alert)
        _insert_events(self.conn, events)

    def save_alert_numbers(self, numbers: Sequence[AlertNumbers]) -> None:
        texts = _TEXTS
        self.conn.executemany(
            "UPDATE alerts SET score = ?, stage = ?, report_count = ?, officer_count = ?, top_categories = ?, "
            "first_report_at = ?, last_report_at = ?, scored_at = ? WHERE id = ?",
            [(n.score, n.stage, n.report_count, n.officer_count, self._json(n.top_categories),
              texts[n.first_report_at], texts[n.last_report_at], texts[n.scored_at], n.alert_id) for n in numbers])

    def add_changes(self, changes: Sequence[NewChange], at: datetime) -> int:
        return insert_changes(self.conn, changes, at) if changes else last_seq(self.conn)


@contextmanager
def alert_batch(db: Database) -> Iterator[SqlAlertBatch]:
    with db.writing() as conn:
        yield SqlAlertBatch(conn)


# ---- reads

def _region_states(conn: Any, codes: Iterable[str] | None) -> dict[str, RegionState]:
    if codes is None:
        rows = conn.execute(f"SELECT {STATE_COLUMNS} FROM region_states").fetchall()
    else:
        rows = rows_in(conn, f"SELECT {STATE_COLUMNS} FROM region_states WHERE code IN", list(codes))
    return {state.code: state for state in map(_state, rows)}


def region_states(db: Database, codes: Iterable[str]) -> dict[str, RegionState]:
    with db.reading() as conn:
        return _region_states(conn, codes)


def region_states_under(db: Database, scopes: Sequence[str]) -> list[RegionState]:
    where, params = subtree_sql("code", tuple(scopes))
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {STATE_COLUMNS} FROM region_states WHERE {where} ORDER BY code",
                            params).fetchall()
    return [_state(row) for row in rows]


def get_alert(db: Database, alert_id: str) -> Alert | None:
    with db.reading() as conn:
        row = conn.execute(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return _alert(row) if row else None


def list_alerts(db: Database, query: AlertQuery) -> tuple[list[Alert], int | None]:
    """Newest first; the second value is the ``before`` of the next page, or None."""
    area, params = subtree_sql("region_code", query.subtrees)
    if query.exact:
        area = f"({area} OR region_code IN ({','.join('?' * len(query.exact))}))"
        params += list(query.exact)
    where = [area]
    if query.region is not None:
        clause, values = subtree_sql("region_code", (query.region,))
        where.append(clause)
        params += values
    if query.level is not None:
        where.append("level = ?")
        params.append(query.level)
    if query.status == "active":
        where.append("status != 'resolved'")
    elif query.status is not None:
        where.append("status = ?")
        params.append(query.status)
    if query.before is not None:
        where.append("number < ?")
        params.append(query.before)
    sql = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE {' AND '.join(where)} ORDER BY number DESC LIMIT ?"
    with db.reading() as conn:
        rows = conn.execute(sql, [*params, query.limit + 1]).fetchall()
    items = [_alert(row) for row in rows[:query.limit]]
    more = len(rows) > query.limit
    return items, (items[-1].number if more and items else None)


def alert_history(db: Database, alert_id: str) -> list[AlertEvent]:
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {EVENT_COLUMNS} FROM alert_history WHERE alert_id = ? ORDER BY id",
                            (alert_id,)).fetchall()
    return [_event(row) for row in rows]


def audit_trail(db: Database, since: datetime | None = None) -> list[AlertEvent]:
    """Every alert event since ``since`` (oldest first)."""
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {EVENT_COLUMNS} FROM alert_history WHERE at >= ? ORDER BY id",
                            (to_db(since) if since else "",)).fetchall()
    return [_event(row) for row in rows]


def unresolved_alerts_under(db: Database, scopes: Sequence[str]) -> list[Alert]:
    where, params = subtree_sql("region_code", tuple(scopes))
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE status != 'resolved' AND {where} "
                            "ORDER BY number", params).fetchall()
    return [_alert(row) for row in rows]


def update_alert(db: Database, alert: Alert, expected_version: int, event: AlertEvent,
                 changes: Sequence[NewChange]) -> bool:
    """Compare-and-set: store ``alert`` only if the stored version is still ``expected_version``."""
    with db.writing() as conn:
        row = conn.execute("SELECT version FROM alerts WHERE id = ?", (alert.id,)).fetchone()
        if row is None or row[0] != expected_version:
            return False
        _save_alert(conn, alert)
        _insert_events(conn, [event])
        if changes:
            insert_changes(conn, changes, event.at)
    return True


def users_with_role(db: Database, role: str) -> list[User]:
    with db.reading() as conn:
        return _users_with_role(conn, role)


def _users_with_role(conn: Any, role: str) -> list[User]:
    rows = conn.execute("SELECT username, name, role, scope FROM users WHERE role = ? ORDER BY username",
                        (role,)).fetchall()
    return [User(username, name, role_, tuple(json.loads(scope))) for username, name, role_, scope in rows]


# The newer of an officer's last sync and last report (time texts: text order is time order; no
# scalar max() on PostgreSQL, no GREATEST on SQLite).
_OFFICER_HEARD = ("SELECT username, CASE WHEN coalesce(last_sync_at, '') > coalesce(last_report_at, '') "
                  "THEN last_sync_at ELSE last_report_at END FROM officer_activity")


def activity(db: Database) -> Activity:
    """Newest observation per desa; per officer the newest of their last sync and last report."""
    with db.reading() as conn:
        desa = conn.execute("SELECT desa_code, last_observed_at FROM desa_activity").fetchall()
        officers = conn.execute(_OFFICER_HEARD).fetchall()
    return Activity(desa_observed={code: _time(at) for code, at in desa if at},
                    officer_heard={name: _time(at) for name, at in officers if at})


def reports_in_desa(db: Database, desa_codes: Iterable[str]) -> list[StoredReport]:
    with db.reading() as conn:
        rows = rows_in(conn, f"SELECT {REPORT_COLUMNS} FROM reports WHERE desa_code IN", sorted(set(desa_codes)))
    return [row_to_report(row) for row in rows]


def report_counts(db: Database, scopes: Sequence[str], start: datetime, end: datetime
                  ) -> tuple[dict[str, int], dict[str, int]]:
    """Reports in scope that count (not rejected, not duplicate): by category observed in
    [start, end), and by tahapan observed before ``end``."""
    where, params = subtree_sql("desa_code", tuple(scopes))
    where += " AND review_status NOT IN ('rejected', 'duplicate')"
    with db.reading() as conn:
        by_category = conn.execute(f"SELECT category, count(*) FROM reports WHERE {where} AND observed_at >= ? "
                                   "AND observed_at < ? GROUP BY category",
                                   [*params, to_db(start), to_db(end)]).fetchall()
        by_stage = conn.execute(f"SELECT stage, count(*) FROM reports WHERE {where} AND observed_at < ? "
                                "GROUP BY stage", [*params, to_db(end)]).fetchall()
    return dict(by_category), dict(by_stage)
