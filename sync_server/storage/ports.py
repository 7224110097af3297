"""The storage ports: a few narrow interfaces by concern, each with one contract suite that every
backend passes (``tests/server/contract/``: one file per port, run against
SQLite and PostgreSQL). They take and return the objects of ``storage.base``, never rows; driver
errors never cross them (a lost database is ``Unavailable``, a taken name ``Conflict``).

``Storage`` is what the server holds: every port, over one database. Both backends implement it with
``storage.facade.SqlStorage`` over their own ``Database``.

Every write is one transaction. Every change a client may pull gets a number from one
monotonically increasing sequence: a report's ``seq`` and the pull cursors come from it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sync_server.storage.base import (
    AccountEvent,
    Activity,
    Alert,
    AlertEvent,
    AlertNumbers,
    AlertQuery,
    Area,
    ChangePage,
    Device,
    EnrollmentCode,
    LimitKey,
    LimitState,
    LoginRecord,
    MediaInfo,
    NewChange,
    RegionState,
    ReportQuery,
    Review,
    ScoringDelta,
    StoredChangePage,
    StoredReport,
    StoreResult,
    TokenGrant,
    User,
)

if TYPE_CHECKING:
    from sync_server.plans.store import PlanStore
    from sync_server.sms.store import SmsStore


class AlertBatch(Protocol):
    """One write transaction of the alert engine (``Storage.alert_batch()``)."""

    def scoring_delta(self, after: int) -> ScoringDelta: ...
    def region_states(self, codes: Iterable[str] | None = None) -> dict[str, RegionState]: ...
    def hot_levels(self, under: Iterable[str] | None = None) -> dict[str, str]: ...   # code -> level at rawan or
    #   above, of every region or of those among ``under`` and below them
    def region_levels(self, codes: Iterable[str]) -> dict[str, str]: ...   # code -> level, of those with a state
    def alert_changed_after(self, seq: int) -> bool: ...   # an ``alert`` change stored after change ``seq``
    def states_stamp(self) -> tuple[str, int] | None: ...   # (writer, seq) of the pass that last wrote states
    def users_with_role(self, role: str) -> list[User]: ...   # the chain of command, read in this transaction
    def stamp_states(self, writer: str, seq: int) -> None: ...   # this pass (of engine ``writer``) wrote them
    def unresolved_alerts(self, regions: Iterable[str] | None = None,
                          due_by: datetime | None = None) -> dict[str, Alert]: ...   # by region code
    def save_region_states(self, states: Sequence[RegionState]) -> None: ...
    def save_alert(self, alert: Alert, events: Sequence[AlertEvent]) -> None: ...   # insert or replace
    def save_alert_numbers(self, numbers: Sequence[AlertNumbers]) -> None: ...   # score, counts, stage only
    def add_changes(self, changes: Sequence[NewChange], at: datetime) -> int: ...


class AccountsPort(Protocol):
    """Users, passwords, tokens, devices and enrolment; the account audit; login limits."""

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
    def login_record(self, username: str) -> LoginRecord | None: ...
    def set_password(self, username: str, password_hash: str, at: datetime, *, actor: str, action: str,
                     temporary_until: datetime | None = None, keep_token: int | None = None) -> bool: ...
    def set_disabled(self, username: str, disabled: bool, at: datetime, *, actor: str) -> bool: ...
    def revoke_sessions(self, username: str, at: datetime, *, actor: str) -> int: ...   # login tokens
    def account_events(self, before: int | None = None, limit: int = 100) -> list[AccountEvent]: ...
    def purge_tokens(self, at: datetime) -> int: ...              # expired or revoked login tokens
    def update_login_limits(self, keys: Sequence[LimitKey],
                            decide: Callable[[dict[LimitKey, LimitState]], tuple[dict[LimitKey, LimitState | None], Any]]
                            ) -> Any: ...
    def login_limits(self, since: datetime) -> list[tuple[LimitKey, LimitState]]: ...
    def forget_login_limits(self, before: datetime) -> int: ...   # quiet, ended states


class ReportsPort(Protocol):
    """Reports, their reviews and the change feed every client pulls; quota counts."""

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
    def add_changes(self, changes: Sequence[NewChange], at: datetime) -> int: ...
    def pull(self, username: str, area: Area, after: int, limit: int) -> ChangePage: ...
    def pull_stored(self, username: str, area: Area, after: int, limit: int
                    ) -> StoredChangePage: ...   # pull's page as stored text: the route's fast path
    def current_seq(self) -> int: ...

    # ---- quotas (per account, counted from what is stored: shared by every server process)
    def photo_bytes_since(self, username: str, since: datetime) -> tuple[int, datetime | None]: ...  # sum, oldest
    def stored_report_ids(self, ids: Sequence[str]) -> set[str]: ...
    def count_reports_since(self, officer: str, since: datetime, cap: int) -> int: ...   # at most cap
    def nth_report_time_since(self, officer: str, since: datetime, nth: int) -> datetime | None: ...  # 1: oldest


class MediaPort(Protocol):
    """Photo metadata and who uploaded what (the bytes live in a photo store: ``sync_server.photos``)."""

    def add_media(self, sha256: str, size: int, mime: str, uploader: str, at: datetime) -> bool: ...
    def get_media(self, sha256: str) -> MediaInfo | None: ...
    def media_uploaded_by(self, sha256: str, username: str) -> bool: ...
    def media_uploaders(self, sha256: str) -> set[str]: ...
    def forget_uncited_media(self, before: datetime) -> list[str]: ...   # uncited, older: hashes forgotten


class AlertsPort(Protocol):
    """The alert engine's state and the alerts commanders read and act on."""

    def scoring_delta(self, after: int, *, just_written: bool = False) -> ScoringDelta: ...   # reports stored
    #   or reviewed since; ``just_written``: mostly what this process just stored (the alert engine's delta
    #   after a push), read where those pages still are (on SQLite, the writer: never inside a write here)
    def scoring_rows(self) -> AbstractContextManager[tuple[Iterator[tuple], int]]: ...  # all, as read
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


class Storage(AccountsPort, ReportsPort, MediaPort, AlertsPort, Protocol):
    """Every port over one database, and its lifecycle. ``plans`` and ``sms`` are the stores of the
    penebalan plans and the SMS gateway (``plans.store.PlanStore``, ``sms.store.SmsStore``) over the
    same database, pinned by ``tests/server/contract/test_stores.py`` on both backends."""

    plans: PlanStore
    sms: SmsStore

    def close(self) -> None: ...
    def ping(self) -> None: ...                                   # raises Unavailable
    def schema_version(self) -> int: ...
