"""The settings screen: language, the officer's server address, sync timing, how long text stays,
"kirim foto nanti (Wi-Fi)".

Language, the purge delay and the photo setting are device-wide (kept by the ``Device``); the server address belongs
to the officer's enrollment. Locking and signing out are the router's business, not this model's.
"""
from __future__ import annotations

from typing import Any

from field_app.i18n import LANGUAGES, Translator
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from field_app.viewmodels.enrollment import ENROLLMENT_KEY

PURGE_CHOICES = (7, 14, 30, 60, 90)


class Settings(ViewModel):
    def __init__(self, device: Any, officer: str, *, clock: Clock = utc_now, translator: Translator | None = None):
        super().__init__(clock=clock, translator=translator)
        self.device, self.officer = device, officer
        record = device.outbox.meta.get(officer, ENROLLMENT_KEY) or {}
        self.server_url: str = record.get("server_url", "")
        self.errors: dict[str, str] = {}
        self.message: str | None = None
        self.photos_message: str | None = None

    # ------------------------------------------------------------ what the screen shows

    @property
    def language(self) -> str:
        return self.t.lang

    @property
    def language_choices(self) -> list[tuple[str, str]]:
        return [(lang, self.t(f"language.{lang}")) for lang in LANGUAGES]

    @property
    def purge_after_days(self) -> int | None:
        return self.device.purge_after_days

    @property
    def purge_choices(self) -> list[tuple[str, str]]:
        return [(str(days), self.t("settings.purge.days", n=days)) for days in PURGE_CHOICES]

    @property
    def photos_wifi_only(self) -> bool:
        return self.device.photos_wifi_only

    @property
    def held_photos(self) -> int:
        """Photos of this officer still on the phone, not yet on the server."""
        return self.device.outbox.media_counts(self.officer).get("waiting", 0)

    @property
    def held_photos_text(self) -> str:
        held = self.held_photos
        return self.t("settings.photos.held", n=held) if held else self.t("settings.photos.none")

    @property
    def interval_text(self) -> str:
        minutes = max(1, round(self.device.policy.timer_interval / 60))
        return self.t("settings.interval", minutes=minutes)

    # ------------------------------------------------------------ intents

    def choose_language(self, lang: str) -> None:
        if lang in LANGUAGES:
            self.t.set_language(lang)
            self.device.set_language(lang)
            self.message = None
            self.changed()

    def set_server_url(self, text: str) -> None:
        self.server_url = (text or "").strip()
        self.errors.pop("server_url", None)
        self.changed()

    def save_server_url(self) -> bool:
        """Keep the new address for this officer; the next sync pass uses it."""
        if not self.server_url:
            self.errors["server_url"] = self.t("enroll.required.server_url")
            self.changed()
            return False
        meta = self.device.outbox.meta
        record = meta.get(self.officer, ENROLLMENT_KEY) or {}
        meta.set(self.officer, ENROLLMENT_KEY, {**record, "server_url": self.server_url})
        self.device.remember_server_url(self.server_url)
        self.message = self.t("settings.server.saved")
        self.changed()
        return True

    def choose_purge_days(self, days: int | str | None) -> None:
        chosen = int(days) if days not in (None, "") else None
        if chosen is None or chosen in PURGE_CHOICES:
            self.device.set_purge_after_days(chosen)
            self.changed()

    def choose_photos_wifi_only(self, on: bool) -> None:
        """"Kirim foto nanti (Wi-Fi)": hold photos (never report text) until Wi-Fi or "Kirim foto sekarang"."""
        self.device.set_photos_wifi_only(bool(on))
        self.photos_message = None
        self.changed()

    def send_photos_now(self) -> bool:
        """Send the held photos with the next pass, over whatever link there is."""
        sent = self.device.send_photos_now(self.officer)
        self.photos_message = self.t("settings.photos.sending") if sent else None
        self.changed()
        return sent
