"""Server settings: one frozen dataclass read from the environment, with defaults.

| variable | default |
|---|---|
| ``PETA_DB`` | ``./var/peta_rawan.db``: an SQLite file, or a ``postgresql://user:password@host/db`` URL |
| ``PETA_MEDIA_DIR`` | ``<directory of the db>/media`` |
| ``PETA_MEDIA_STORE`` | ``directory`` on an SQLite file (photos under ``PETA_MEDIA_DIR``, a folder every node may share), ``database`` on a ``postgresql://`` URL (photos and partial uploads in the database) |
| ``PETA_HOST`` / ``PETA_PORT`` | ``127.0.0.1`` / ``8000`` |
| ``PETA_LOGIN_FAILURES_PER_ACCOUNT`` / ``..._PER_ADDRESS`` | ``5`` / ``30``: failed logins per (account, address) / per address before waits begin |
| ``PETA_LOGIN_DELAY_SECONDS`` | ``60``: the first wait after them, doubled after each further failure, at most 15 minutes |
| ``PETA_CLOCK_FILE`` | unset: the real clock; else a file holding "now" as ISO-8601 (tests) |
| ``PETA_REPLAY`` | unset: the real clock; else ``<replayed instant>@<real instant>``: a replay at real speed (demo) |
| ``PETA_EVALUATE_SECONDS`` | ``60``: seconds between background evaluations; ``0`` disables them |
| ``PETA_INTAKE_THREADS`` | ``2``: threads per process validating and storing pushes (one writes while one validates) |
| ``PETA_ALERT_INTERVAL`` | ``0.5``: under sustained pushes, at most one alert pass begins per this many seconds |
| ``PETA_FORWARDED_ALLOW_IPS`` | unset: ``X-Forwarded-For`` ignored; else the proxies (IPs, CIDRs) believed |
| ``PETA_UPLOAD_IDLE_SECONDS`` | ``30``: a photo upload (``PUT …/parts``) that sends nothing for this long is ended, its bytes kept |
| ``PETA_QUOTA_WINDOW_SECONDS`` | ``3600``: the window of the per-account quotas below (counted in the database) |
| ``PETA_QUOTA_REPORTS`` | ``600``: new reports per officer per window (a push over it: 429, nothing stored) |
| ``PETA_QUOTA_PHOTO_MIB`` | ``128``: MiB of photo bytes (whole and partial uploads) per officer per window |
| ``PETA_QUOTA_PARTIALS`` / ``PETA_QUOTA_PARTIAL_MIB`` | ``20`` / ``64``: unfinished uploads an officer may hold at once, and their MiB |
| ``PETA_MEDIA_GRACE_HOURS`` | ``168``: an uncited photo or an untouched partial upload older than this is deleted |
| ``PETA_SWEEP_SECONDS`` | ``300``: seconds between background sweeps of stale partials and uncited photos; ``0`` none |
| ``PETA_HEADER_SECONDS`` | ``10``: a connection must send a request's headers within this long, else it is closed |
| ``PETA_BODY_SECONDS`` | ``120``: a request body must arrive whole within this long (a photo part keeps what came) |
| ``PETA_SMS_*`` | the SMS gateway, its inbound secret and the notification bounds: ``sync_server/sms/config.py`` |
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from kerawanan.errors import InvalidInput
from kerawanan.replay import Replay, parse_replay
from sync_server.clock import clock_for
from sync_server.sms.config import SmsSettings, sms_settings
from sync_server.storage.postgres import is_postgres_url, redacted

DEFAULT_DB = Path("var") / "peta_rawan.db"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    push_bytes: int = 2 * MiB          # decoded body of POST /sync/push
    push_reports: int = 500            # reports per push
    json_bytes: int = 64 * 1024        # decoded body of every other JSON route
    media_bytes: int = 8 * MiB         # one photo
    json_depth: int = 16               # nesting of arrays/objects in any JSON body
    page_default: int = 100
    page_max: int = 1000


@dataclass(frozen=True)
class Quotas:
    """Per-account limits, counted in the database so they hold for every worker process."""

    window_seconds: float = 3600.0     # reports and photo bytes are counted per window
    reports: int = 600                 # new reports per officer per window
    photo_bytes: int = 128 * MiB       # photo bytes received per officer per window
    partials: int = 20                 # unfinished uploads held at once
    partial_bytes: int = 64 * MiB      # their bytes


@dataclass(frozen=True)
class Settings:
    db_path: Path | str = DEFAULT_DB   # an SQLite file, or a postgresql:// URL (text: see ``database``)
    media_dir: Path | None = None
    media_store: str | None = None     # "directory" | "database"; None: by backend (sync_server.photos)
    host: str = "127.0.0.1"
    port: int = 8000
    limits: Limits = field(default_factory=Limits)
    login_token_hours: float = 12.0
    enrollment_code_hours: float = 72.0
    failures_per_account: int = 5
    failures_per_address: int = 30
    failure_window_seconds: float = 15 * 60
    login_delay_seconds: float = 60.0   # first wait after the free failures (doubles, capped by the window)
    clock_file: Path | None = None     # "now" read from this file (ISO-8601) instead of the real clock
    replay: Replay | None = None       # an election replayed at real speed (the demo of `make run`)
    evaluate_seconds: float = 60.0     # background aggregation/escalation pass; 0 = none
    forwarded_allow_ips: str | None = None   # proxies whose X-Forwarded-For is believed; None = no one
    intake_threads: int = 2            # push validation + storage threads per process
    alert_interval: float = 0.5        # seconds between the starts of alert passes under sustained pushes
    upload_idle_seconds: float = 30.0  # PUT /media/{sha256}/parts: longest wait for the next body bytes
    quotas: Quotas = field(default_factory=Quotas)
    media_grace_seconds: float = 7 * 24 * 3600.0   # uncited photos and untouched partials live this long
    sweep_seconds: float = 300.0       # background media sweep interval; 0 = none
    header_seconds: float = 10.0       # longest wait for a request's headers
    body_seconds: float = 120.0        # longest wait for a whole request body
    sms: SmsSettings = field(default_factory=SmsSettings)   # gateway, secret, bounds (PETA_SMS_*)

    def clock(self) -> Callable[[], datetime]:
        """The clock of this server: the clock file when set, else the replay when set, else real UTC time."""
        return clock_for(self.clock_file, self.replay)

    @property
    def on_postgres(self) -> bool:
        return is_postgres_url(self.db_path)

    @property
    def db_label(self) -> str:
        """The database as messages and logs name it: the file, or the URL without its password."""
        return redacted(self.db_path) if self.on_postgres else str(self.db_path)

    @property
    def media_path(self) -> Path:
        if self.media_dir is not None:
            return self.media_dir
        if self.on_postgres:
            raise InvalidInput("PETA_MEDIA_DIR wajib diisi untuk menyimpan foto di folder bila basis data memakai PostgreSQL.",
                               code="settings.media_dir",
                               message_en="PETA_MEDIA_DIR is required for photos in a directory with a "
                                          "PostgreSQL database.")
        return Path(self.db_path).parent / "media"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from ``env`` (default ``os.environ``); keyword ``overrides`` win (CLI flags)."""
        env = os.environ if env is None else env
        media = env.get("PETA_MEDIA_DIR")
        clock_file = env.get("PETA_CLOCK_FILE")
        settings = cls(
            db_path=database(env.get("PETA_DB") or DEFAULT_DB),
            media_dir=Path(media) if media else None,
            media_store=(env.get("PETA_MEDIA_STORE") or "").strip().lower() or None,
            host=env.get("PETA_HOST") or "127.0.0.1",
            port=int(env.get("PETA_PORT") or 8000),
            failures_per_account=int(env.get("PETA_LOGIN_FAILURES_PER_ACCOUNT") or 5),
            failures_per_address=int(env.get("PETA_LOGIN_FAILURES_PER_ADDRESS") or 30),
            login_delay_seconds=max(0.001, float(env.get("PETA_LOGIN_DELAY_SECONDS") or 60)),
            clock_file=Path(clock_file) if clock_file else None,
            replay=parse_replay(env["PETA_REPLAY"]) if env.get("PETA_REPLAY") else None,
            evaluate_seconds=float(env.get("PETA_EVALUATE_SECONDS") or 60),
            forwarded_allow_ips=env.get("PETA_FORWARDED_ALLOW_IPS") or None,
            intake_threads=max(1, int(env.get("PETA_INTAKE_THREADS") or 2)),
            alert_interval=max(0.0, float(env.get("PETA_ALERT_INTERVAL") or 0.5)),
            upload_idle_seconds=max(0.1, float(env.get("PETA_UPLOAD_IDLE_SECONDS") or 30)),
            quotas=_quotas(env),
            media_grace_seconds=3600 * max(0.0, float(env.get("PETA_MEDIA_GRACE_HOURS") or 168)),
            sweep_seconds=max(0.0, float(env.get("PETA_SWEEP_SECONDS") or 300)),
            header_seconds=max(0.1, float(env.get("PETA_HEADER_SECONDS") or 10)),
            body_seconds=max(0.1, float(env.get("PETA_BODY_SECONDS") or 120)),
            sms=sms_settings(env),
        )
        overrides = {key: value for key, value in overrides.items() if value is not None}
        if "db_path" in overrides:
            overrides["db_path"] = database(overrides["db_path"])
        return replace(settings, **overrides)


def database(where: Path | str) -> Path | str:
    """``--db`` / ``PETA_DB``: a ``postgresql://`` URL stays text (a ``Path`` would fold its ``//``),
    anything else is an SQLite file path."""
    return str(where) if is_postgres_url(str(where)) else Path(where)


def _quotas(env: Mapping[str, str]) -> Quotas:
    return Quotas(window_seconds=max(1.0, float(env.get("PETA_QUOTA_WINDOW_SECONDS") or 3600)),
                  reports=max(1, int(env.get("PETA_QUOTA_REPORTS") or 600)),
                  photo_bytes=max(1, int(float(env.get("PETA_QUOTA_PHOTO_MIB") or 128) * MiB)),
                  partials=max(1, int(env.get("PETA_QUOTA_PARTIALS") or 20)),
                  partial_bytes=max(1, int(float(env.get("PETA_QUOTA_PARTIAL_MIB") or 64) * MiB)))
