"""The objects of the storage ports (``storage.ports``): core objects and small dataclasses, never
rows or driver types.

Every write is one transaction. Every change a client may pull gets a number from one
monotonically increasing sequence: a report's ``seq`` and the pull cursors come from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

ROLES = ("officer", "supervisor", "admin")
REVIEW_STATUSES = ("pending", "confirmed", "rejected", "duplicate")
ALERT_STATUSES = ("open", "acknowledged", "in_progress", "resolved")


@dataclass(frozen=True, slots=True)
class User:
    username: str
    name: str
    role: str
    scope: tuple[str, ...]
    disabled_at: datetime | None = None     # a disabled user's tokens, devices and password stop
    must_change_password: bool = False      # a temporary password: login tokens may only change it


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What a live bearer token stands for."""

    token_id: int
    user: User
    kind: str                      # "login" | "device"
    device_id: str | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """What a password login checks of an account."""

    user: User
    password_hash: str | None
    password_expires_at: datetime | None     # a temporary password's end


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """One line of the append-only account audit (``account_events``)."""

    id: int
    at: datetime
    actor: str                     # a username, "cli" or "migration"
    action: str                    # user.create | password.change | password.reset | user.disable | ...
    username: str                  # the account acted on
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class LimitKey:
    kind: str                      # login | enroll | address
    account: str                   # "" for kind address
    address: str


@dataclass(frozen=True, slots=True)
class LimitState:
    failures: int
    last_at: datetime
    blocked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    username: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_sync_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EnrollmentCode:
    id: int
    username: str
    code_hash: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    status: str = "pending"        # pending|confirmed|rejected|duplicate
    grade: str | None = None       # a supervisor's regrade, e.g. "B2"
    duplicate_of: str | None = None
    note: str | None = None
    by: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report as the server keeps it: the canonical wire dict plus what the server added."""

    id: str
    officer: str
    device_id: str | None
    desa_code: str
    category: str
    threat_stage: str | None          # None: a laporan nihil (stored as "")
    stage: str
    observed_at: datetime
    received_at: datetime
    seq: int
    content_hash: str
    wire: dict[str, Any]
    review: Review = field(default_factory=Review)
    superseded_by: str | None = None  # the id of the report that corrects this one (kerawanan.corrections)


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    id: str
    status: str                    # created | duplicate | conflict | invalid (a refused ``supersedes``)
    seq: int | None = None
    error: str | None = None       # invalid: the refusal of kerawanan.corrections (unknown | taken)


@dataclass(frozen=True, slots=True)
class StoreResult:
    outcomes: list[StoreOutcome]
    cursor: int                    # the seq of the batch's newest report of this officer (0: none)


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """Filters of a report list. ``scopes=None`` means no scope restriction (trusted callers)."""

    scopes: tuple[str, ...] | None = None
    officer: str | None = None
    region: str | None = None
    category: str | None = None
    stage: str | None = None
    review: str | None = None
    since: datetime | None = None  # received_at >= since
    before_seq: int | None = None  # page cursor: newest first
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Area:
    """Which recipient-less changes a caller sees (computed by ``scope.py``, applied by storage)."""

    subtrees: tuple[str, ...] = ()  # region codes visible with everything under them
    exact: tuple[str, ...] = ()     # region codes visible themselves only (an officer's ancestors)
    supervisor: bool = False        # also changes meant for supervisors only (new reports)


@dataclass(frozen=True, slots=True)
class NewChange:
    """A change to publish on the pull feed (used by reviews now, alerts/tasks later)."""

    kind: str                       # review | report | alert | task | notice
    data: dict[str, Any] | None
    recipient: str | None = None    # a username, or None for everyone in ``region_code``'s area
    region_code: str | None = None  # None with no recipient: everyone
    audience: str = "all"           # "all" | "supervisors" (for recipient-less changes)
    ref: str | None = None          # id of the object the change is about


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    kind: str
    data: dict[str, Any] | None
    created_at: datetime
    report: StoredReport | None = None  # kind "report": the report as it is now


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[Change]
    cursor: int
    more: bool


class StoredReportText(NamedTuple):
    """A report of a feed page as stored: its canonical wire JSON and the columns, as stored text."""

    wire: str
    officer: str
    observed_at: str | None
    received_at: str
    seq: int
    review_status: str
    review_grade: str | None
    review_duplicate_of: str | None
    review_note: str | None
    review_by: str | None
    review_at: str | None
    superseded_by: str | None


class StoredChange(NamedTuple):
    """A change as stored: ``data`` its JSON text, ``report`` (kind "report") the report's stored text."""

    seq: int
    kind: str
    data: str | None
    created_at: str
    report: StoredReportText | None


@dataclass(frozen=True, slots=True)
class StoredChangePage:
    """``pull``'s page with the stored texts left as they are (nothing decoded): the feed's fast path.
    ``sync_server.render.change_page_text`` makes the API's JSON of it without re-encoding the reports."""

    changes: list[StoredChange]
    cursor: int
    more: bool


@dataclass(frozen=True, slots=True)
class MediaInfo:
    sha256: str
    size: int
    mime: str
    created_at: datetime


class ScoringRow(NamedTuple):
    """What the alert engine needs of a stored report (its current review included)."""

    id: str
    desa_code: str
    category: str
    threat_stage: str
    observed_epoch: float           # observed_at as POSIX seconds
    officer: str
    source_reliability: str | None
    info_credibility: int | None
    review: str                     # pending | confirmed | rejected | duplicate
    grade: str | None               # a supervisor's regrade, e.g. "B2"
    device_id: str | None = None    # the phone that pushed it (from the device token)
    stage: str | None = None        # the tahapan it belongs to
    superseded_by: str | None = None  # a correction by its author replaces it: it no longer counts


@dataclass(frozen=True, slots=True)
class ScoringDelta:
    """The current state of every report created or reviewed after a change number, up to ``seq``."""

    rows: list[ScoringRow]
    seq: int


@dataclass(frozen=True, slots=True)
class RegionState:
    """A region's last evaluated score and level (the ``previous`` of hysteresis)."""

    code: str
    tier: str
    level: str
    score: float
    report_count: int
    officer_count: int
    top_categories: tuple[tuple[str, float], ...]
    first_report_at: datetime | None
    last_report_at: datetime | None
    evaluated_at: datetime


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    region_code: str
    level: str
    peak_level: str
    score: float
    stage: str | None
    status: str                     # open | acknowledged | in_progress | resolved
    owner: str | None
    deadline_at: datetime | None
    escalations: int
    report_count: int
    officer_count: int
    top_categories: tuple[tuple[str, float], ...]
    first_report_at: datetime | None
    last_report_at: datetime | None
    scored_at: datetime             # when ``score`` was computed
    opened_at: datetime
    updated_at: datetime
    version: int
    assignee: str | None = None
    response: str | None = None
    resolved_at: datetime | None = None
    number: int | None = None       # order of opening (list cursors); set by storage
    response_for_field: bool = False  # the response was marked for the field: officers of the area read it


class AlertNumbers(NamedTuple):
    """What a pass moves on an alert without a history line: its region's numbers, its tahapan, and
    when they were computed (``AlertBatch.save_alert_numbers``)."""

    alert_id: str
    score: float
    stage: str | None
    report_count: int
    officer_count: int
    top_categories: tuple[tuple[str, float], ...]
    first_report_at: datetime | None
    last_report_at: datetime | None
    scored_at: datetime


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One line of an alert's append-only history."""

    alert_id: str
    version: int
    at: datetime
    actor: str                      # a username, or "system" for the engine
    event: str                      # opened | level | escalated | overdue | acknowledge | assign | ...
    level: str | None = None
    previous_level: str | None = None
    score: float | None = None
    status: str | None = None
    owner: str | None = None
    note: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """Filters of an alert list: alerts whose region lies in ``subtrees`` or is one of ``exact``."""

    subtrees: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    level: str | None = None
    status: str | None = None       # a status, or "active" for every unresolved one
    region: str | None = None
    before: int | None = None       # page cursor: alerts opened before this number
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Activity:
    """When each desa was last heard from: its newest report, and the last sync of each officer."""

    desa_observed: dict[str, datetime]
    officer_heard: dict[str, datetime]
