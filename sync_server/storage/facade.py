"""``SqlStorage``: the storage ports over one SQL database, for both backends.

The storage modules (``accounts``, ``reports``, ``changes``, ``media``, ``alerts``, ...) write portable
SQL against ``db.writing()`` / ``db.reading()``; a backend is a ``Database`` (``storage.connection``
for SQLite, ``storage.pg.connection`` for PostgreSQL) plus its lifecycle (open, migrate, back up).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sync_server.storage import (
    accounts,
    alerts,
    bulk_review,
    changes,
    limits,
    media,
    quotas,
    reports,
)
from sync_server.storage.base import (
    AccountEvent,
    Activity,
    Alert,
    AlertEvent,
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
from sync_server.storage.ports import AlertBatch

if TYPE_CHECKING:
    from sync_server.plans.store import PlanStore
    from sync_server.sms.store import SmsStore


class SqlStorage:
    """Every port method, delegated to the storage module of its concern with this backend's ``db``."""

    db: Any

    # ---- accounts
    def create_user(self, user: User, password_hash: str | None, at: datetime, *,
                    actor: str | None = None) -> User:
        return accounts.create_user(self.db, user, password_hash, at, actor=actor)

    def get_user(self, username: str) -> User | None:
        return accounts.get_user(self.db, username)

    def password_hash(self, username: str) -> str | None:
        return accounts.password_hash(self.db, username)

    def add_token(self, token_hash: str, username: str, kind: str, *, created_at: datetime,
                  expires_at: datetime | None = None, device_id: str | None = None) -> int:
        return accounts.add_token(self.db, token_hash, username, kind, created_at=created_at,
                                  expires_at=expires_at, device_id=device_id)

    def find_token(self, token_hash: str, at: datetime) -> TokenGrant | None:
        return accounts.find_token(self.db, token_hash, at)

    def revoke_token(self, token_id: int, at: datetime) -> None:
        accounts.revoke_token(self.db, token_id, at)

    def add_enrollment_code(self, username: str, code_hash: str, *, created_by: str,
                            created_at: datetime, expires_at: datetime) -> None:
        accounts.add_enrollment_code(self.db, username, code_hash, created_by=created_by,
                                     created_at=created_at, expires_at=expires_at)

    def enrollment_codes(self, username: str, at: datetime) -> list[EnrollmentCode]:
        return accounts.enrollment_codes(self.db, username, at)

    def enroll_device(self, code_id: int, device: Device, token_hash: str, at: datetime) -> bool:
        return accounts.enroll_device(self.db, code_id, device, token_hash, at)

    def get_device(self, device_id: str) -> Device | None:
        return accounts.get_device(self.db, device_id)

    def devices_of(self, username: str) -> list[Device]:
        return accounts.devices_of(self.db, username)

    def revoke_device(self, device_id: str, at: datetime, *, actor: str | None = None) -> bool:
        return accounts.revoke_device(self.db, device_id, at, actor=actor)

    # ---- credential lifecycle and login limits
    def login_record(self, username: str) -> LoginRecord | None:
        return accounts.login_record(self.db, username)

    def set_password(self, username: str, password_hash: str, at: datetime, *, actor: str, action: str,
                     temporary_until: datetime | None = None, keep_token: int | None = None) -> bool:
        return accounts.set_password(self.db, username, password_hash, at, actor=actor, action=action,
                                     temporary_until=temporary_until, keep_token=keep_token)

    def set_disabled(self, username: str, disabled: bool, at: datetime, *, actor: str) -> bool:
        return accounts.set_disabled(self.db, username, disabled, at, actor=actor)

    def revoke_sessions(self, username: str, at: datetime, *, actor: str) -> int:
        return accounts.revoke_sessions(self.db, username, at, actor=actor)

    def account_events(self, before: int | None = None, limit: int = 100) -> list[AccountEvent]:
        return accounts.account_events(self.db, before, limit)

    def purge_tokens(self, at: datetime) -> int:
        return accounts.purge_tokens(self.db, at)

    def update_login_limits(self, keys: Sequence[LimitKey], decide: Callable[..., Any]) -> Any:
        return limits.update_login_limits(self.db, keys, decide)

    def login_limits(self, since: datetime) -> list[tuple[LimitKey, LimitState]]:
        return limits.login_limits(self.db, since)

    def forget_login_limits(self, before: datetime) -> int:
        return limits.forget_login_limits(self.db, before)

    # ---- reports
    def store_reports(self, officer: str, device_id: str | None, reports_: Sequence[Any],
                      received_at: datetime) -> StoreResult:
        return self.push_queue.store(self.db, reports.Push(officer, device_id, reports_, received_at))

    @cached_property
    def push_queue(self) -> reports.PushQueue:
        """Pushes of this process's threads that arrive together share a transaction (group commit)."""
        return reports.PushQueue()

    def record_sync(self, officer: str, device_id: str | None, at: datetime) -> None:
        reports.record_sync(self.db, officer, device_id, at)

    def complete_short_version(self, officer: str, report: Any, short_mark: str, received_at: datetime) -> bool:
        return reports.complete_short_version(self.db, officer, report, short_mark, received_at)

    def sms_short_versions(self, ids: Sequence[str], officer: str, at: datetime) -> set[str]:
        return self.sms.short_versions(ids, officer, at)

    # ---- the plans' and the SMS gateway's stores, over the same database (portable SQL too)
    @cached_property
    def plans(self) -> PlanStore:
        from sync_server.plans.store import PlanStore

        return PlanStore(self.db)

    @cached_property
    def sms(self) -> SmsStore:
        from sync_server.sms.store import SmsStore

        return SmsStore(self.db)

    def get_report(self, report_id: str) -> StoredReport | None:
        return reports.get_report(self.db, report_id)

    def list_reports(self, query: ReportQuery) -> tuple[list[StoredReport], int | None]:
        return reports.list_reports(self.db, query)

    def review_report(self, report_id: str, review: Review, change: NewChange) -> StoredReport:
        return reports.review_report(self.db, report_id, review, change)

    def review_since(self, *, officer: str | None, device_id: str | None, since: datetime,
                     scopes: tuple[str, ...], review: Review, review_data: dict[str, Any]) -> list[str]:
        return bulk_review.review_since(self.db, officer=officer, device_id=device_id, since=since, scopes=scopes,
                                        review=review, review_data=review_data)

    def reports_citing_media(self, sha256: str) -> list[StoredReport]:
        return reports.reports_citing_media(self.db, sha256)

    # ---- the change feed
    def add_changes(self, changes_: Sequence[NewChange], at: datetime) -> int:
        return changes.add_changes(self.db, changes_, at)

    def pull(self, username: str, area: Area, after: int, limit: int) -> ChangePage:
        return changes.pull(self.db, username, area, after, limit)

    def pull_stored(self, username: str, area: Area, after: int, limit: int) -> StoredChangePage:
        return changes.pull_stored(self.db, username, area, after, limit)

    def current_seq(self) -> int:
        return changes.current_seq(self.db)

    # ---- media metadata
    def add_media(self, sha256: str, size: int, mime: str, uploader: str, at: datetime) -> bool:
        return media.add_media(self.db, sha256, size, mime, uploader, at)

    def get_media(self, sha256: str) -> MediaInfo | None:
        return media.get_media(self.db, sha256)

    def media_uploaded_by(self, sha256: str, username: str) -> bool:
        return media.media_uploaded_by(self.db, sha256, username)

    def media_uploaders(self, sha256: str) -> set[str]:
        return media.media_uploaders(self.db, sha256)

    def forget_uncited_media(self, before: datetime) -> list[str]:
        return media.forget_uncited_media(self.db, before)

    # ---- quotas
    def photo_bytes_since(self, username: str, since: datetime) -> tuple[int, datetime | None]:
        return quotas.photo_bytes_since(self.db, username, since)

    def stored_report_ids(self, ids: Sequence[str]) -> set[str]:
        return quotas.stored_report_ids(self.db, ids)

    def count_reports_since(self, officer: str, since: datetime, cap: int) -> int:
        return quotas.count_reports_since(self.db, officer, since, cap)

    def nth_report_time_since(self, officer: str, since: datetime, nth: int) -> datetime | None:
        return quotas.nth_report_time_since(self.db, officer, since, nth)

    # ---- alerts
    def scoring_delta(self, after: int, *, just_written: bool = False) -> ScoringDelta:
        return alerts.read_scoring_delta(self.db, after, warm=just_written)

    def scoring_rows(self) -> AbstractContextManager[tuple[Iterator[tuple], int]]:
        return alerts.scoring_rows(self.db)

    def alert_batch(self) -> AbstractContextManager[AlertBatch]:
        return alerts.alert_batch(self.db)

    def get_alert(self, alert_id: str) -> Alert | None:
        return alerts.get_alert(self.db, alert_id)

    def list_alerts(self, query: AlertQuery) -> tuple[list[Alert], int | None]:
        return alerts.list_alerts(self.db, query)

    def alert_history(self, alert_id: str) -> list[AlertEvent]:
        return alerts.alert_history(self.db, alert_id)

    def update_alert(self, alert: Alert, expected_version: int, event: AlertEvent,
                     changes_: Sequence[NewChange]) -> bool:
        return alerts.update_alert(self.db, alert, expected_version, event, changes_)

    def region_states(self, codes: Iterable[str]) -> dict[str, RegionState]:
        return alerts.region_states(self.db, codes)

    def region_states_under(self, scopes: Sequence[str]) -> list[RegionState]:
        return alerts.region_states_under(self.db, scopes)

    def unresolved_alerts_under(self, scopes: Sequence[str]) -> list[Alert]:
        return alerts.unresolved_alerts_under(self.db, scopes)

    def users_with_role(self, role: str) -> list[User]:
        return alerts.users_with_role(self.db, role)

    def activity(self) -> Activity:
        return alerts.activity(self.db)

    def reports_in_desa(self, desa_codes: Iterable[str]) -> list[StoredReport]:
        return alerts.reports_in_desa(self.db, desa_codes)

    def audit_trail(self, since: datetime | None = None) -> list[AlertEvent]:
        return alerts.audit_trail(self.db, since)

    def report_counts(self, scopes: Sequence[str], start: datetime, end: datetime
                      ) -> tuple[dict[str, int], dict[str, int]]:
        return alerts.report_counts(self.db, scopes, start, end)
