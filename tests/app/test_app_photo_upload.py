"""Photo uploads through the one HTTP seam against a server without the resumable route (an older
server, played by the fake one): small photos and such servers get the whole-body PUT.

Resumed uploads against the real server are in tests/faults/test_bad_network.py (through
the fault proxy, which counts the bytes) and tests/server/test_media_parts.py (the route itself).
"""
from __future__ import annotations

import hashlib
import os

from field_app.sync_client import RESUMABLE_MIN_BYTES, SyncClient


def photo(size: int) -> tuple[str, bytes]:
    data = b"\xff\xd8\xff\xe0" + os.urandom(size - 4)
    return hashlib.sha256(data).hexdigest(), data


def test_a_small_photo_goes_in_one_put(server, token):
    sha, data = photo(RESUMABLE_MIN_BYTES)
    client = SyncClient(server.url, token)
    assert client.upload_media(sha, data) is True
    assert [(call["method"], call["path"]) for call in server.requests] == [("PUT", f"/api/v1/media/{sha}")]
    assert server.media[sha] == data


def test_an_older_server_without_the_parts_route_gets_the_whole_photo_once_known(server, token):
    client = SyncClient(server.url, token)
    first_sha, first = photo(3 * RESUMABLE_MIN_BYTES + 5)
    assert client.upload_media(first_sha, first) is True
    calls = [(call["method"], call["path"].removeprefix(f"/api/v1/media/{first_sha}")) for call in server.requests]
    assert calls == [("PUT", "/parts"), ("PUT", "")]                          # 404 on parts: fall back
    assert server.requests[0]["body"] == first                               # the whole photo, one request
    assert server.requests[0]["headers"]["content-range"] == f"bytes 0-{len(first) - 1}/{len(first)}"
    assert server.media[first_sha] == first and client.resumable_media is False
    second_sha, second = photo(2 * RESUMABLE_MIN_BYTES)
    assert client.upload_media(second_sha, second) is True
    assert [call["path"] for call in server.requests[2:]] == [f"/api/v1/media/{second_sha}"]  # straight away
    assert server.media[second_sha] == second
    assert client.upload_media(second_sha, second) is False                  # already there
