"""Bad networks: a slow, lossy link through the proxy still syncs everything; a cut photo upload resumes.

The full 2G run (64 kbit/s, 600 ms, 5 % loss, 200 reports + 20 photos) is in bench/faults.py
(``--profile 2g``); this is its bounded twin for ``make test``.
"""
from __future__ import annotations

import random

import httpx
import pytest

from field_app.errors import Offline
from field_app.outbox import Outbox
from field_app.photos import shrink_photo
from field_app.sync_client import CHUNK_BYTES, SyncClient
from field_app.sync_engine import SyncEngine
from tests.faults.harness import audit, camera_jpeg, queue_reports, utc_now
from tests.faults.network import run_network
from tests.faults.proxy import Fault, Profile

pytestmark = pytest.mark.slow

FAST_LOSSY = Profile.from_kbit(512, 200, 0.05)


def test_a_slow_lossy_link_syncs_every_report_and_photo(real_server, officer, proxy, tmp_path):
    run = run_network(real_server, proxy, *officer, tmp_path, profile=FAST_LOSSY, reports=40, photos=3,
                      seed=5, read_timeout=5, max_seconds=50)
    print(run.line())
    assert run.audit.exact and run.audit.held == 40, run.audit
    assert run.photo_bytes > 3 * 90_000                       # camera-like photos, shrunk on the phone
    assert run.seconds < 50
    assert run.bytes_up >= run.photo_bytes                      # the photos really went through the link
    assert run.bytes_per_report < (run.photo_bytes + 40 * 2000) / 40


def _photo() -> tuple[str, bytes]:
    shrunk = shrink_photo(camera_jpeg(random.Random(9)))
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


def test_a_photo_upload_cut_midway_resumes_and_the_next_pass_sends_only_the_rest(real_server, officer, proxy,
                                                                                   tmp_path):
    """The engine's pass is cut in the third chunk of a ~135 KB photo; the next pass asks where to
    resume and sends only what the server lacks: the cut costs less than one chunk."""
    username, token = officer
    outbox = Outbox(tmp_path / "phone")
    saved = queue_reports(outbox, username, random.Random(9), 1, photos=1, now=utc_now())
    (sha,) = outbox.entries(username)[0].media
    size = outbox.photo_path(sha).stat().st_size
    assert size > 3 * CHUNK_BYTES
    client = SyncClient(proxy.url, token, read_timeout=5)
    engine = SyncEngine(outbox, client, username)
    try:
        proxy.plan = _on_put(3, Fault("drop", fraction=0.6))
        first = engine.sync_once(utc_now())
        assert not first.ok and first.error_code == "sync.offline"
        assert first.sent == 1 and outbox.media_counts(username) == {"waiting": 1}
        assert SyncClient(real_server.url, token).media_offset(sha) == 2 * CHUNK_BYTES    # kept on the server
        cut_pass = len(proxy.stats.exchanges)
        proxy.plan = lambda exchange: Fault()
        second = engine.sync_once(utc_now())
        assert second.ok and second.media_sent == 1, second
    finally:
        client.close()
        outbox.close()
    resumed = [item for item in proxy.stats.exchanges[cut_pass:] if item.method == "PUT"]
    overhead = 600 * len(resumed)                                # request line and headers (~430 B) per chunk
    assert sum(item.bytes_up for item in resumed) < size - 2 * CHUNK_BYTES + overhead
    assert sum(item.bytes_up for item in _puts(proxy)) < size + CHUNK_BYTES       # was 1.8 × the photo
    assert [item.path.rsplit("/", 1)[1] for item in proxy.stats.exchanges[cut_pass:] if item.method == "HEAD"] \
        == [sha, "parts"]                                        # HEAD /media first, then where to resume
    assert audit(real_server.db, saved, {sha}, real_server.workdir / "media").exact


def test_a_chunk_whose_answer_was_lost_is_not_sent_again(real_server, officer, proxy):
    """The server kept the second chunk but its answer never arrived (``cut``): the next attempt
    learns the offset with HEAD .../parts and goes on from after that chunk."""
    sha, data = _photo()
    client = SyncClient(proxy.url, officer[1], read_timeout=5)
    proxy.plan = _on_put(2, Fault("cut"))
    with pytest.raises(Offline):
        client.upload_media(sha, data)
    assert len(_puts(proxy)) == 2
    proxy.plan = lambda exchange: Fault()
    assert not client.media_exists(sha)
    assert client.media_offset(sha) == 2 * CHUNK_BYTES
    before = len(proxy.stats.exchanges)
    assert client.upload_media(sha, data) is True
    again = [item for item in proxy.stats.exchanges[before:] if item.method == "PUT"]
    assert len(again) == -(-(len(data) - 2 * CHUNK_BYTES) // CHUNK_BYTES)     # only the chunks left
    got = httpx.get(f"{real_server.url}/api/v1/media/{sha}", headers={"Authorization": f"Bearer {officer[1]}"})
    assert got.status_code == 200 and got.content == data


def test_a_restarted_app_is_moved_to_the_servers_offset_by_a_409(real_server, officer, proxy):
    """A fresh client (the app restarted mid-upload) starts at 0 without asking; the server keeps
    its partial, answers 409 with its offset, and the client goes on from there: one chunk wasted."""
    sha, data = _photo()
    kept = 2 * CHUNK_BYTES
    for start in (0, CHUNK_BYTES):
        response = httpx.put(f"{real_server.url}/api/v1/media/{sha}/parts", content=data[start:start + CHUNK_BYTES],
                             timeout=10, headers={"Authorization": f"Bearer {officer[1]}",
                                                  "Content-Range": f"bytes {start}-{start + CHUNK_BYTES - 1}/{len(data)}"})
        assert response.status_code == 202, response.text
    client = SyncClient(proxy.url, officer[1])
    assert client.upload_media(sha, data) is True
    assert len(_puts(proxy)) == 1 + -(-(len(data) - kept) // CHUNK_BYTES)     # the 409'd one, then the rest
    assert SyncClient(real_server.url, officer[1]).media_exists(sha)


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
