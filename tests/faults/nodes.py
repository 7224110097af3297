"""Several server nodes on one PostgreSQL database, for the node tests and the node fault test.

``start_nodes`` initialises the database once (with the province admin) and starts ``count`` real
``serve`` processes on it; ``engine_pid`` asks PostgreSQL which of them holds the engine lock (the
coordination connection is named ``peta-node <host>:<pid>``), as an operator would.
"""
from __future__ import annotations

from pathlib import Path

from sync_server.storage.pg.coordination import ENGINE_LOCK
from tests.faults.harness import RealServer, query
from tests.server.helpers import PASSWORD

HOLDER = """
SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ? AND l.objid::bigint = ?
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def start_nodes(workdir: Path, database: str, count: int = 2, env: dict[str, str] | None = None) -> list[RealServer]:
    """``init`` + admin, then ``count`` nodes serving ``database``, each up before the next starts
    (so the first one leads)."""
    nodes = []
    for number in range(count):
        node = RealServer(workdir / f"node-{number}", database, init=number == 0)
        node.env.update(env or {})
        if number == 0:
            node.cli("create-user", "--username", "admin", "--name", "Admin Uji", "--role", "admin",
                     "--scope", "15", "--password", PASSWORD)
        nodes.append(node.start())
    return nodes


def engine_pid(database: str) -> int | None:
    """The process id of the node that holds the engine lock (None: no node does right now)."""
    rows = query(database, HOLDER, (ENGINE_LOCK >> 32, ENGINE_LOCK & 0xFFFF_FFFF))
    if not rows:
        return None
    name = rows[0][0]                                  # "peta-node <host>:<pid>"
    return int(name.rpartition(":")[2]) if name.startswith("peta-node ") else None


def engine_node(database: str, nodes: list[RealServer]) -> RealServer | None:
    pid = engine_pid(database)
    return next((node for node in nodes if node.process is not None and node.process.pid == pid), None)


def stop_all(nodes: list[RealServer]) -> None:
    for node in nodes:
        node.stop()
