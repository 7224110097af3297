"""Per-account quotas through a real server with small limits: reports per window, photo bytes
per window, unfinished uploads at once. Over a quota: 429 ``quota.*`` with ``Retry-After`` in the
one error shape, and nothing of the refused request stored — with photos in a directory and in the
database (``PETA_MEDIA_STORE``)."""
from __future__ import annotations

import hashlib
import os

import pytest

from tests.server.helpers import Actor, Api, ServerProcess, World, assert_error, report
from tests.server.media_support import ServerMedia

REPORTS = 5
PHOTO_KIB = 512
PARTIALS = 2
PARTIAL_KIB = 256


@pytest.fixture(scope="module", params=("directory", "database"))
def quota_server(request, tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("quotas"), env={
        "PETA_QUOTA_REPORTS": str(REPORTS), "PETA_QUOTA_PHOTO_MIB": str(PHOTO_KIB / 1024),
        "PETA_QUOTA_PARTIALS": str(PARTIALS), "PETA_QUOTA_PARTIAL_MIB": str(PARTIAL_KIB / 1024),
        "PETA_LOGIN_FAILURES_PER_ADDRESS": "100000", "PETA_MEDIA_STORE": request.param})
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="module")
def quota_world(quota_server) -> World:
    api = Api(quota_server.url)
    return World(api=api, admin=Actor(username="admin", role="admin", scope=["15"], token=api.login("admin")))


def jpeg(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def push(api: Api, officer: Actor, reports: list[dict]):
    return api.post("/api/v1/sync/push", token=officer.token, json={"reports": reports})


def assert_quota(response, code: str) -> dict:
    error = assert_error(response, 429, code)
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 3600 and error["details"]["retry_after"] == retry
    return error


def test_a_push_over_the_reports_quota_is_refused_whole_and_stores_nothing(quota_world):
    api, officer, other = quota_world.api, quota_world.officer(), quota_world.officer()
    first = [report() for _ in range(3)]
    assert [r["status"] for r in push(api, officer, first).json()["results"]] == ["created"] * 3
    over = [report() for _ in range(3)]                        # 3 + 3 > 5
    error = assert_quota(push(api, officer, over), "quota.reports")
    assert error["details"]["limit"] == REPORTS
    for item in over:                                          # nothing of the refused push was stored
        assert_error(api.get(f"/api/v1/reports/{item['id']}", token=officer.token), 404)
    again = push(api, officer, first)                          # a resend is a receipt, never refused
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert [r["status"] for r in push(api, officer, over[:2]).json()["results"]] == ["created"] * 2
    assert_quota(push(api, officer, [report()]), "quota.reports")
    invalid = push(api, officer, [report(category="tidak_ada")])        # invalid reports store nothing
    assert invalid.status_code == 200 and invalid.json()["results"][0]["status"] == "invalid"
    assert push(api, other, over[2:] + [report()]).status_code == 200   # quotas are per account


def test_photo_bytes_over_the_quota_are_refused_before_a_byte_is_stored(quota_world, quota_server):
    api, officer = quota_world.api, quota_world.officer()
    kept, refused = jpeg(300_000), jpeg(300_000)               # 600 KB > 512 KiB
    assert api.request("PUT", f"/api/v1/media/{sha(kept)}", token=officer.token, content=kept).status_code == 201
    response = api.request("PUT", f"/api/v1/media/{sha(refused)}", token=officer.token, content=refused)
    assert_quota(response, "quota.photo_bytes")
    assert_error(api.get(f"/api/v1/media/{sha(refused)}", token=officer.token), 404)
    media = ServerMedia(quota_server)
    assert media.kind == quota_server.env["PETA_MEDIA_STORE"] and not media.stored(sha(refused))
    again = api.request("PUT", f"/api/v1/media/{sha(kept)}", token=officer.token, content=kept)
    assert again.status_code == 200                            # a repeat stores nothing new: not counted
    part = api.request("PUT", f"/api/v1/media/{sha(refused)}/parts", token=officer.token, content=refused[:250_000],
                       headers={"Content-Range": f"bytes 0-249999/{len(refused)}"})
    assert_quota(part, "quota.photo_bytes")                    # the resumable route counts the same bytes
    assert not media.present(officer.username, sha(refused))


def test_unfinished_uploads_past_the_partials_quota_are_refused(quota_world, quota_server):
    api, officer = quota_world.api, quota_world.officer()
    photos = [jpeg(300_000) for _ in range(PARTIALS + 1)]

    def first_chunk(photo: bytes, size: int = 32_768):
        return api.request("PUT", f"/api/v1/media/{sha(photo)}/parts", token=officer.token, content=photo[:size],
                           headers={"Content-Range": f"bytes 0-{size - 1}/{len(photo)}"})

    for photo in photos[:PARTIALS]:
        assert first_chunk(photo).status_code == 202
    error = assert_quota(first_chunk(photos[PARTIALS]), "quota.partials")
    assert error["details"]["held"] == PARTIALS
    assert not ServerMedia(quota_server).present(officer.username, sha(photos[PARTIALS]))
    grown = api.request("PUT", f"/api/v1/media/{sha(photos[0])}/parts", token=officer.token,
                        content=photos[0][32_768:250_000],
                        headers={"Content-Range": f"bytes 32768-249999/{len(photos[0])}"})
    assert_quota(grown, "quota.partials")                      # 32 + 32 + 217 KB > 256 KiB held
    assert api.request("HEAD", f"/api/v1/media/{sha(photos[0])}/parts",
                       token=officer.token).headers["upload-offset"] == "32768"
