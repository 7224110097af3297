"""PUT / HEAD /api/v1/media/{sha256}/parts: resumable, streamed photo uploads, against a real server.

A client may send the photo in parts (``CHUNK`` here) or the whole rest in one request; a request
cut midway keeps the bytes that arrived (raw sockets play the phone that loses its signal).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import socket
import threading

import httpx
import pytest

from tests.server.helpers import Actor, Api, ServerProcess, World, assert_error, wait_until
from tests.server.media_support import ServerMedia

CHUNK = 32 * 1024


def jpeg(size: int = 100_000) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_part(api, token, name, data, start, end=None, total=None, **headers):
    """One chunk ``data[start:end]`` of ``data`` (``end`` exclusive; ``total`` defaults to len(data))."""
    end = min(start + CHUNK, len(data)) if end is None else end
    total = len(data) if total is None else total
    return api.request("PUT", f"/api/v1/media/{name}/parts", token=token, content=data[start:end],
                       headers={"Content-Type": "application/octet-stream",
                                "Content-Range": f"bytes {start}-{end - 1}/{total}", **headers})


def head_parts(api, token, name):
    return api.request("HEAD", f"/api/v1/media/{name}/parts", token=token)


def upload(api, token, data, name=None, start=0):
    """Every chunk from ``start``; the last answer."""
    name = name or sha(data)
    while True:
        response = put_part(api, token, name, data, start)
        if response.status_code != 202:
            return response
        start = int(response.headers["upload-offset"])


def partial_of(server, officer, name) -> bool:
    """Whether the officer holds a partial upload of the photo where the server keeps them."""
    return ServerMedia(server).present(officer.username, name)


def test_chunks_arrive_202_then_201_and_the_photo_reads_back_like_a_whole_put(api, world):
    officer = world.officer()
    photo = jpeg()
    name = sha(photo)
    assert head_parts(api, officer.token, name).status_code == 404
    first = put_part(api, officer.token, name, photo, 0)
    assert first.status_code == 202, first.text
    assert first.json() == {"sha256": name, "offset": CHUNK, "total": len(photo)}
    assert first.headers["upload-offset"] == str(CHUNK) and first.headers["range"] == f"bytes=0-{CHUNK - 1}"
    head = head_parts(api, officer.token, name)
    assert head.status_code == 200 and head.headers["upload-offset"] == str(CHUNK)
    assert_error(api.get(f"/api/v1/media/{name}", token=officer.token), 404)      # not a photo until complete
    last = upload(api, officer.token, photo, start=CHUNK)
    assert last.status_code == 201, last.text
    assert last.json() == {"sha256": name, "size": len(photo), "mime": "image/jpeg"}
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo
    done = head_parts(api, officer.token, name)
    assert done.status_code == 200
    assert done.headers["upload-offset"] == done.headers["upload-length"] == str(len(photo))
    again = put_part(api, officer.token, name, photo, 0)                       # already stored: like PUT
    assert again.status_code == 200 and again.json()["size"] == len(photo)
    whole = api.request("PUT", f"/api/v1/media/{name}", token=officer.token, content=photo)
    assert whole.status_code == 200


def test_a_chunk_out_of_order_or_at_a_wrong_offset_is_409_with_the_current_offset(api, world):
    officer = world.officer()
    photo = jpeg()
    name = sha(photo)
    early = assert_error(put_part(api, officer.token, name, photo, CHUNK), 409, "media.offset_mismatch")
    assert early["details"] == {"offset": 0}
    assert head_parts(api, officer.token, name).status_code == 404                   # nothing was kept
    assert put_part(api, officer.token, name, photo, 0).status_code == 202
    ahead = assert_error(put_part(api, officer.token, name, photo, 2 * CHUNK), 409, "media.offset_mismatch")
    behind = assert_error(put_part(api, officer.token, name, photo, 0), 409, "media.offset_mismatch")
    odd = assert_error(put_part(api, officer.token, name, photo, CHUNK - 10), 409)
    assert ahead["details"]["offset"] == behind["details"]["offset"] == odd["details"]["offset"] == CHUNK
    assert head_parts(api, officer.token, name).headers["upload-offset"] == str(CHUNK)
    assert upload(api, officer.token, photo, start=CHUNK).status_code == 201
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo


def test_a_total_over_the_limit_is_refused_up_front(api, world):
    officer = world.officer()
    photo = jpeg(CHUNK)
    name = sha(photo)
    error = assert_error(put_part(api, officer.token, name, photo, 0, total=8 * 1024 * 1024 + 1), 413,
                         "request.too_large")
    assert error["details"] == {"limit_bytes": 8 * 1024 * 1024}
    assert head_parts(api, officer.token, name).status_code == 404


@pytest.mark.parametrize("content_range, reason", [
    (None, "format"), ("bytes 0-9", "format"), ("bytes=0-9/100", "format"), ("bytes -1-9/100", "format"),
    ("bytes 10-5/100", "range"), ("bytes 0-100/100", "range"), ("bytes 0-9/100", "length"),
])
def test_a_malformed_or_inconsistent_content_range_is_422(api, world, content_range, reason):
    officer = world.officer()
    body = jpeg(20)
    headers = {"Content-Range": content_range} if content_range else {}
    response = api.request("PUT", f"/api/v1/media/{sha(body)}/parts", token=officer.token, content=body,
                           headers=headers)
    error = assert_error(response, 422, "request.invalid")
    assert error["details"]["reasons"] == {"Content-Range": reason}
    assert head_parts(api, officer.token, sha(body)).status_code == 404


def test_a_bad_hash_at_the_end_discards_the_partial(api, world):
    officer = world.officer()
    photo = jpeg()
    name = sha(b"another photo")
    assert put_part(api, officer.token, name, photo, 0).status_code == 202
    error = assert_error(upload(api, officer.token, photo, name=name, start=CHUNK), 422, "media.hash_mismatch")
    assert "sha256" in error["details"]["fields"]
    assert head_parts(api, officer.token, name).status_code == 404
    assert_error(api.get(f"/api/v1/media/{name}", token=officer.token), 404)
    assert_error(api.get(f"/api/v1/media/{sha(photo)}", token=officer.token), 404)


def test_bytes_that_are_not_a_photo_are_refused_at_the_first_chunk_or_at_the_end(api, world):
    officer = world.officer()
    gif = b"GIF89a" + os.urandom(50_000)
    assert_error(put_part(api, officer.token, sha(gif), gif, 0), 415, "request.media_type")
    assert head_parts(api, officer.token, sha(gif)).status_code == 404
    # A first chunk too short to judge: the whole file is judged when it is complete.
    first = put_part(api, officer.token, sha(gif), gif, 0, end=4)
    assert first.status_code == 202, first.text
    assert_error(upload(api, officer.token, gif, start=4), 415, "request.media_type")
    assert head_parts(api, officer.token, sha(gif)).status_code == 404
    assert_error(api.get(f"/api/v1/media/{sha(gif)}", token=officer.token), 404)


def test_another_officers_partial_is_neither_readable_nor_extendable(api, world):
    mine, theirs = world.officer(), world.officer()
    photo = jpeg()
    name = sha(photo)
    assert put_part(api, mine.token, name, photo, 0).status_code == 202
    assert head_parts(api, theirs.token, name).status_code == 404
    refused = assert_error(put_part(api, theirs.token, name, photo, CHUNK), 409, "media.offset_mismatch")
    assert refused["details"] == {"offset": 0}                                 # their own (empty) upload
    assert put_part(api, theirs.token, name, photo, 0).status_code == 202      # their own partial
    assert head_parts(api, mine.token, name).headers["upload-offset"] == str(CHUNK)
    assert upload(api, mine.token, photo, start=CHUNK).status_code == 201
    assert_error(api.get(f"/api/v1/media/{name}", token=theirs.token), 404)   # stored, not theirs yet
    assert upload(api, theirs.token, photo, start=CHUNK).status_code == 200   # proved: now an uploader
    assert api.get(f"/api/v1/media/{name}", token=theirs.token).content == photo


def test_only_officers_use_the_parts_routes(api, world):
    photo = jpeg()
    name = sha(photo)
    supervisor = world.supervisor()
    assert_error(put_part(api, supervisor.token, name, photo, 0), 403, "auth.forbidden")
    assert head_parts(api, supervisor.token, name).status_code == 403
    assert_error(put_part(api, world.admin.token, name, photo, 0), 403, "auth.forbidden")
    assert_error(put_part(api, None, name, photo, 0), 401, "auth.unauthorized")
    assert head_parts(api, None, name).status_code == 401
    officer = world.officer()
    assert_error(put_part(api, officer.token, name.upper(), photo, 0), 422, "request.invalid")
    assert head_parts(api, officer.token, "abc").status_code == 422


def test_a_gzip_encoded_chunk_counts_its_decoded_bytes(api, world):
    officer = world.officer()
    photo = b"\x89PNG\r\n\x1a\n" + bytes(60_000)
    name = sha(photo)
    response = api.request("PUT", f"/api/v1/media/{name}/parts", token=officer.token,
                           content=gzip.compress(photo[:CHUNK]),
                           headers={"Content-Encoding": "gzip", "Content-Range": f"bytes 0-{CHUNK - 1}/{len(photo)}"})
    assert response.status_code == 202, response.text
    last = upload(api, officer.token, photo, start=CHUNK)
    assert last.status_code == 201 and last.json()["mime"] == "image/png"


def test_the_same_part_twice_at_once_is_written_once_and_the_second_is_409(api, world, server):
    officer = world.officer()
    photo = jpeg()
    name = sha(photo)
    assert put_part(api, officer.token, name, photo, 0).status_code == 202
    for _ in range(3):                                     # three races on the same part
        offset = int(head_parts(api, officer.token, name).headers["upload-offset"])
        gate, answers = threading.Barrier(2), []

        def send(offset=offset, gate=gate, answers=answers):
            with httpx.Client(base_url=server.url, timeout=30) as http:
                gate.wait()
                answers.append(http.put(f"/api/v1/media/{name}/parts", content=photo[offset:offset + 1000],
                                        headers={"Authorization": f"Bearer {officer.token}",
                                                 "Content-Range": f"bytes {offset}-{offset + 999}/{len(photo)}"}))

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(answer.status_code for answer in answers) == [202, 409]
        conflict = next(answer for answer in answers if answer.status_code == 409).json()["error"]
        # Either the second found the first still holding the partial, or came after it (too early now).
        assert conflict["code"] in ("media.upload_in_progress", "media.offset_mismatch")
        assert conflict["details"]["offset"] in ((offset, offset + 1000) if conflict["code"].endswith("progress")
                                                 else (offset + 1000,))
        assert head_parts(api, officer.token, name).headers["upload-offset"] == str(offset + 1000)
    assert upload(api, officer.token, photo, start=CHUNK + 3000).status_code == 201
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo     # not corrupted


def test_a_stale_partial_is_removed_on_access_and_a_new_upload_scans_nothing(api, world, server):
    """Stale partials go when looked at, or by the background sweep (test_quotas_gc.py): a new
    upload no longer scans every partial of the server."""
    officer, partials = world.officer(), ServerMedia(server)
    old, older, new, young = jpeg(), jpeg(), jpeg(), jpeg()
    for photo in (old, older):                                                # last written 8 days ago
        partials.plant(officer.username, sha(photo), photo[:CHUNK], age_seconds=8 * 24 * 3600)
    partials.plant(officer.username, sha(young), young[:CHUNK], age_seconds=6 * 24 * 3600)   # not yet stale
    assert partials.present(officer.username, sha(old)) and partials.present(officer.username, sha(older))
    assert head_parts(api, officer.token, sha(old)).status_code == 404               # on access
    assert not partials.present(officer.username, sha(old))
    assert put_part(api, officer.token, sha(old), old, CHUNK).status_code == 409
    assert put_part(api, officer.token, sha(new), new, 0).status_code == 202
    assert partials.present(officer.username, sha(older))                      # left to the sweep
    assert head_parts(api, officer.token, sha(young)).headers["upload-offset"] == str(CHUNK)


def test_a_partial_survives_a_server_kill_and_the_upload_resumes(tmp_path):
    from tests.faults.harness import RealServer

    server = RealServer(tmp_path).start()
    try:
        token = server.enroll_officer("87099001")
        photo = jpeg(150_000)
        name = sha(photo)
        with httpx.Client(base_url=server.url, timeout=30) as http:
            def chunk(start):
                end = min(start + CHUNK, len(photo))
                return http.put(f"/api/v1/media/{name}/parts", content=photo[start:end],
                                headers={"Authorization": f"Bearer {token}",
                                         "Content-Range": f"bytes {start}-{end - 1}/{len(photo)}"})

            assert chunk(0).status_code == 202 and chunk(CHUNK).status_code == 202
            server.kill()                                   # SIGKILL: no shutdown handler runs
            server.start()
            head = http.head(f"/api/v1/media/{name}/parts", headers={"Authorization": f"Bearer {token}"})
            assert head.status_code == 200 and head.headers["upload-offset"] == str(2 * CHUNK)
            offset, answer = 2 * CHUNK, None
            while offset < len(photo):
                answer = chunk(offset)
                offset = min(offset + CHUNK, len(photo))
            assert answer.status_code == 201, answer.text
            got = http.get(f"/api/v1/media/{name}", headers={"Authorization": f"Bearer {token}"})
            assert got.content == photo
    finally:
        server.stop()


def test_a_partial_holding_every_byte_is_completed_by_a_repeat_of_its_last_chunk(api, world, server):
    """A server killed between the last append and the store leaves a full partial: HEAD says every
    byte is there, and the client's repeat of its last chunk stores it."""
    officer, partials = world.officer(), ServerMedia(server)
    photo = jpeg()
    name = sha(photo)
    partials.plant(officer.username, name, photo)                         # as the kill left it
    assert head_parts(api, officer.token, name).headers["upload-offset"] == str(len(photo))
    last = len(photo) - len(photo) % CHUNK
    done = put_part(api, officer.token, name, photo, last)
    assert done.status_code == 201, done.text
    assert not partials.present(officer.username, name)
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo


# ---------------------------------------------------------------- one request, streamed, cut midway


def open_part(url: str, token: str, name: str, data: bytes, start: int, sent: int) -> socket.socket:
    """A raw ``PUT …/parts`` announcing ``data[start:]`` (Content-Length and Content-Range) of which
    only the first ``sent`` bytes go out; the socket is left open for the caller to go on or close."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    total = len(data)
    head = (f"PUT /api/v1/media/{name}/parts HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Range: bytes {start}-{total - 1}/{total}\r\nContent-Length: {total - start}\r\n\r\n")
    conn = socket.create_connection((host, int(port)), timeout=30)
    conn.sendall(head.encode("ascii") + data[start:start + sent])
    return conn


def answer_of(conn: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read the response on a raw socket until the server closes it or it is complete."""
    received = b""
    while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < _length(received):
        chunk = conn.recv(65536)
        if not chunk:
            break
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {key.lower(): value for key, _, value in (line.partition(": ") for line in lines)}
    return int(status_line.split(" ")[1]), headers, body


def _length(received: bytes) -> int:
    for line in received.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 1 << 30


def offset_becomes(api, token, name, expected, seconds: float = 20) -> int | None:
    """Poll ``HEAD …/parts`` until it says ``expected`` (the server notices a cut asynchronously);
    the last offset seen (None: 404)."""
    seen: list[int | None] = []

    def arrived() -> bool:
        head = head_parts(api, token, name)
        seen.append(int(head.headers["upload-offset"]) if head.status_code == 200 else None)
        return seen[-1] == expected

    wait_until(arrived, seconds)
    return seen[-1]


def released(api, token, name, seconds: float = 20) -> bool:
    """Wait until no request holds the partial (``HEAD …/parts`` without ``Upload-In-Progress``)."""
    return wait_until(lambda: "upload-in-progress" not in head_parts(api, token, name).headers, seconds)


def test_a_whole_photo_in_one_request_is_stored_at_once(api, world, server):
    officer = world.officer()
    photo = jpeg(300_000)
    name = sha(photo)
    done = put_part(api, officer.token, name, photo, 0, end=len(photo))
    assert done.status_code == 201, done.text
    assert done.json() == {"sha256": name, "size": len(photo), "mime": "image/jpeg"}
    assert done.headers["upload-offset"] == str(len(photo))
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo
    assert not partial_of(server, officer, name)                             # moved into the store


def test_a_request_cut_midway_keeps_its_prefix_and_the_rest_completes_the_photo(api, world, server):
    officer = world.officer()
    photo = jpeg(200_000)
    name = sha(photo)
    conn = open_part(server.url, officer.token, name, photo, 0, 77_777)
    assert offset_becomes(api, officer.token, name, 77_777) == 77_777     # streamed in before the cut
    conn.close()                                                          # the signal is lost
    assert released(api, officer.token, name)                             # the server noticed the cut
    assert head_parts(api, officer.token, name).headers["upload-offset"] == "77777"    # kept, not thrown away
    assert_error(api.get(f"/api/v1/media/{name}", token=officer.token), 404)    # not a photo yet
    # Cut again. Bytes still in uvicorn's buffer when it notices a close are not handed on (at most
    # its 64 KiB buffer; on a slow link the server takes each piece as it arrives), so the test waits
    # for them to be taken, as on 2G, before the "signal is lost".
    second = open_part(server.url, officer.token, name, photo, 77_777, 50_000)
    assert offset_becomes(api, officer.token, name, 127_777) == 127_777
    second.close()
    assert released(api, officer.token, name)
    assert head_parts(api, officer.token, name).headers["upload-offset"] == "127777"
    assert_error(put_part(api, officer.token, name, photo, 77_777, end=len(photo)), 409, "media.offset_mismatch")
    rest = put_part(api, officer.token, name, photo, 127_777, end=len(photo))
    assert rest.status_code == 201, rest.text
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo    # the hash verified


def test_a_request_cut_before_its_first_byte_leaves_nothing(api, world, server):
    """No partial exists before its first bytes do: a request that sent only its headers holds
    nothing, and another request may start the upload meanwhile."""
    officer = world.officer()
    photo = jpeg()
    name = sha(photo)
    conn = open_part(server.url, officer.token, name, photo, 0, 0)
    try:
        assert head_parts(api, officer.token, name).status_code == 404
        assert not partial_of(server, officer, name)
        refused = assert_error(put_part(api, officer.token, name, photo, CHUNK), 409, "media.offset_mismatch")
        assert refused["details"] == {"offset": 0}
    finally:
        conn.close()
    assert not partial_of(server, officer, name)
    assert head_parts(api, officer.token, name).status_code == 404
    assert upload(api, officer.token, photo).status_code == 201


def test_an_empty_body_creates_no_partial(api, world, server):
    officer = world.officer()
    photo = jpeg()
    name = sha(photo)
    empty = api.request("PUT", f"/api/v1/media/{name}/parts", token=officer.token, content=b"",
                        headers={"Content-Range": f"bytes 0-{CHUNK - 1}/{len(photo)}"})
    assert empty.status_code == 202 and empty.json()["offset"] == 0
    assert not partial_of(server, officer, name)
    assert head_parts(api, officer.token, name).status_code == 404


def test_a_second_request_while_one_streams_is_409_at_once_and_the_first_completes(api, world, server):
    officer = world.officer()
    photo = jpeg(200_000)
    name = sha(photo)
    first = open_part(server.url, officer.token, name, photo, 0, 60_000)
    try:
        assert offset_becomes(api, officer.token, name, 60_000) == 60_000
        assert head_parts(api, officer.token, name).headers["upload-in-progress"] == "1"
        # The session server's idle timeout is 30 s: answered within 10 s means it did not wait.
        with httpx.Client(base_url=server.url, timeout=10) as http:
            for start in (60_000, 0):
                busy = http.put(f"/api/v1/media/{name}/parts", content=photo[start:],
                                headers={"Authorization": f"Bearer {officer.token}",
                                         "Content-Range": f"bytes {start}-{len(photo) - 1}/{len(photo)}"})
                error = assert_error(busy, 409, "media.upload_in_progress")
                assert error["details"] == {"offset": 60_000}
        first.sendall(photo[60_000:])                                    # the first goes on undisturbed
        status, headers, body = answer_of(first)
    finally:
        first.close()
    assert status == 201, body
    assert headers["upload-offset"] == str(len(photo))
    assert "upload-in-progress" not in head_parts(api, officer.token, name).headers
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo


def test_bytes_past_total_or_a_body_longer_than_its_range_keep_nothing_of_that_request(api, world):
    officer = world.officer()
    photo = jpeg()
    name = sha(photo)
    assert put_part(api, officer.token, name, photo, 0).status_code == 202
    total = len(photo)
    past = api.request("PUT", f"/api/v1/media/{name}/parts", token=officer.token, content=photo[CHUNK:] + b"xx",
                       headers={"Content-Range": f"bytes {CHUNK}-{total + 1}/{total}"})
    assert assert_error(past, 422)["details"]["reasons"] == {"Content-Range": "range"}
    longer = api.request("PUT", f"/api/v1/media/{name}/parts", token=officer.token, content=photo[CHUNK:],
                         headers={"Content-Range": f"bytes {CHUNK}-{total - 2}/{total}"})   # announced longer
    assert assert_error(longer, 422)["details"]["reasons"] == {"Content-Range": "length"}

    def streamed():                                          # chunked: no Content-Length to judge up front
        for start in range(CHUNK, total, 10_000):
            yield photo[start:start + 10_000]
        yield b"one too many"

    overflow = api.request("PUT", f"/api/v1/media/{name}/parts", token=officer.token, content=streamed(),
                           headers={"Content-Range": f"bytes {CHUNK}-{total - 1}/{total}"})
    assert assert_error(overflow, 422)["details"]["reasons"] == {"Content-Range": "length"}
    assert head_parts(api, officer.token, name).headers["upload-offset"] == str(CHUNK)    # as before them
    assert put_part(api, officer.token, name, photo, CHUNK, end=total).status_code == 201
    assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo


def test_a_client_that_stalls_mid_body_is_ended_by_the_idle_timeout_and_its_prefix_kept(tmp_path):
    server = ServerProcess(tmp_path, env={"PETA_UPLOAD_IDLE_SECONDS": "1"})
    try:
        api = Api(server.url)
        world = World(api=api, admin=Actor("admin", "admin", ["15"], api.login("admin")))
        officer = world.officer()
        photo = jpeg(150_000)
        name = sha(photo)
        stalled = open_part(server.url, officer.token, name, photo, 0, 40_000)     # then nothing, not closed
        try:
            status, headers, body = answer_of(stalled)                   # the server ends it
        finally:
            stalled.close()
        assert status == 408, body
        assert headers.get("connection") == "close"
        error = httpx.Response(status, content=body).json()["error"]
        assert error["code"] == "request.timeout"
        assert error["details"] == {"offset": 40_000, "idle_seconds": 1.0}
        assert head_parts(api, officer.token, name).headers["upload-offset"] == "40000"     # the lock is free
        done = put_part(api, officer.token, name, photo, 40_000, end=len(photo))
        assert done.status_code == 201, done.text
        assert api.get(f"/api/v1/media/{name}", token=officer.token).content == photo
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def test_head_of_a_missing_photo_tells_only_its_own_uploader_where_the_cut_upload_ends(api, world):
    """``HEAD /media/{sha}`` is 404 for a photo the server does not hold; for the officer whose
    upload was cut it also carries ``Upload-Offset`` (the phone resumes with no extra round trip)."""
    mine, theirs, boss = world.officer(), world.officer(), world.supervisor()
    photo = jpeg()
    name = sha(photo)
    head = api.request("HEAD", f"/api/v1/media/{name}", token=mine.token)
    assert head.status_code == 404 and "upload-offset" not in head.headers     # nothing yet
    assert put_part(api, mine.token, name, photo, 0).status_code == 202
    head = api.request("HEAD", f"/api/v1/media/{name}", token=mine.token)
    assert head.status_code == 404 and head.headers["upload-offset"] == str(CHUNK)
    assert "upload-in-progress" not in head.headers
    for other in (theirs, boss):                                                # nothing leaks
        head = api.request("HEAD", f"/api/v1/media/{name}", token=other.token)
        assert head.status_code == 404 and "upload-offset" not in head.headers
    assert_error(api.get(f"/api/v1/media/{name}", token=mine.token), 404)      # GET: the usual 404
    assert upload(api, mine.token, photo, start=CHUNK).status_code == 201
    head = api.request("HEAD", f"/api/v1/media/{name}", token=mine.token)
    assert head.status_code == 200 and "upload-offset" not in head.headers
