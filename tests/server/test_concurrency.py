"""Concurrent pushes against two server processes sharing one database, with a puller paging
along the whole time: every report is stored once and seen on the feed exactly once, in order."""
from __future__ import annotations

import threading

import pytest

from tests.server.helpers import PASSWORD, Actor, Api, ServerProcess, World, fresh_kecamatan, report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("workers"), serve_args=("--workers", "2"))
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def test_concurrent_pushes_reach_the_feed_exactly_once(two_workers):
    api = Api(two_workers.url)
    world = World(api=api, admin=Actor("admin", "admin", ["15"], api.login("admin", PASSWORD)))
    kecamatan, desa = fresh_kecamatan()
    officers = [world.officer(desa[0]) for _ in range(4)]
    supervisor = world.supervisor(kecamatan)
    sent: list[str] = []
    lock, done = threading.Lock(), threading.Event()

    def pusher(officer):
        for _ in range(8):
            batch = [report(desa_code=desa[0]) for _ in range(20)]
            body = Api(two_workers.url).push(officer.token, batch)
            assert {r["status"] for r in body["results"]} == {"created"}
            with lock:
                sent.extend(r["id"] for r in batch)

    seen, cursors = [], [0]

    def puller():
        client = Api(two_workers.url)
        while True:
            finished = done.is_set()
            changes, pages = client.pull_all(supervisor.token, cursor=cursors[-1], limit=37)
            seen.extend(changes)
            cursors.extend(pages[1:])
            if finished:
                return

    threads = [threading.Thread(target=pusher, args=(officer,)) for officer in officers]
    reader = threading.Thread(target=puller)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join(60)
    seqs = [change["seq"] for change in seen]
    assert seqs == sorted(set(seqs))
    assert all(a <= b for a, b in zip(cursors, cursors[1:], strict=False))
    assert sorted(change["data"]["id"] for change in seen) == sorted(sent)
    assert len(sent) == 4 * 8 * 20
