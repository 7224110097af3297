"""Photos on two server nodes that share nothing on disk (``PETA_MEDIA_STORE=database``), on SQLite
and on PostgreSQL: real ``serve`` processes on one database, each with its own (empty) media folder.

An upload cut on one node resumes on the other; while a request streams into a partial on one node,
the other answers ``409 media.upload_in_progress``; when that node is SIGKILLed mid-body, the bytes it
kept stay and its hold lapses by itself, so the phone finishes the photo through the other node.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sync_server.partials_db import HOLD_SECONDS
from tests.server.helpers import PASSWORD, ROOT, Actor, Api, World, assert_error, cli, free_port, wait_until
from tests.server.media_support import ServerMedia
from tests.server.test_media_parts import CHUNK, head_parts, jpeg, open_part, put_part, sha, upload

pytestmark = pytest.mark.slow


class Node:
    """``serve`` on a database another node serves too (``init`` done by the fixture)."""

    def __init__(self, workdir: Path, db: Path | str, env: dict[str, str]):
        workdir.mkdir(parents=True)
        self.db, self.backend = db, "postgresql" if str(db).startswith("postgresql://") else "sqlite"
        self.env = {**env, "PETA_MEDIA_DIR": str(workdir / "media")}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync_server", "serve", "--db", str(db), "--port", str(self.port),
                 "--log-level", "warning"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        assert wait_until(self._up, 60), self.log()
        self.api = Api(self.url)

    def _up(self) -> bool:
        assert self.process.poll() is None, self.log()
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def media_files(self) -> list[Path]:
        folder = Path(self.env["PETA_MEDIA_DIR"])
        return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture(params=("sqlite", "postgresql"))
def nodes(request, tmp_path):
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    db = cluster.database() if cluster else tmp_path / "peta.db"
    env = {**os.environ, "PETA_MEDIA_STORE": "database", "PETA_EVALUATE_SECONDS": "0", "PETA_SWEEP_SECONDS": "0",
           "PETA_LOGIN_FAILURES_PER_ADDRESS": "100000"}
    for args in (("init",), ("create-user", "--username", "admin", "--name", "Admin Uji", "--role", "admin",
                             "--scope", "15", "--password", PASSWORD)):
        done = cli(db, *args, env=env)
        assert done.returncode == 0, done.stderr
    started: list[Node] = []
    try:
        for name in ("a", "b"):
            started.append(Node(tmp_path / name, db, env))
        yield started
    finally:
        for node in started:
            node.stop()
        if cluster:
            cluster.drop(str(db))
    for node in started:
        assert "Traceback" not in node.log(), node.log()
        assert node.media_files() == []                       # nothing of a photo on a node's disk


def officer_of(node: Node) -> Actor:
    world = World(api=node.api, admin=Actor(username="admin", role="admin", scope=["15"],
                                            token=node.api.login("admin")))
    return world.officer()


def test_an_upload_cut_on_one_node_resumes_on_the_other(nodes):
    a, b = nodes
    officer, photo = officer_of(a), jpeg(150_000)
    name = sha(photo)
    assert put_part(a.api, officer.token, name, photo, 0).status_code == 202
    head = head_parts(b.api, officer.token, name)
    assert head.status_code == 200 and head.headers["upload-offset"] == str(CHUNK)
    offset = CHUNK
    for node in (b, a):                                        # a chunk through each node in turn
        answer = put_part(node.api, officer.token, name, photo, offset)
        assert answer.status_code == 202, answer.text
        offset = int(answer.headers["upload-offset"])
    last = upload(b.api, officer.token, photo, start=offset)
    assert last.status_code == 201, last.text
    assert a.api.get(f"/api/v1/media/{name}", token=officer.token).content == photo
    assert ServerMedia(a).stored(name) and not ServerMedia(a).present(officer.username, name)


def test_a_node_killed_mid_body_keeps_its_bytes_and_the_other_node_finishes_the_photo(nodes):
    a, b = nodes
    officer, photo = officer_of(a), jpeg(200_000)
    name = sha(photo)
    streaming = open_part(a.url, officer.token, name, photo, 0, 60_000)
    try:
        assert wait_until(lambda: head_parts(b.api, officer.token, name).headers.get("upload-offset") == "60000")
        assert head_parts(b.api, officer.token, name).headers["upload-in-progress"] == "1"
        busy = assert_error(put_part(b.api, officer.token, name, photo, 60_000), 409, "media.upload_in_progress")
        assert busy["details"] == {"offset": 60_000}
        a.process.kill()                                       # SIGKILL mid-body: no handler runs
        a.process.wait(10)
    finally:
        streaming.close()
    # The dead node's hold lapses by itself (HOLD_SECONDS); the bytes it kept are still there.
    assert wait_until(lambda: "upload-in-progress" not in head_parts(b.api, officer.token, name).headers,
                      HOLD_SECONDS + 20)
    assert head_parts(b.api, officer.token, name).headers["upload-offset"] == "60000"
    done = put_part(b.api, officer.token, name, photo, 60_000, end=len(photo))
    assert done.status_code == 201, done.text
    assert b.api.get(f"/api/v1/media/{name}", token=officer.token).content == photo
