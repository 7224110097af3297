"""``services.sms``: the gateway, the SMS tables, inbound reports and outbound notices together."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kerawanan.errors import KerawananError
from sync_server.sms import inbound, notify
from sync_server.sms.config import SmsSettings
from sync_server.sms.gateway import Gateway, make_gateway

log = logging.getLogger("sync_server.sms")


def runs_notifications(settings: SmsSettings, *, several_nodes: bool) -> bool:
    """Whether this server process runs the periodic notification pass. A notice is claimed by the
    process that sends it (``SmsStore.claim``): among several nodes only those with a gateway (the
    modem's host) run the pass, or a node without one would claim notices and log them undelivered.
    One machine without a gateway still runs it: the log shows what would have been sent."""
    return settings.poll_seconds > 0 and (bool(settings.gateway) or not several_nodes)


class SmsService:
    def __init__(self, storage: Any, settings: SmsSettings, quotas: Any, clock: Callable[[], datetime],
                 gazetteer: Any, calendar: Any, *, alerts: Any = None, gateway: Gateway | None = None):
        self.storage, self.settings, self.quotas, self.clock = storage, settings, quotas, clock
        self.gazetteer, self.calendar, self.alerts = gazetteer, calendar, alerts
        self.gateway = gateway or make_gateway(settings)
        self.store = storage.sms
        self.desa_codes = tuple(sorted(region.code for region in gazetteer.regions("desa")))

    # ---- enrollment
    def issue_key(self, device_id: str) -> dict[str, str]:
        """What a newly enrolled phone needs to send signed SMS: its key and the gateway's number."""
        return {"sms_key": self.store.issue_key(device_id, self.clock()), "sms_number": self.settings.number}

    # ---- in
    def receive(self, number: str, text: str) -> inbound.Received:
        inbound.expire(self)
        return inbound.receive(self, number, text)

    def after_report(self) -> None:
        if self.alerts is not None:
            self.alerts.after_push()

    # ---- out
    def send(self, number: str, username: str | None, kind: str, text: str, *, urgent: bool = False,
             ref: str | None = None) -> str:
        """Queue one message with the gateway and log it; returns its state (a gateway failure is
        logged as ``failed``, never raised: the event it tells of is already committed)."""
        now = self.clock()
        try:
            gateway_ref = self.gateway.send(number, text, urgent=urgent)
            state = "queued" if gateway_ref else "undelivered"
        except KerawananError as error:
            log.warning("SMS to %s not sent: %s", number, error.message_en)
            gateway_ref, state = "", "failed"
        self.store.log(now, "out", number, kind, text, state, username=username, ref=gateway_ref or ref)
        return state

    def reply(self, number: str, username: str | None, text: str) -> str:
        return self.send(number, username, "reply", text)

    def notify(self) -> int:
        return notify.run_pass(self)

    def refresh_states(self, limit: int = 200) -> int:
        """Ask the gateway where the queued messages are now; returns how many changed."""
        changed = 0
        for entry in self.store.entries(direction="out", limit=limit):
            if entry.state == "queued" and entry.ref:
                state = self.gateway.state(entry.ref)
                if state not in ("queued", "unknown"):
                    self.store.set_state(entry.id, state)
                    changed += 1
        return changed

    def region_title(self, code: str) -> str:
        region = self.gazetteer.find(code)
        return region.title if region is not None else code

    async def run_periodically(self, seconds: float, stop: asyncio.Event) -> None:
        """The background task: tell people about new alert events every ``seconds``."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self._tick)
            except Exception:                                # noqa: BLE001 — keep the loop alive
                log.exception("SMS notification pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    def _tick(self) -> None:
        self.notify()
        self.refresh_states()
