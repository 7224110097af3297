"""Garbage collection through a real server whose clock the test moves (``PETA_CLOCK_FILE``):
the background sweep (every 0.2 s here) deletes photos no report cites and partial uploads left
untouched, once older than the grace period (1 h here); cited and young ones stay."""
from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.server.alerts_support import VOTING_NIGHT, ClockedServer
from tests.server.helpers import Actor, World, assert_error, report, wait_until

START = VOTING_NIGHT + timedelta(hours=1)


@pytest.fixture
def clocked(tmp_path):
    server = ClockedServer(tmp_path, START, env={"PETA_SWEEP_SECONDS": "0.2", "PETA_MEDIA_GRACE_HOURS": "1"})
    yield server
    server.stop()
    assert "Traceback" not in server.log(), server.log()


def jpeg(size: int = 4096) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_uncited_photos_and_stale_partials_go_after_the_grace_period_cited_and_young_ones_stay(clocked):
    api = clocked.api
    world = World(api=api, admin=Actor(username="admin", role="admin", scope=["15"], token=api.login("admin")))
    officer = world.officer()
    cited, uncited, partial, young = jpeg(), jpeg(), jpeg(100_000), jpeg()
    for photo in (cited, uncited):
        assert api.request("PUT", f"/api/v1/media/{sha(photo)}", token=officer.token, content=photo).status_code == 201
    assert api.request("PUT", f"/api/v1/media/{sha(partial)}/parts", token=officer.token, content=partial[:32_768],
                       headers={"Content-Range": f"bytes 0-32767/{len(partial)}"}).status_code == 202
    api.push(officer.token, [report(media=[sha(cited)])])
    media = Path(clocked.env["PETA_MEDIA_DIR"])
    partial_files = list((media / "partial").glob(f"*/{sha(partial)}"))
    assert len(partial_files) == 1
    written = START.timestamp()                                # the partial was last written "at START"
    os.utime(partial_files[0], (written, written))
    clocked.advance(minutes=59)                                # within the grace period: all kept
    assert api.request("PUT", f"/api/v1/media/{sha(young)}", token=officer.token, content=young).status_code == 201
    clocked.advance(minutes=2)                                 # past it for all but the young photo
    assert wait_until(lambda: not (media / sha(uncited)[:2] / sha(uncited)[2:4] / sha(uncited)).exists())
    assert wait_until(lambda: not partial_files[0].exists())
    assert_error(api.get(f"/api/v1/media/{sha(uncited)}", token=officer.token), 404)
    assert api.request("HEAD", f"/api/v1/media/{sha(partial)}/parts", token=officer.token).status_code == 404
    for kept in (cited, young):
        assert api.get(f"/api/v1/media/{sha(kept)}", token=officer.token).content == kept
    again = api.request("PUT", f"/api/v1/media/{sha(uncited)}", token=officer.token, content=uncited)
    assert again.status_code == 201                            # collected: a new upload stores it anew
