"""Photo types beside JPEG and PNG (issue 14): the app's WebP, and AVIF, by their first bytes, whole
or resumable, served back with their own Content-Type; other RIFF/ISO-BMFF files stay refused."""
from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from tests.server.helpers import assert_error
from tests.server.test_media import put, sha
from tests.server.test_media_parts import upload


def photo(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((96, 64), 40).convert("RGB").save(out, format=fmt, quality=60)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("WEBP", "image/webp"), ("AVIF", "image/avif")])
def test_webp_and_avif_are_stored_and_served_with_their_type(api, world, fmt, mime):
    officer = world.officer()
    data = photo(fmt)
    created = put(api, officer.token, data, headers={"Content-Type": "application/octet-stream"})
    assert created.status_code == 201, created.text
    assert created.json()["mime"] == mime
    got = api.get(f"/api/v1/media/{sha(data)}", token=officer.token)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == mime and got.headers["x-content-type-options"] == "nosniff"


def test_a_webp_resumable_upload_completes_as_webp(api, world):
    officer = world.officer()
    data = photo("WEBP")
    last = upload(api, officer.token, data)
    assert last.status_code == 201, last.text
    assert last.json()["mime"] == "image/webp"


@pytest.mark.parametrize("head", [
    b"RIFF\x24\x00\x00\x00WAVEfmt ",          # a sound file, not a picture
    b"RIFF\x24\x00\x00\x00WEBQVP8 ",          # almost WebP
    b"\x00\x00\x00\x18ftypmp42",             # an MP4 video
    b"\x00\x00\x00\x18ftypheic",             # HEIC: the app converts it, the server does not take it
])
def test_look_alikes_are_refused(api, world, head):
    officer = world.officer()
    assert_error(put(api, officer.token, head + os.urandom(256)), 415, "request.media_type")
