"""PUT / HEAD / GET /api/v1/media/{sha256}: content-addressed photos and who may read them."""
from __future__ import annotations

import gzip
import hashlib
import os

from tests.server.helpers import assert_error, fresh_kecamatan, report


def jpeg(size: int = 2048) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size)


def png(size: int = 512) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + os.urandom(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(api, token, data, name=None, **kwargs):
    return api.request("PUT", f"/api/v1/media/{name or sha(data)}", token=token, content=data,
                       headers={"Content-Type": "image/jpeg", **kwargs.pop("headers", {})}, **kwargs)


def test_upload_is_201_then_200_and_reads_back(api, world):
    officer = world.officer()
    photo = jpeg()
    first = put(api, officer.token, photo)
    assert first.status_code == 201, first.text
    assert first.json() == {"sha256": sha(photo), "size": len(photo), "mime": "image/jpeg"}
    assert put(api, officer.token, photo).status_code == 200
    head = api.request("HEAD", f"/api/v1/media/{sha(photo)}", token=officer.token)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(photo))
    got = api.get(f"/api/v1/media/{sha(photo)}", token=officer.token)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"] == "image/jpeg"


def test_png_and_gzip_encoded_upload(api, world):
    officer = world.officer()
    photo = png()
    response = put(api, officer.token, gzip.compress(photo), name=sha(photo),
                   headers={"Content-Encoding": "gzip", "Content-Type": "image/png"})
    assert response.status_code == 201, response.text
    assert response.json()["mime"] == "image/png"


def test_hash_type_size_and_name_are_checked(api, world):
    officer = world.officer()
    photo = jpeg()
    error = assert_error(put(api, officer.token, photo, name=sha(b"other")), 422, "media.hash_mismatch")
    assert "sha256" in error["details"]["fields"]
    assert_error(put(api, officer.token, b"GIF89a" + os.urandom(64)), 415, "request.media_type")
    assert_error(put(api, officer.token, photo, name=sha(photo).upper()), 422, "request.invalid")
    assert_error(put(api, officer.token, photo, name="abc"), 422, "request.invalid")
    big = jpeg(8 * 1024 * 1024)
    assert_error(put(api, officer.token, big), 413, "request.too_large")
    assert_error(api.get(f"/api/v1/media/{sha(big)}", token=officer.token), 404, "not_found")


def test_only_officers_upload(api, world):
    photo = jpeg()
    assert_error(put(api, world.supervisor().token, photo), 403, "auth.forbidden")
    assert_error(put(api, None, photo), 401, "auth.unauthorized")


def test_photo_is_readable_by_uploader_and_by_readers_of_a_citing_report(api, world):
    kecamatan, desa = fresh_kecamatan()
    officer, neighbour = world.officer(desa[0]), world.officer(desa[0])
    supervisor, outsider = world.supervisor(kecamatan), world.supervisor(fresh_kecamatan()[0])
    photo = jpeg()
    name = f"/api/v1/media/{sha(photo)}"
    put(api, officer.token, photo)
    # Not cited yet: only the uploader sees it; for everyone else it does not exist.
    assert api.get(name, token=officer.token).status_code == 200
    hidden = assert_error(api.get(name, token=supervisor.token), 404)
    missing = assert_error(api.get(f"/api/v1/media/{sha(b'nothing')}", token=supervisor.token), 404)
    assert hidden == missing
    api.push(officer.token, [report(desa_code=desa[0], media=[sha(photo)])])
    assert api.get(name, token=supervisor.token).content == photo
    assert api.request("HEAD", name, token=supervisor.token).status_code == 200
    assert_error(api.get(name, token=outsider.token), 404)
    assert_error(api.get(name, token=neighbour.token), 404)
    assert api.request("HEAD", name, token=neighbour.token).status_code == 404


def test_second_uploader_of_same_bytes_may_read_them(api, world):
    first, second = world.officer(), world.officer()
    photo = jpeg()
    assert put(api, first.token, photo).status_code == 201
    assert put(api, second.token, photo).status_code == 200
    assert api.get(f"/api/v1/media/{sha(photo)}", token=second.token).content == photo


def test_citing_a_hash_someone_else_uploaded_grants_no_one_read_access(api, world):
    """Issue 11 §4: officer B (another kecamatan) cites A's photo by its hash in B's own report:
    neither B nor B's supervisor may read it; A's supervisor, through A's report, still may."""
    kecamatan_a, desa_a = fresh_kecamatan()
    kecamatan_b, desa_b = fresh_kecamatan()
    uploader, citer = world.officer(desa_a[0]), world.officer(desa_b[0])
    own_supervisor, citers_supervisor = world.supervisor(kecamatan_a), world.supervisor(kecamatan_b)
    photo = jpeg()
    name = f"/api/v1/media/{sha(photo)}"
    assert put(api, uploader.token, photo).status_code == 201
    api.push(citer.token, [report(desa_code=desa_b[0], media=[sha(photo)])])
    for reader in (citer, citers_supervisor):
        assert_error(api.get(name, token=reader.token), 404)
        assert api.request("HEAD", name, token=reader.token).status_code == 404
    assert_error(api.get(name, token=own_supervisor.token), 404)        # A has not cited it yet
    api.push(uploader.token, [report(desa_code=desa_a[0], media=[sha(photo)])])
    assert api.get(name, token=own_supervisor.token).content == photo
    assert_error(api.get(name, token=citers_supervisor.token), 404)


def test_photos_are_served_with_nosniff(api, world):
    officer = world.officer()
    photo = jpeg()
    put(api, officer.token, photo)
    for method in ("GET", "HEAD"):
        response = api.request(method, f"/api/v1/media/{sha(photo)}", token=officer.token)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
