"""What belongs to the phone rather than to one screen: the outbox, the tokens, the sync hubs.

On a phone there is one app session per process; in web mode every browser that opens the app is a
session of the same process, and "the device" is the serving host. Either way the outbox (one
SQLite file per process), the device settings and each officer's background sync live here, once.

Settings (language, default server address, how long sent reports keep their text, "kirim foto
nanti (Wi-Fi)") are device-wide values in the outbox meta (officer ``""``); so is the link the phone
reports (Wi-Fi, mobile data…), which every officer's sync engine is told.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from field_app import platform
from field_app.outbox import Outbox
from field_app.pin import ITERATIONS, FileTokenStore, PinLock, TokenStore
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncPolicy
from field_app.sync_hub import SyncHub
from field_app.token_storage import TOKEN_FILE
from field_app.viewmodels.base import Clock, utc_now
from field_app.viewmodels.enrollment import OfficerSession
from kerawanan import assets
from kerawanan.replay import Replay, parse_replay

DEVICE = ""                      # the meta "officer" that holds device-wide values
LANGUAGE_KEY = "language"
SERVER_URL_KEY = "server_url"
PURGE_KEY = "purge_after_days"
PHOTOS_WIFI_KEY = "photos_wifi_only"


@dataclass(frozen=True, slots=True)
class AppConfig:
    data_dir: Path
    server_url: str = ""
    pin_iterations: int = ITERATIONS
    policy: SyncPolicy = field(default_factory=SyncPolicy)
    client_options: dict = field(default_factory=dict)     # SyncClient timeouts
    replay: Replay | None = None      # the demo's replayed election (web mode beside a replaying server)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> AppConfig:
        """``FLET_APP_STORAGE_DATA`` (set by ``flet build``/``flet run``) else ``./var/app``;
        ``PETA_REPLAY`` as the server reads it (``make run`` gives both the same)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("FLET_APP_STORAGE_DATA") or Path("var") / "app")
        replay = parse_replay(env["PETA_REPLAY"]) if env.get("PETA_REPLAY") else None
        return cls(data_dir=data_dir.resolve(), server_url=env.get("PETA_SERVER_URL", "").strip(),
                   replay=replay)

    def clock(self) -> Clock:
        """The device's clock: the replay's when there is one, else real UTC time."""
        replay = self.replay
        return utc_now if replay is None else (lambda: replay.now(utc_now()))


class Device:
    def __init__(self, config: AppConfig, *, clock: Clock = utc_now, tokens: TokenStore | None = None,
                 client_factory=SyncClient):
        self.config = config
        self.clock = clock
        self.client_factory = client_factory
        platform.current().open_storage(config.data_dir)
        self.outbox = Outbox(config.data_dir)
        self.file_tokens: TokenStore = tokens or FileTokenStore(config.data_dir / TOKEN_FILE)
        self.hubs: dict[str, SyncHub] = {}
        self.link: tuple[str, ...] = ()
        self._lock = threading.Lock()
        platform.current().start_background(assets.gazetteer, "load-gazetteer")

    # ------------------------------------------------------------ settings

    @property
    def language(self) -> str:
        return self.outbox.meta.get(DEVICE, LANGUAGE_KEY, "id")

    def set_language(self, lang: str) -> None:
        self.outbox.meta.set(DEVICE, LANGUAGE_KEY, lang)

    @property
    def default_server_url(self) -> str:
        return self.outbox.meta.get(DEVICE, SERVER_URL_KEY) or self.config.server_url

    def remember_server_url(self, url: str) -> None:
        self.outbox.meta.set(DEVICE, SERVER_URL_KEY, url)

    @property
    def purge_after_days(self) -> int | None:
        return self.outbox.meta.get(DEVICE, PURGE_KEY, self.config.policy.purge_after_days)

    def set_purge_after_days(self, days: int | None) -> None:
        self.outbox.meta.set(DEVICE, PURGE_KEY, days)
        for hub in self.hubs.values():
            hub.set_policy(self.policy)

    @property
    def photos_wifi_only(self) -> bool:
        return bool(self.outbox.meta.get(DEVICE, PHOTOS_WIFI_KEY, self.config.policy.photos_wifi_only))

    def set_photos_wifi_only(self, on: bool) -> None:
        self.outbox.meta.set(DEVICE, PHOTOS_WIFI_KEY, bool(on))
        for hub in self.hubs.values():
            hub.set_policy(self.policy)

    def set_link(self, types) -> None:
        """The connection types the phone reports now (``flet.Connectivity``), for every officer's sync."""
        self.link = tuple(str(getattr(kind, "value", kind)) for kind in types)
        for hub in self.hubs.values():
            hub.engine.set_link(self.link)

    def send_photos_now(self, officer: str) -> bool:
        """"Kirim foto sekarang": the officer's held photos go now, on whatever link; False without a hub."""
        hub = self.hubs.get(officer)
        if hub is None:
            return False
        hub.engine.release_photos()
        hub.wake()
        return True

    @property
    def policy(self) -> SyncPolicy:
        return replace(self.config.policy, purge_after_days=self.purge_after_days,
                       photos_wifi_only=self.photos_wifi_only)

    def pins(self) -> PinLock:
        return PinLock(self.outbox.meta, iterations=self.config.pin_iterations)

    def new_client(self) -> SyncClient:
        return self.client_factory(**self.config.client_options)

    # ------------------------------------------------------------ sync

    def hub_for(self, session: OfficerSession) -> SyncHub:
        """The officer's one sync hub in this process (created on first unlock, token refreshed after)."""
        with self._lock:
            hub = self.hubs.get(session.officer)
            if hub is None:
                hub = SyncHub(self.outbox, session, policy=self.policy, clock=self.clock,
                              client_options=self.config.client_options)
                hub.engine.set_link(self.link)
                self.hubs[session.officer] = hub
            else:
                hub.use_session(session)       # the token or server address may have changed
            return hub

    def close(self) -> None:
        for hub in self.hubs.values():
            hub.stop()
        self.outbox.close()


_shared: Device | None = None
_shared_lock = threading.Lock()


def shared_device(config: AppConfig | None = None) -> Device:
    """The process's one Device, made on first use from ``config`` (or the environment)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            config = config or AppConfig.from_env()
            _shared = Device(config, clock=config.clock())
        return _shared
