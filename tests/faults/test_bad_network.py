"""Bad networks: a slow, lossy link through the proxy still syncs everything; what a lost photo costs.

The full 2G run (64 kbit/s, 600 ms, 5 % loss, 200 reports + 20 photos) is in bench/faults.py
(``--profile 2g``); this is its bounded twin for ``make test``.
"""
from __future__ import annotations

import random

import httpx
import pytest

from field_app.errors import Offline
from field_app.photos import shrink_photo
from field_app.sync_client import SyncClient
from tests.faults.harness import camera_jpeg
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


def test_a_photo_upload_cut_midway_starts_again_from_the_first_byte(officer, proxy):
    """Today's cost of a lost upload: the server keeps nothing of it, the retry sends every byte."""
    sha, data = _photo()
    client = SyncClient(proxy.url, officer[1], read_timeout=5)
    proxy.plan = lambda exchange: Fault("drop", fraction=0.8) if exchange.method == "PUT" else Fault()
    with pytest.raises(Offline):
        client.put_media(sha, data)
    proxy.plan = lambda exchange: Fault()
    assert not client.media_exists(sha)
    assert client.put_media(sha, data) is True
    puts = [item for item in proxy.stats.exchanges if item.method == "PUT"]
    assert puts[-1].bytes_up > len(data)                        # the whole photo again, plus headers
    assert sum(item.bytes_up for item in puts) > 1.75 * len(data)


def test_the_media_route_has_no_partial_upload_to_resume(real_server, officer):
    """A ranged PUT of the first half is refused, not kept: there is nothing to resume from."""
    sha, data = _photo()
    half = len(data) // 2
    response = httpx.put(f"{real_server.url}/api/v1/media/{sha}", content=data[:half], timeout=10,
                         headers={"Authorization": f"Bearer {officer[1]}", "Content-Type": "image/jpeg",
                                  "Content-Range": f"bytes 0-{half - 1}/{len(data)}"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "media.hash_mismatch"
    assert not SyncClient(real_server.url, officer[1]).media_exists(sha)


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
