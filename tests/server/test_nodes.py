"""Several server nodes on one PostgreSQL database behave as one server (issue 16).

The coordination itself (``storage/pg/coordination.py``) on a real cluster: one node leads, another
takes over when it closes or its connection is cut, notifications reach every node. Then real
``serve`` processes: a push to one node is in the alerts a supervisor reads on the other
(read-your-writes across nodes, no waiting in the test: the read itself waits for the engine node's
pass), the engine moves when its node is SIGKILLed and alerts keep opening, and the same batch pushed
to both nodes at once is stored once.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_server.storage import open_storage
from sync_server.storage.pg.coordination import PgCoordination
from tests.faults.harness import query
from tests.faults.nodes import engine_node, engine_pid, start_nodes, stop_all
from tests.server.alerts_support import wib
from tests.server.helpers import PASSWORD, Actor, Api, World, fresh_kecamatan, report, wait_until

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- the coordination, in process


class Member:
    """One node's coordination with what it was told."""

    def __init__(self, url: str, name: str):
        self.storage = open_storage(url)
        self.coordination = PgCoordination(url, self.storage.db, name=name)
        self.leads_taken, self.changes, self.evaluated = 0, [], []
        self.coordination.start(on_lead=self._lead, on_changes=self.changes.append,
                                on_evaluated=self.evaluated.append)

    def _lead(self) -> None:
        self.leads_taken += 1

    def close(self) -> None:
        self.coordination.close()
        self.storage.close()


@pytest.fixture
def members(pg_cluster):
    url = pg_cluster.database()
    made = [Member(url, "peta-node uji-a:1"), Member(url, "peta-node uji-b:2")]
    yield made
    for member in made:
        member.close()
    pg_cluster.drop(url)


def test_one_node_leads_and_another_takes_over_when_it_stops(members):
    first, second = members
    assert (first.coordination.leads(), second.coordination.leads()) == (True, False)   # the first started first
    assert (first.leads_taken, second.leads_taken) == (1, 0)
    first.close()
    assert wait_until(second.coordination.leads, 15)
    assert second.leads_taken == 1


def test_a_cut_connection_ends_the_lead_and_the_nodes_compete_again(members, pg_cluster):
    first, second = members
    holder = first.coordination.backend_pid
    pg_cluster.admin(f"SELECT pg_terminate_backend({holder})")
    assert wait_until(lambda: first.coordination.backend_pid != holder, 15)       # it reconnected
    assert wait_until(lambda: first.coordination.leads() != second.coordination.leads(), 15)
    assert first.leads_taken + second.leads_taken == 2                           # one more lead taken


def test_notifications_reach_the_leader_and_every_node(members):
    leader, follower = members
    follower.coordination.changed(urgent=True)
    assert wait_until(lambda: leader.changes == [True], 15)                      # a reader waits: urgent
    follower.coordination.changed()
    assert wait_until(lambda: leader.changes == [True, False], 15)
    assert follower.changes == []                                                # only the leader is told
    leader.coordination.evaluated(42)
    assert follower.coordination.wait_evaluated(42, 15)
    assert follower.coordination.evaluated_seq() == 42 and 42 in follower.evaluated
    assert leader.coordination.evaluated_seq() == 42
    assert not follower.coordination.wait_evaluated(43, 0.2)                    # nothing covers 43 yet


# ---------------------------------------------------------------- real serve processes


T = wib("11-27 22:00")


QUIET_SECONDS = "30"        # PETA_ALERT_INTERVAL: after a pass, the engine node's pump waits this long
                            # before the next one unless a reader waits (here, or on another node)


@contextlib.contextmanager
def two_nodes(pg_cluster, folder: Path) -> Iterator[tuple[str, list]]:
    """Two nodes on a fresh database, on one clock (a file: voting night), without periodic passes
    (``PETA_EVALUATE_SECONDS=0``) and with a long pump interval: a pass the tests see follows a
    takeover or a reader who waits for it, so a read that did not wait would see the state before."""
    url = pg_cluster.database()
    clock = folder / "clock.txt"
    clock.write_text(T.isoformat(), encoding="utf-8")
    nodes = start_nodes(folder, url, 2, env={"PETA_CLOCK_FILE": str(clock), "PETA_ALERT_INTERVAL": QUIET_SECONDS,
                                             "PETA_LOGIN_FAILURES_PER_ADDRESS": "100000"})
    try:
        yield url, nodes
    finally:
        stop_all(nodes)
        pg_cluster.drop(url)
    for node in nodes:
        assert "Traceback" not in node.log(), node.log()


@pytest.fixture(scope="module")
def pair(pg_cluster, tmp_path_factory):
    """(url, leader, follower, world): two nodes the module's tests share (none of them kills one)."""
    with two_nodes(pg_cluster, tmp_path_factory.mktemp("nodes")) as (url, nodes):
        leader = engine_node(url, nodes)
        assert leader is nodes[0]                                  # the first node up leads
        yield url, leader, nodes[1], world_on(leader)


def world_on(node) -> World:
    api = Api(node.url)
    return World(api=api, admin=Actor(username="admin", role="admin", scope=["15"],
                                      token=api.login("admin", PASSWORD)))


def incident(desa: str) -> dict:
    """One GN clash graded A1 observed at the clock's time: 3 × 9 × 1.0 = 27, the desa is rawan."""
    return report(category="bentrok", threat_stage="GN", desa_code=desa, source_reliability="A",
                  info_credibility=1, observed_at=T.isoformat())


def alerts_in(api: Api, token: str, region: str) -> list[dict]:
    response = api.get("/api/v1/alerts", token=token, params={"region": region})
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["region_code"] == region]


def quieten(world: World, leader) -> None:
    """A push read back on the engine node: a pass has just begun there, so its pump runs the next
    one only when a reader waits for it (within ``QUIET_SECONDS``)."""
    kecamatan, desa = fresh_kecamatan()
    polsek, officer = world.supervisor(kecamatan), world.officer(desa[0])
    Api(leader.url).push(officer.token, [incident(desa[0])])
    assert len(alerts_in(Api(leader.url), polsek.token, desa[0])) == 1


def test_a_push_to_one_node_is_in_the_alerts_read_on_the_other(pair):
    _url, leader, follower, world = pair
    for pusher, reader in ((leader, follower), (follower, follower), (follower, leader)):
        kecamatan, desa = fresh_kecamatan()
        polsek, officer = world.supervisor(kecamatan), world.officer(desa[0])
        quieten(world, leader)
        assert Api(pusher.url).push(officer.token, [incident(desa[0])])["results"][0]["status"] == "created"
        (alert,) = alerts_in(Api(reader.url), polsek.token, desa[0])           # no wait here: the read waits
        assert (alert["level"], alert["score"], alert["report_count"]) == ("rawan", 27.0, 1)
        detail = Api(reader.url).get(f"/api/v1/alerts/{alert['id']}", token=polsek.token).json()
        assert [item["report_id"] for item in detail["explanation"]["items"]] == [detail["reports"][0]["id"]]


def test_a_review_on_a_follower_moves_the_score_read_anywhere(pair):
    _url, leader, follower, world = pair
    kecamatan, desa = fresh_kecamatan()
    polsek, officer = world.supervisor(kecamatan), world.officer(desa[0])
    sent = incident(desa[0])
    Api(follower.url).push(officer.token, [sent])
    assert alerts_in(Api(follower.url), polsek.token, desa[0])[0]["score"] == 27.0
    quieten(world, leader)
    verdict = Api(follower.url).post(f"/api/v1/reports/{sent['id']}/review", token=polsek.token,
                                     json={"verdict": "reject"})
    assert verdict.status_code == 200, verdict.text
    for node in (follower, leader):
        (alert,) = alerts_in(Api(node.url), polsek.token, desa[0])
        assert alert["score"] == 0.0


def test_the_engine_moves_when_its_node_is_killed_and_alerts_keep_opening(pg_cluster, tmp_path):
    with two_nodes(pg_cluster, tmp_path) as (url, nodes):
        leader = engine_node(url, nodes)
        survivor = next(node for node in nodes if node is not leader)
        world = world_on(survivor)
        leader.kill()
        assert wait_until(lambda: engine_pid(url) == survivor.process.pid, 30), "no node took over the engine"
        kecamatan, desa = fresh_kecamatan()
        polsek, officer = world.supervisor(kecamatan), world.officer(desa[0])
        Api(survivor.url).push(officer.token, [incident(desa[0])])
        (alert,) = alerts_in(Api(survivor.url), polsek.token, desa[0])
        assert (alert["level"], alert["status"], alert["owner"]) == ("rawan", "open", polsek.username)


def push_at_once(nodes, token: str, batch: list[dict]) -> list[dict]:
    """The same push sent to every node at the same moment (a barrier); their answers, in node order."""
    answers: dict[int, dict] = {}
    barrier = threading.Barrier(len(nodes))

    def send(index: int, api: Api) -> None:
        barrier.wait()
        answers[index] = api.push(token, batch)

    threads = [threading.Thread(target=send, args=(index, Api(node.url))) for index, node in enumerate(nodes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return [answers[index] for index in range(len(nodes))]


def test_the_same_batch_pushed_to_both_nodes_at_once_is_stored_once(pair):
    url, leader, follower, world = pair
    nodes = [leader, follower]
    officer = world.officer(fresh_kecamatan()[1][0])
    for round_number in range(5):
        batch = [report(desa_code=officer.scope[0], observed_at=T.isoformat(),
                        facts=f"Ronde {round_number}, laporan {number}.") for number in range(40)]
        answers = push_at_once(nodes, officer.token, batch)
        for number, sent in enumerate(batch):
            statuses = sorted(answer["results"][number]["status"] for answer in answers)
            assert statuses == ["created", "duplicate"], (round_number, sent["id"], statuses)
        ids = [sent["id"] for sent in batch]
        marks = ",".join("?" for _ in ids)
        stored = query(url, f"SELECT id FROM reports WHERE id IN ({marks}) ORDER BY id", ids)
        assert [row[0] for row in stored] == sorted(ids)
