"""A real Gammu SMSD with its fake ("dummy") phone, for the SMS tests.

``FakeGammu(folder, secret)`` (then ``connect(server_url)``) writes an SMSD configuration in ``folder`` and starts
``gammu-smsd`` on it. ``receive(number, text)`` puts a message on the fake phone as if a phone had
sent it to the gateway: SMSD picks it up, runs RunOnReceive (``sync_server.sms.on_receive``), which
posts it to the server. ``sent()`` reads what SMSD sent (its ``sent/`` folder), ``wait_sent`` waits
for it with a deadline. See ``../shared/notes/gammu-smsd.md`` for the formats.
"""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.helpers import PASSWORD, ROOT, Actor, World, wait_until

GAMMU_SMSD = shutil.which("gammu-smsd")
needs_gammu = pytest.mark.skipif(GAMMU_SMSD is None, reason="gammu-smsd not installed (scripts/system-deps.sh)")
CONFIG = """[gammu]
model = dummy
connection = none
device = {root}/phone/
[smsd]
service = files
inboxpath = {root}/inbox/
outboxpath = {root}/outbox/
sentsmspath = {root}/sent/
errorsmspath = {root}/error/
inboxformat = standard
outboxformat = unicode
transmitformat = auto
runonreceive = {root}/on_receive.sh
commtimeout = 1
receivefrequency = 1
loopsleep = 1
statusfrequency = 0
multiparttimeout = 5
checksecurity = 0
checkbattery = 0
checksignal = 0
checknetwork = 0
logfile = {root}/smsd.log
debuglevel = 1
"""
ON_RECEIVE = """#!/bin/sh
cd {root_repo}
PETA_SMS_URL=$(cat {root}/server_url) PETA_SMS_SECRET={secret} exec {python} -m sync_server.sms.on_receive \\
    >> {root}/on_receive.log 2>&1
"""


@dataclass(frozen=True)
class Sent:
    number: str
    text: str
    name: str


class FakeGammu:
    def __init__(self, folder: Path, secret: str):
        self.root = folder
        for name in ("phone", "phone/sms/1", "inbox", "outbox", "sent", "error"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / "smsdrc").write_text(CONFIG.format(root=folder), encoding="utf-8")
        script = folder / "on_receive.sh"
        script.write_text(ON_RECEIVE.format(root=folder, root_repo=ROOT, secret=secret,
                                            python=sys.executable), encoding="utf-8")
        script.chmod(0o755)
        self._numbers = itertools.count(1)
        self.process = subprocess.Popen(
            [GAMMU_SMSD, "-c", str(folder / "smsdrc"), "-p", str(folder / "smsd.pid"), "-X", "1800"],
            env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def connect(self, server_url: str) -> None:
        """Where RunOnReceive posts: the server's inbound route (known once the server has a port)."""
        (self.root / "server_url").write_text(f"{server_url}/api/v1/sms/inbound", encoding="utf-8")

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def env(self) -> dict[str, str]:
        """The server's settings for this gateway."""
        return {"PETA_SMS_GATEWAY": "gammu", "PETA_SMS_OUTBOX": str(self.outbox),
                "PETA_SMS_SENT": str(self.root / "sent"), "PETA_SMS_ERROR": str(self.root / "error")}

    def receive(self, number: str, text: str) -> None:
        """A message from ``number`` arrives at the gateway's phone (SMS-backup file, renamed into place)."""
        encoded = text.encode("utf-16-be").hex().upper()
        coding = "Default" if text.isascii() else "Unicode_No_Compression"
        lines = ["[SMSBackup000]", f'Number = "{number}"', f"Coding = {coding}"]
        lines += [f"Text{i // 200:02d} = {encoded[i:i + 200]}" for i in range(0, len(encoded), 200)]
        lines += ["State = UnRead", "PDU = Deliver", "DateTime = 20241127T214000", ""]
        name = str(next(self._numbers))
        temporary = self.root / "phone" / "sms" / "1" / f".{name}"
        temporary.write_text("\n".join(lines), encoding="ascii")
        os.replace(temporary, self.root / "phone" / "sms" / "1" / name)

    def received_count(self) -> int:
        """Messages SMSD has taken from the phone into its inbox folder."""
        return len(list((self.root / "inbox").iterdir()))

    def sent(self, number: str | None = None) -> list[Sent]:
        found = []
        for path in sorted((self.root / "sent").glob("OUT*.txt")):
            recipient = path.name.split("_")[3]
            if number is None or recipient == number:
                found.append(Sent(recipient, path.read_text(encoding="utf-16"), path.name))
        return found

    def wait_sent(self, condition: Callable[[list[Sent]], bool], seconds: float = 30) -> list[Sent]:
        """Wait (with a deadline) until what SMSD has sent satisfies ``condition``; returns it."""
        assert wait_until(lambda: condition(self.sent()), seconds), (self.sent(), self.log())
        return self.sent()

    def idle(self) -> bool:
        """SMSD has sent everything queued (its outbox is empty)."""
        return not any(self.outbox.glob("OUT*"))

    def log(self) -> str:
        parts = []
        for name in ("smsd.log", "on_receive.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


SECRET = "rahasia-gateway-uji"
GATEWAY_NUMBER = "+628110000001"
_phones = itertools.count(1)
_counters = itertools.count(1)


def start_sms_server(folder: Path, start, env: dict[str, str] | None = None):
    """A ``ClockedServer`` whose SMS gateway is a real ``gammu-smsd`` on the fake phone: ``(server, gammu)``."""
    from tests.server.alerts_support import ClockedServer
    (folder / "server").mkdir(parents=True, exist_ok=True)
    gammu = FakeGammu(folder / "gammu", SECRET)
    try:
        server = ClockedServer(folder / "server", start, env={
            **gammu.env(), "PETA_SMS_SECRET": SECRET, "PETA_SMS_NUMBER": GATEWAY_NUMBER,
            "PETA_SMS_POLL_SECONDS": "0.2", "PETA_SMS_QUIET": "-", **(env or {})})
    except BaseException:
        gammu.stop()
        raise
    gammu.connect(server.url)
    return server, gammu


@dataclass
class Phone:
    """An officer's enrolled phone: its token, device id, SMS key and own number."""

    username: str
    token: str
    device_id: str
    key: bytes
    number: str

    def texts(self, wire: dict, counter: int | None = None, **kwargs) -> tuple[str, ...]:
        from kerawanan import sms_codec
        from tests.core.builders import desa_codes
        encoded = sms_codec.encode_report(wire, device_id=self.device_id, key=self.key, desa_codes=desa_codes(),
                                          counter=next(_counters) if counter is None else counter, **kwargs)
        return encoded.parts


def enroll_phone(api, admin_token: str, scope: list[str]) -> Phone:
    from tests.server.helpers import unique
    username = unique("nrp")
    response = api.post("/api/v1/users", token=admin_token,
                        json={"username": username, "name": f"Uji {username}", "role": "officer", "scope": scope})
    assert response.status_code == 201, response.text
    code = api.post(f"/api/v1/users/{username}/enrollment-codes", token=admin_token).json()["code"]
    answer = api.post("/api/v1/auth/enroll", json={"nrp": username, "code": code, "device_name": "HP uji"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Phone(username, body["token"], body["device_id"], bytes.fromhex(body["sms_key"]),
                 f"+62812{next(_phones):07d}")


def wire_of(data: dict, now) -> dict:
    """The full wire form (``Report.to_wire()``) of a report body, as the app keeps it."""
    from kerawanan import assets
    from kerawanan.report import parse_report
    return parse_report(data, now=now, gazetteer=assets.gazetteer(), calendar=assets.calendar()).to_wire()


def sms_fixtures(name: str, start):
    """A module's ``sms`` (server, gammu) and ``world`` (the province admin) fixtures."""

    @pytest.fixture(scope="module")
    def sms(tmp_path_factory):
        server, gammu = start_sms_server(tmp_path_factory.mktemp(name), start)
        yield server, gammu
        server.stop()
        gammu.stop()
        assert "Traceback" not in server.log(), server.log()

    @pytest.fixture(scope="module")
    def world(sms) -> World:
        server, _ = sms
        admin = Actor(username="admin", role="admin", scope=["15"], token=server.api.login("admin", PASSWORD))
        return World(api=server.api, admin=admin)

    return sms, world
