"""Bad networks: a slow, lossy link through the proxy still syncs everything; a cut photo upload resumes.

The full 2G run (64 kbit/s, 600 ms, 5 % loss, 200 reports + 20 photos) is in bench/faults.py
(``--profile 2g``); this is its bounded twin for ``make test``. How long the twin takes (its goal:
under 50 s) is measured by bench/timing.py, not asserted here.
"""
from __future__ import annotations

import random
import socket

import httpx
import pytest

from field_app.errors import Offline
from field_app.outbox import Outbox
from field_app.photos import shrink_photo
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine
from tests.faults.harness import audit, grainy_jpeg, queue_reports, utc_now
from tests.faults.network import run_network
from tests.faults.proxy import Fault, Profile
from tests.server.helpers import wait_until

pytestmark = pytest.mark.slow

FAST_LOSSY = Profile.from_kbit(512, 200, 0.05)
# Photos cut by hand go at ~128 kbit/s: the server takes each slice as it arrives, as on a real link
# (bytes still in uvicorn's buffer when it notices a close are lost: the last few slices here).
SLOW = Profile(up=16_000, down=16_000)
SLICE = 4_000                                     # five throttled slices of the proxy (800 B each)


def test_a_slow_lossy_link_syncs_every_report_and_photo(real_server, officer, proxy, tmp_path):
    run = run_network(real_server, proxy, *officer, tmp_path, profile=FAST_LOSSY, reports=40, photos=3,
                      seed=5, read_timeout=5, max_seconds=600,     # a deadline against a hang, not a goal
                      camera=grainy_jpeg)
    print(run.line())
    assert run.audit.exact and run.audit.held == 40, run.audit
    assert run.photo_bytes > 3 * 90_000                       # camera-like photos, shrunk on the phone
    assert run.bytes_up >= run.photo_bytes                      # the photos really went through the link
    assert run.bytes_per_report < (run.photo_bytes + 40 * 2000) / 40


def _photo(seed: int = 9) -> tuple[str, bytes]:
    shrunk = shrink_photo(grainy_jpeg(random.Random(seed)))
    return shrunk.sha256, shrunk.data


def _puts(proxy) -> list:
    return [item for item in proxy.stats.exchanges if item.method == "PUT"]


def _on_put(number: int, fault: Fault):
    """A plan that gives the ``number``-th PUT (1-based) ``fault``, every other exchange none."""
    seen = []

    def plan(exchange):
        if exchange.method != "PUT":
            return Fault()
        seen.append(exchange)
        return fault if len(seen) == number else Fault()
    return plan


def _settled_offset(url: str, token: str, sha: str) -> int:
    """The server's offset once no request holds the partial any more (it noticed the cut)."""
    client = SyncClient(url, token)
    try:
        return client.media_offset(sha, [0.1] * 200)
    finally:
        client.close()


def _held_until(url: str, token: str, sha: str, offset: int) -> bool:
    """Wait (bounded) until a request holds the partial and has written ``offset`` bytes."""
    def held() -> bool:
        head = httpx.head(f"{url}/api/v1/media/{sha}/parts", headers={"Authorization": f"Bearer {token}"})
        return bool(head.headers.get("upload-in-progress")) and head.headers.get("upload-offset") == str(offset)

    return wait_until(held)


def _cut_upload(url: str, token: str, sha: str, data: bytes, kept: int) -> int:
    """An earlier app run's upload of ``data`` that got ``kept`` bytes to the server (and no further)."""
    response = httpx.put(f"{url}/api/v1/media/{sha}/parts", content=data[:kept], timeout=10,
                         headers={"Authorization": f"Bearer {token}", "Content-Range": f"bytes 0-{kept - 1}/{len(data)}"})
    assert response.status_code == 202, response.text
    return kept


def test_a_photo_upload_cut_midway_resumes_and_the_next_pass_sends_only_the_rest(real_server, officer, proxy,
                                                                                   tmp_path):
    """The engine sends a ~135 KB photo in one request, cut after 60 % of it; the server keeps what
    arrived, and the next pass asks where to resume and sends only the rest, in one request."""
    username, token = officer
    outbox = Outbox(tmp_path / "phone")
    saved = queue_reports(outbox, username, random.Random(9), 1, photos=1, now=utc_now(), camera=grainy_jpeg)
    (sha,) = outbox.entries(username)[0].media
    size = outbox.photo_path(sha).stat().st_size
    assert size > 90_000
    proxy.profile = SLOW
    client = SyncClient(proxy.url, token, read_timeout=5)
    engine = SyncEngine(outbox, client, username)
    try:
        proxy.plan = _on_put(1, Fault("drop", fraction=0.6))
        first = engine.sync_once(utc_now())
        assert not first.ok and first.error_code == "sync.offline"
        assert first.sent == 1 and outbox.media_counts(username) == {"waiting": 1}
        (cut,) = _puts(proxy)
        kept = _settled_offset(real_server.url, token, sha)
        # The prefix that arrived is kept: what the proxy let through less the request's head (< 600 B).
        assert cut.bytes_up - 600 - SLICE <= kept < cut.bytes_up
        assert kept > 0.5 * size
        cut_pass = len(proxy.stats.exchanges)
        proxy.plan = lambda exchange: Fault()
        second = engine.sync_once(utc_now())
        assert second.ok and second.media_sent == 1, second
    finally:
        client.close()
        outbox.close()
    resumed = [item for item in proxy.stats.exchanges[cut_pass:] if item.method == "PUT"]
    assert len(resumed) == 1                                      # the rest in one request
    assert size - kept <= resumed[0].bytes_up < size - kept + 600
    assert [item.path.rsplit("/", 1)[1] for item in proxy.stats.exchanges[cut_pass:] if item.method == "HEAD"] \
        == [sha, "parts"]                                        # HEAD /media first, then where to resume
    assert sum(item.bytes_up for item in _puts(proxy)) < size + SLICE + 1200     # was 1.8 × the photo
    assert audit(real_server.db, saved, {sha}, real_server.workdir / "media").exact


def test_a_photo_on_a_good_link_is_one_request(real_server, officer, proxy):
    sha, data = _photo(21)
    client = SyncClient(proxy.url, officer[1])
    assert client.upload_media(sha, data) is True
    (put,) = _puts(proxy)
    assert put.path.endswith("/parts") and len(data) <= put.bytes_up < len(data) + 600
    assert len(proxy.stats.exchanges) == 1


def test_a_request_whose_answer_was_lost_is_not_sent_again(real_server, officer, proxy):
    """The server kept the whole photo but the answer never arrived (``cut``): the next attempt
    learns with HEAD .../parts that it is stored and sends nothing more of it."""
    sha, data = _photo(22)
    client = SyncClient(proxy.url, officer[1], read_timeout=5)
    proxy.plan = _on_put(1, Fault("cut"))
    with pytest.raises(Offline):
        client.upload_media(sha, data)
    assert len(_puts(proxy)) == 1
    proxy.plan = lambda exchange: Fault()
    assert client.media_exists(sha)                     # it was stored
    assert _settled_offset(real_server.url, officer[1], sha) == len(data)
    before = len(proxy.stats.exchanges)
    assert client.upload_media(sha, data) is False      # HEAD .../parts, then the last byte only: 200
    again = [item for item in proxy.stats.exchanges[before:] if item.method == "PUT"]
    assert len(again) == 1 and again[0].bytes_up < 600
    got = httpx.get(f"{real_server.url}/api/v1/media/{sha}", headers={"Authorization": f"Bearer {officer[1]}"})
    assert got.status_code == 200 and got.content == data


def test_a_restarted_app_is_moved_to_the_servers_offset_by_a_409(real_server, officer, proxy):
    """A fresh client (the app restarted mid-upload) starts at 0 without asking; the server keeps
    its partial, answers 409 with its offset at once, and the client sends the rest from there."""
    sha, data = _photo(23)
    kept = _cut_upload(real_server.url, officer[1], sha, data, 50_000)
    client = SyncClient(proxy.url, officer[1])
    assert client.upload_media(sha, data) is True
    refused, rest = _puts(proxy)                       # the 409'd one (its body still went), then the rest
    assert refused.bytes_up >= len(data) and len(data) - kept <= rest.bytes_up < len(data) - kept + 600
    assert SyncClient(real_server.url, officer[1]).media_exists(sha)


def test_a_restarted_app_learns_the_offset_from_its_head_and_sends_only_the_rest(real_server, officer, proxy):
    """As the engine does it: ``HEAD /media/{sha}`` first. Its 404 carries ``Upload-Offset`` of the
    officer's cut upload, so a fresh client (the app restarted) sends only the rest: one PUT, no 409."""
    sha, data = _photo(25)
    kept = _cut_upload(real_server.url, officer[1], sha, data, 50_000)
    client = SyncClient(proxy.url, officer[1])
    assert client.media_exists(sha) is False
    assert client.upload_media(sha, data) is True
    (rest,) = _puts(proxy)
    assert len(data) - kept <= rest.bytes_up < len(data) - kept + 600
    assert SyncClient(real_server.url, officer[1]).media_exists(sha)


def test_a_client_waits_while_its_cut_request_still_holds_the_upload(real_server, officer, proxy):
    """Until the server notices a cut, the cut request holds the partial: HEAD says
    ``Upload-In-Progress``, the client waits and asks again, and gives up (Offline) after its waits."""
    sha, data = _photo(24)
    token = officer[1]
    host, port = real_server.url.removeprefix("http://").rsplit(":", 1)
    stuck = socket.create_connection((host, int(port)), timeout=30)
    try:
        stuck.sendall((f"PUT /api/v1/media/{sha}/parts HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}"
                       f"\r\nContent-Range: bytes 0-{len(data) - 1}/{len(data)}\r\nContent-Length: {len(data)}"
                       f"\r\n\r\n").encode() + data[:40_000])
        assert _held_until(real_server.url, token, sha, 40_000)
        client = SyncClient(proxy.url, token)
        client.busy_waits = (0.2, 0.2)
        with pytest.raises(Offline):
            client.upload_media(sha, data)             # a 409 at once, then HEADs while it is held
        puts = _puts(proxy)
        assert len(puts) == 1                          # nothing sent again while the upload was held
        heads = [item for item in proxy.stats.exchanges if item.method == "HEAD"]
        assert len(heads) == 2                         # one after each wait
    finally:
        stuck.close()
    assert _settled_offset(real_server.url, token, sha) == 40_000
    before = len(proxy.stats.exchanges)
    assert client.upload_media(sha, data) is True     # HEAD .../parts: 40 000, then the rest
    (rest,) = [item for item in proxy.stats.exchanges[before:] if item.method == "PUT"]
    assert len(data) - 40_000 <= rest.bytes_up < len(data) - 40_000 + 600


def test_a_photo_slower_to_send_than_the_read_timeout_still_uploads(officer, proxy):
    """The read timeout starts once the photo sits in the phone's send buffer: on a slow link an
    upload that needs longer than that timeout used to fail every time and start again from zero
    (at 64 kbit/s with the app's 20 s: every photo over ~145 KB, i.e. most photos, never arrived)."""
    sha, data = _photo()
    assert len(data) > 90_000
    proxy.profile = Profile(up=30_000, down=30_000)            # the photo needs > 3 s on this link
    client = SyncClient(proxy.url, officer[1], read_timeout=1.5)
    assert client.put_media(sha, data) is True
    assert client.media_exists(sha)
