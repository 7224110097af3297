"""The storage interface: a handful of methods that take and return core objects and small
dataclasses, never rows. SQLite (``storage.sqlite``) is the default backend; any other backend
must pass the same contract tests (``tests/server/test_storage_contract.py``).

Every write is one transaction. Every change a client may pull gets a number from one
monotonically increasing sequence: a report's ``seq`` and the pull cursors come from it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

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


@dataclass(frozen=True, slots=True)
class RawChangePage:
    """A pull page already serialised: ``changes`` is the JSON array text of ``render.change_json``
    of each change (what ``pull`` would give, without decoding and re-encoding the stored reports)."""

    changes: str
    count: int
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
    seq: int = 0                    # the report's own change number (when it was stored)
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


class AlertBatch(Protocol):
    """One write transaction of the alert engine (``Storage.alert_batch()``)."""

    def scoring_delta(self, after: int) -> ScoringDelta: ...
    def region_states(self, codes: Iterable[str] | None = None) -> dict[str, RegionState]: ...
    def hot_levels(self) -> dict[str, str]: ...   # code -> level of every region at rawan or above
    def unresolved_alerts(self, regions: Iterable[str] | None = None,
                          due_by: datetime | None = None) -> dict[str, Alert]: ...   # by region code
    def save_region_states(self, states: Sequence[RegionState]) -> None: ...
    def save_alert(self, alert: Alert, events: Sequence[AlertEvent]) -> None: ...   # insert or replace
    def save_alert_numbers(self, alerts: Sequence[Alert]) -> None: ...   # score, counts, stage only
    def add_changes(self, changes: Sequence[NewChange], at: datetime) -> int: ...


class Storage(Protocol):
    # ---- lifecycle
    def close(self) -> None: ...
    def ping(self) -> None: ...                                   # raises Unavailable
    def schema_version(self) -> int: ...

    # ---- accounts
    def create_user(self, user: User, password_hash: str | None, at: datetime, *,
                    actor: str | None = None) -> User: ...       # 409 user.exists / user.lookalike
    def get_user(self, username: str) -> User | None: ...
    def password_hash(self, username: str) -> str | None: ...
    def add_token(self, token_hash: str, username: str, kind: str, *, created_at: datetime,
                  expires_at: datetime | None = None, device_id: str | None = None) -> int: ...
    def find_token(self, token_hash: str, at: datetime) -> TokenGrant | None: ...
    def revoke_token(self, token_id: int, at: datetime) -> None: ...
    def add_enrollment_code(self, username: str, code_hash: str, *, created_by: str,
                            created_at: datetime, expires_at: datetime) -> None: ...
    def enrollment_codes(self, username: str, at: datetime) -> list[EnrollmentCode]: ...
    def enroll_device(self, code_id: int, device: Device, token_hash: str, at: datetime) -> bool: ...
    def get_device(self, device_id: str) -> Device | None: ...
    def devices_of(self, username: str) -> list[Device]: ...
    def revoke_device(self, device_id: str, at: datetime, *, actor: str | None = None) -> bool: ...
    # ---- credential lifecycle (storage.accounts); each write also appends an AccountEvent
    def login_record(self, username: str) -> LoginRecord | None: ...
    def set_password(self, username: str, password_hash: str, at: datetime, *, actor: str, action: str,
                     temporary_until: datetime | None = None, keep_token: int | None = None) -> bool: ...
    def set_disabled(self, username: str, disabled: bool, at: datetime, *, actor: str) -> bool: ...
    def revoke_sessions(self, username: str, at: datetime, *, actor: str) -> int: ...   # login tokens
    def account_events(self, before: int | None = None, limit: int = 100) -> list[AccountEvent]: ...
    def purge_tokens(self, at: datetime) -> int: ...              # expired or revoked login tokens
    # ---- login limits shared by every process (storage.limits)
    def update_login_limits(self, keys: Sequence[LimitKey],
                            decide: Callable[[dict[LimitKey, LimitState]], tuple[dict[LimitKey, LimitState | None], Any]]
                            ) -> Any: ...
    def login_limits(self, since: datetime) -> list[tuple[LimitKey, LimitState]]: ...
    def forget_login_limits(self, before: datetime) -> int: ...   # quiet, ended states

    # ---- reports
    def store_reports(self, officer: str, device_id: str | None, reports: Sequence[Any],
                      received_at: datetime) -> StoreResult: ...
    def record_sync(self, officer: str, device_id: str | None, at: datetime) -> None: ...
    def complete_short_version(self, officer: str, report: Any, short_mark: str,
                               received_at: datetime) -> bool: ...   # an SMS short version gets its full text
    def sms_short_versions(self, ids: Sequence[str], officer: str,
                           at: datetime) -> set[str]: ...   # which ids came first as SMS short versions
    def get_report(self, report_id: str) -> StoredReport | None: ...
    def list_reports(self, query: ReportQuery) -> tuple[list[StoredReport], int | None]: ...
    def review_report(self, report_id: str, review: Review, change: NewChange) -> StoredReport: ...
    def review_since(self, *, officer: str | None, device_id: str | None, since: datetime,
                     scopes: tuple[str, ...], review: Review,
                     review_data: dict[str, Any]) -> list[str]: ...   # bulk verdict, one transaction
    def reports_citing_media(self, sha256: str) -> list[StoredReport]: ...

    # ---- the change feed
    def add_changes(self, changes: Sequence[NewChange], at: datetime) -> int: ...
    def pull(self, username: str, area: Area, after: int, limit: int) -> ChangePage: ...
    def pull_json(self, username: str, area: Area, after: int, limit: int) -> RawChangePage: ...  # same page
    def current_seq(self) -> int: ...

    # ---- media metadata (the bytes live in ``storage.files``)
    def add_media(self, sha256: str, size: int, mime: str, uploader: str, at: datetime) -> bool: ...
    def get_media(self, sha256: str) -> MediaInfo | None: ...
    def media_uploaded_by(self, sha256: str, username: str) -> bool: ...
    def media_uploaders(self, sha256: str) -> set[str]: ...
    def forget_uncited_media(self, before: datetime) -> list[str]: ...   # uncited, older: hashes forgotten

    # quotas (per account, counted from what is stored: shared by every worker process)
    def photo_bytes_since(self, username: str, since: datetime) -> tuple[int, datetime | None]: ...  # sum, oldest
    def stored_report_ids(self, ids: Sequence[str]) -> set[str]: ...
    def report_times_since(self, officer: str, since: datetime, limit: int) -> list[datetime]: ...

    # ---- alerts (storage.alerts)
    def scoring_delta(self, after: int) -> ScoringDelta: ...     # reports stored or reviewed since
    def alert_batch(self) -> AbstractContextManager[AlertBatch]: ...
    def get_alert(self, alert_id: str) -> Alert | None: ...
    def list_alerts(self, query: AlertQuery) -> tuple[list[Alert], int | None]: ...
    def alert_history(self, alert_id: str) -> list[AlertEvent]: ...
    def update_alert(self, alert: Alert, expected_version: int, event: AlertEvent,
                     changes: Sequence[NewChange]) -> bool: ...    # False: the version moved on
    def region_states(self, codes: Iterable[str]) -> dict[str, RegionState]: ...
    def region_states_under(self, scopes: Sequence[str]) -> list[RegionState]: ...
    def unresolved_alerts_under(self, scopes: Sequence[str]) -> list[Alert]: ...
    def users_with_role(self, role: str) -> list[User]: ...
    def activity(self) -> Activity: ...
    def reports_in_desa(self, desa_codes: Iterable[str]) -> list[StoredReport]: ...
    def audit_trail(self, since: datetime | None = None) -> list[AlertEvent]: ...
    def report_counts(self, scopes: Sequence[str], start: datetime, end: datetime
                      ) -> tuple[dict[str, int], dict[str, int]]: ...
