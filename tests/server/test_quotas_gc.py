"""Garbage collection through a real server whose clock the test moves (``PETA_CLOCK_FILE``):
the background sweep (every 0.2 s here) deletes photos nothing cites and partial uploads left
untouched, once older than the grace period (1 h here); photos a report or a task answer cites and
young ones stay. With photos in a directory and in the database (``PETA_MEDIA_STORE``)."""
from __future__ import annotations

import hashlib
import os
import time
import uuid
from datetime import timedelta

import pytest

from tests.server.alerts_support import VOTING_NIGHT, ClockedServer, if_match
from tests.server.helpers import Actor, World, assert_error, fresh_kecamatan, report, wait_until
from tests.server.media_support import ServerMedia

START = VOTING_NIGHT + timedelta(hours=1)


@pytest.fixture(params=("directory", "database"))
def clocked(request, tmp_path):
    server = ClockedServer(tmp_path, START, env={"PETA_SWEEP_SECONDS": "0.2", "PETA_MEDIA_GRACE_HOURS": "1",
                                                 "PETA_MEDIA_STORE": request.param})
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
        assert put(api, officer, photo).status_code == 201
    api.push(officer.token, [report(media=[sha(cited)])])
    media = ServerMedia(clocked)
    assert media.kind == clocked.env["PETA_MEDIA_STORE"] and media.stored(sha(uncited))
    # The partial was last written "at START" (the server's clock; a file's mtime is real time).
    media.plant(officer.username, sha(partial), partial[:32_768], age_seconds=time.time() - START.timestamp())
    clocked.advance(minutes=59)                                # within the grace period: all kept
    assert put(api, officer, young).status_code == 201
    assert media.present(officer.username, sha(partial))
    clocked.advance(minutes=2)                                 # past it for all but the young photo
    assert wait_until(lambda: not media.stored(sha(uncited)))
    assert wait_until(lambda: not media.present(officer.username, sha(partial)))
    assert_error(api.get(f"/api/v1/media/{sha(uncited)}", token=officer.token), 404)
    assert api.request("HEAD", f"/api/v1/media/{sha(partial)}/parts", token=officer.token).status_code == 404
    for kept in (cited, young):
        assert api.get(f"/api/v1/media/{sha(kept)}", token=officer.token).content == kept
    again = put(api, officer, uncited)
    assert again.status_code == 201                            # collected: a new upload stores it anew


def put(api, officer: Actor, photo: bytes):
    return api.request("PUT", f"/api/v1/media/{sha(photo)}", token=officer.token, content=photo)


def test_a_task_answers_photo_outlives_the_grace_period_an_unanswered_one_goes(clocked):
    """A photo cited by a task answer (``POST /alerts/{id}/task`` with ``media``) is cited: the sweep
    keeps it, and the alert's supervisor still reads it; an uncited one of the same officer goes."""
    api = clocked.api
    world = World(api=api, admin=Actor(username="admin", role="admin", scope=["15"], token=api.login("admin")))
    kecamatan, desa = fresh_kecamatan()
    polsek, reporter, assignee = world.supervisor(kecamatan), world.officer(desa[0]), world.officer(desa[0])
    api.push(reporter.token, [report(observed_at=START.isoformat(), category="bentrok", threat_stage="GN",
                                     desa_code=desa[0], source_reliability="A", info_credibility=1)])
    (alert,) = [item for item in api.get("/api/v1/alerts", token=polsek.token, params={"region": desa[0]}).json()[
        "items"] if item["region_code"] == desa[0]]
    assigned = api.post(f"/api/v1/alerts/{alert['id']}/actions", token=polsek.token, headers=if_match(alert["version"]),
                        json={"action": "assign", "assignee": assignee.username, "note": "Cek posko."})
    assert assigned.status_code == 200, assigned.text
    answered, unanswered = jpeg(), jpeg()
    for photo in (answered, unanswered):
        assert put(api, assignee, photo).status_code == 201
    done = api.post(f"/api/v1/alerts/{alert['id']}/task", token=assignee.token,
                    json={"id": str(uuid.uuid4()), "action": "report", "note": "Posko dicek, kondusif.",
                          "media": [sha(answered)]})
    assert done.status_code == 201, done.text
    media = ServerMedia(clocked)
    clocked.advance(hours=2)                                   # past the grace period for both photos
    assert wait_until(lambda: not media.stored(sha(unanswered)))     # the sweep ran
    assert_error(api.get(f"/api/v1/media/{sha(unanswered)}", token=assignee.token), 404)
    assert media.stored(sha(answered))
    assert api.get(f"/api/v1/media/{sha(answered)}", token=assignee.token).content == answered
    seen = api.get(f"/api/v1/alerts/{alert['id']}/media/{sha(answered)}", token=polsek.token)
    assert seen.status_code == 200 and seen.content == answered
