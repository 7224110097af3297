"""A photo on a task answer (issue 14): attached on the phone, queued offline with the answer, uploaded
just before it (or after it while photos wait for Wi-Fi), and shown to the supervisor through the alert."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from field_app.errors import Offline, ServerRejected
from field_app.sync_client import PullPage
from field_app.sync_engine import SyncEngine, SyncPolicy
from field_app.viewmodels import Feedback
from field_app.viewmodels.supervisor_alert import AlertDetail
from tests.app.builders import NOW, OFFICER, jpeg_bytes
from tests.app.test_app_tasks import TASK


class RecordingClient:
    """The server's side of a pass, in the order the calls came; ``offline`` fails every call."""

    def __init__(self):
        self.offline = False
        self.calls: list[tuple[str, str]] = []
        self.media: dict[str, bytes] = {}
        self.answers: dict[str, dict] = {}

    def _link(self):
        if self.offline:
            raise Offline(reason="no route")

    def push(self, reports):
        self._link()
        return []

    def pull(self, cursor, limit):
        self._link()
        return PullPage([], cursor, False)

    def healthz(self):
        self._link()
        return {"now": "2024-11-27T15:00:30Z"}

    def media_exists(self, sha256):
        self._link()
        return sha256 in self.media

    def upload_media(self, sha256, data):
        self._link()
        assert hashlib.sha256(data).hexdigest() == sha256
        self.calls.append(("media", sha256))
        self.media[sha256] = data
        return True

    def answer_task(self, alert_id, body):
        self._link()
        self.calls.append((body["action"], body["id"]))
        self.answers[body["id"]] = {"alert_id": alert_id, **body}
        return {"status": "created", "at": "2024-11-27T15:01:00Z"}


def _opened(outbox, clock) -> Feedback:
    outbox.inbox.add(OFFICER, [TASK], now=NOW)
    screen = Feedback(outbox, OFFICER, clock=clock)
    screen.open(7)
    return screen


def test_a_photo_alone_answers_the_task_and_goes_just_before_its_answer(outbox, clock):
    screen = _opened(outbox, clock)
    assert screen.attach_photo(jpeg_bytes(size=(1600, 1200)))
    sha = screen.answer_photo
    stored = outbox.photo_path(sha).read_bytes()
    assert stored[8:12] == b"WEBP" and hashlib.sha256(stored).hexdigest() == sha      # shrunk like a report's
    assert screen.report_task("   ") and screen.answer_photo is None                 # words are optional
    assert screen.opened.answers[-1] == "Jawaban: (+1 foto) · Belum terkirim"
    assert outbox.media_counts(OFFICER) == {"waiting": 1}
    client = RecordingClient()
    client.offline = True
    engine = SyncEngine(outbox, client, OFFICER)
    assert not engine.sync_once(NOW).ok and outbox.tasks.pending(OFFICER) == 2      # kept offline
    client.offline = False
    outcome = engine.sync_once(NOW + timedelta(minutes=1))
    assert outcome.ok and outcome.media_sent == 1
    (report_id,) = [key for key, body in client.answers.items() if body["action"] == "report"]
    assert client.calls[1:] == [("media", sha), ("report", report_id)]                # the photo first
    assert client.answers[report_id]["media"] == [sha] and "note" not in client.answers[report_id]
    assert client.media[sha] == stored and outbox.media_counts(OFFICER) == {"sent": 1}


def test_photos_held_for_wifi_follow_the_answer_and_go_when_released(outbox, clock):
    screen = _opened(outbox, clock)
    screen.attach_photo(jpeg_bytes(color=(30, 90, 200)))
    sha = screen.answer_photo
    assert screen.report_task("Posko sudah dicek.")
    client = RecordingClient()
    engine = SyncEngine(outbox, client, OFFICER, policy=SyncPolicy(photos_wifi_only=True))
    engine.set_link(["mobile"])
    outcome = engine.sync_once(NOW)
    assert outcome.ok and outcome.media_held == 1 and sha not in client.media       # the words never wait
    assert [kind for kind, _ in client.calls] == ["acknowledge", "report"]
    engine.release_photos()
    assert engine.sync_once(NOW + timedelta(minutes=1)).media_sent == 1
    assert client.calls[-1] == ("media", sha) and outbox.media_counts(OFFICER) == {"sent": 1}


def test_an_unreadable_photo_says_so_and_a_second_photo_replaces_the_first(outbox, clock):
    screen = _opened(outbox, clock)
    assert not screen.attach_photo(b"not a photo")
    assert screen.message == "Foto tidak dapat dibaca. Coba ambil foto lagi." and screen.answer_photo is None
    screen.attach_photo(jpeg_bytes(color=(1, 2, 3)))
    first = screen.answer_photo
    screen.attach_photo(jpeg_bytes(color=(200, 200, 10)))
    assert screen.answer_photo != first and screen.message is None
    screen.remove_photo()
    assert not screen.report_task("") and screen.message == "Tuliskan apa yang sudah dilakukan, atau tambahkan foto."
    assert outbox.tasks.for_alert(OFFICER, "a-9") == []
    screen.attach_photo(jpeg_bytes())
    screen.close()
    screen.open(7)
    assert screen.answer_photo is None                                     # another opening starts clean


class AlertClient:
    def __init__(self):
        self.asked: list[tuple[str, str]] = []

    def get_media(self, sha256):
        self.asked.append(("media", sha256))
        raise ServerRejected(404, "not_found", "Foto tidak ditemukan.")

    def get_answer_photo(self, alert_id, sha256):
        self.asked.append((alert_id, sha256))
        return b"RIFF....WEBPVP8 "


def test_the_supervisor_reads_an_answer_photo_through_its_alert():
    client = AlertClient()
    detail = AlertDetail(client, "a-9")
    line = {"event": "task_report", "actor": OFFICER, "note": None, "data": {"media": ["ab" * 32]}}
    assert detail.answer_photos(line) == ["ab" * 32]
    assert detail.answer_photos({"event": "assign", "data": {"media": ["cd" * 32]}}) == []
    assert detail.fetch_photo("ab" * 32, answer=True) == b"RIFF....WEBPVP8 "
    assert detail.fetch_photo("ab" * 32, answer=True) == b"RIFF....WEBPVP8 "           # kept, asked once
    assert client.asked == [("a-9", "ab" * 32)]
    assert detail.fetch_photo("cd" * 32) is None and client.asked[-1] == ("media", "cd" * 32)
