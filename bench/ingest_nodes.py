"""The ingest workload on one SQLite node, one PostgreSQL node and two PostgreSQL nodes, in one run.

    .venv/bin/python bench/ingest.py --db                      # starts its own durable PostgreSQL
    .venv/bin/python bench/ingest.py --db postgresql://user@host/postgres

``bench/ingest.py --db`` comes here (issue 16). Each configuration gets a fresh database, its own
officers and supervisor, the untimed warm-up, then the same timed push of the same gzip'd batches
(bench/ingest.py's ``Workload``), the first alert read after it, and the supervisor's pull. With two
nodes, two ``serve`` processes run on different ports against one database and the clients are
spread round-robin over them (client ``i`` talks to node ``i % 2`` on its keep-alive connection).

Without a URL the bench starts a throwaway cluster (tests/pg_cluster.py ``PgCluster(durable=True)``:
PostgreSQL's defaults, ``fsync`` and ``synchronous_commit`` on, so a ``created`` is on disk as with
SQLite's ``synchronous=FULL``) and counts its processes' CPU as the database's. With a URL, it creates
and drops one database per configuration there (the role needs CREATEDB); the database's CPU is then
not seen. The header says which, with the server's version and its durability settings.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import BenchServer, cpu_seconds, machine_line, percentile, print_table
from bench.ingest import (
    INSERT_CHANGE,
    INSERT_REPORT,
    SUPERVISOR_SCOPE,
    PullStats,
    PushStats,
    Workload,
    insert_rate,
    run_pull,
    run_push,
    server_rows,
    settle_alerts,
    warm_up,
)
from sync_server.storage import open_storage
from sync_server.storage.postgres import redacted

BENCH_USER = ("INSERT INTO users (username, name, role, scope, created_at) "
              "VALUES ('officer', 'Bench', 'officer', '[]', '2024-01-01T00:00:00Z')")

CONFIGURATIONS = (("SQLite, 1 node", "sqlite", 1), ("PostgreSQL, 1 node", "postgresql", 1),
                  ("PostgreSQL, 2 nodes", "postgresql", 2))


class PgServer:
    """Where the PostgreSQL configurations get their databases: a durable throwaway cluster of our
    own, or the server of ``url`` (a fresh database per configuration, dropped afterwards)."""

    def __init__(self, url: str | None):
        self.cluster = None
        if url is None:
            from tests.pg_cluster import PgCluster

            self.cluster = PgCluster(durable=True)
            url = self.cluster.url()
        self.url = url
        self.count = 0

    def admin(self, sql: str) -> Any:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql).fetchall() if sql.startswith("SHOW") else conn.execute(sql)

    def describe(self) -> str:
        version, fsync, commit = (self.admin(f"SHOW {name}")[0][0]
                                  for name in ("server_version", "fsync", "synchronous_commit"))
        where = "own throwaway cluster" if self.cluster else f"server of {redacted(self.url)}"
        return f"PostgreSQL {version.split()[0]} ({where}; fsync={fsync}, synchronous_commit={commit})"

    def fresh_database(self) -> str:
        self.count += 1
        name = f"peta_bench_{int(time.time())}_{self.count}"
        self.admin(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
        scheme, netloc, _, query, fragment = urlsplit(self.url)
        return urlunsplit((scheme, netloc, f"/{name}", query, fragment))

    def drop(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {urlsplit(url).path.lstrip('/')} WITH (FORCE)")

    def pids(self) -> list[int]:
        """The postmaster (its backends are its children), when the cluster is ours."""
        if self.cluster is None:
            return []
        return [int((self.cluster.data / "postmaster.pid").read_text().split()[0])]

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


class Nodes:
    """Server nodes on one database, as ``run_push`` sees a server: ``ports`` for the clients, ``pids``
    for the CPU (every node and, when known, the database). Calls go to the last node started."""

    def __init__(self, folder: Path, count: int, *, workers: int, database: str | None, db_pids: list[int]):
        self.nodes: list[BenchServer] = []
        try:
            for index in range(count):
                self.nodes.append(BenchServer(folder / f"node{index + 1}", workers=workers,
                                              database=database or str(folder / "peta.db"), prepare=index == 0))
        except BaseException:
            self.stop()
            raise
        self.ports = [node.port for node in self.nodes]
        self.port, self.pid = self.nodes[0].port, self.nodes[0].pid
        self.db_pids = db_pids
        self.pids = [node.pid for node in self.nodes] + db_pids

    def user_token(self, username: str, role: str, scope: Any) -> str:
        return self.nodes[0].user_token(username, role, scope)

    def call(self, method: str, path: str, body: object = None, token: str | None = None) -> tuple[int, object]:
        return self.nodes[-1].call(method, path, body, token)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@dataclass
class Outcome:
    push: PushStats
    db_cpu: float                   # the database's CPU seconds during the push (0: not seen)
    settle: tuple[float, float]
    pull: PullStats


def run_configuration(folder: Path, nodes: int, workload: Workload, args: argparse.Namespace,
                      database: str | None, db_pids: list[int]) -> Outcome:
    with_nodes = Nodes(folder, nodes, workers=args.workers, database=database, db_pids=db_pids)
    try:
        tokens = [with_nodes.user_token(f"8705{index:04d}", "officer", [desa])
                  for index, desa in enumerate(workload.officer_desa())]
        supervisor = with_nodes.user_token("polres_kerinci", "supervisor", SUPERVISOR_SCOPE)
        warm_up(with_nodes, tokens, workload)
        db_before = sum(cpu_seconds(pid) for pid in db_pids)
        push = run_push(with_nodes, tokens, workload.shares(), workload.counts())
        db_cpu = sum(cpu_seconds(pid) for pid in db_pids) - db_before
        settle = settle_alerts(with_nodes, supervisor, push)
        pull = run_pull(with_nodes.nodes[0], supervisor, expected=args.reports)
    finally:
        with_nodes.stop()
    return Outcome(push=push, db_cpu=db_cpu, settle=settle, pull=pull)


def run_all(folder: Path, workload: Workload, args: argparse.Namespace, pg: PgServer) -> list[Outcome]:
    outcomes = []
    for index, (_, backend, nodes) in enumerate(CONFIGURATIONS):
        database = pg.fresh_database() if backend == "postgresql" else None
        try:
            outcomes.append(run_configuration(folder / f"config{index + 1}", nodes, workload, args, database,
                                              pg.pids() if database else []))
        finally:
            if database:
                pg.drop(database)
    return outcomes


def raw_ceilings(workload: Workload, folder: Path, pg: PgServer) -> tuple[float, float]:
    """Reports/s of the database alone: the push's two rows per report (``changes``, ``reports``) into
    the current schema, one transaction per batch, one writer — SQLite as the server opens it
    (WAL, ``synchronous=FULL``), PostgreSQL through the server's own write transaction and ``insert_values``."""
    _, changes, stored = server_rows(workload)
    path = folder / "raw-current.db"
    open_storage(path, migrate=True).close()
    sqlite_rate = insert_rate(path, [BENCH_USER], [(INSERT_CHANGE, changes), (INSERT_REPORT, stored)],
                               workload.batch)
    url = pg.fresh_database()
    try:
        open_storage(url, migrate=True).close()
        pg_rate = _pg_insert_rate(url, changes, stored, workload.batch)
    finally:
        pg.drop(url)
    return sqlite_rate, pg_rate


def _pg_insert_rate(url: str, changes: list[tuple], stored: list[tuple], batch: int) -> float:
    """The rows written as the server writes them: its write transaction (the advisory lock taken),
    one ``insert_values`` (``unnest`` of arrays) per table, a commit per batch."""
    storage = open_storage(url)
    try:
        with storage.db.writing() as conn:
            conn.execute(BENCH_USER)
        began = time.perf_counter()
        for start in range(0, len(changes), batch):
            with storage.db.writing() as conn:
                conn.insert_values(INSERT_CHANGE, changes[start:start + batch])
                conn.insert_values(INSERT_REPORT, stored[start:start + batch])
        return len(changes) / (time.perf_counter() - began)
    finally:
        storage.close()


def rows(outcomes: list[Outcome], args: argparse.Namespace, seen_db: bool,
         raw: tuple[float, float]) -> list[list[str]]:
    def each(cell: Any) -> list[str]:
        return [cell(outcome) for outcome in outcomes]

    def latency(outcome: Outcome, fraction: float) -> str:
        return f"{percentile(outcome.push.latencies, fraction) * 1000:.0f}"

    def cpu(outcome: Outcome) -> str:
        push = outcome.push
        nodes, database = (push.cpu - outcome.db_cpu) / push.reports * 1e6, outcome.db_cpu / push.reports * 1e6
        return f"{nodes:.0f} + {database:.0f} µs" if outcome.db_cpu else f"{nodes:.0f} µs"

    base = outcomes[0].push.reports / outcomes[0].push.seconds
    ceilings = [f"{rate:,.0f} reports/s" for rate in (raw[0], raw[1], raw[1])]
    return [
        [f"push: sustained, {args.clients} clients, batches of {args.batch}",
         *each(lambda o: f"{o.push.reports / o.push.seconds:,.0f} reports/s"), ">= 7,500/s"],
        ["  against one SQLite node", *each(lambda o: f"{o.push.reports / o.push.seconds / base:.0%}"),
         ">= 100% (2 PG nodes)"],
        ["push: batch latency p50 / p95", *each(lambda o: f"{latency(o, 0.5)} / {latency(o, 0.95)} ms"), "-"],
        ["push: batch latency p99", *each(lambda o: f"{latency(o, 0.99)} ms"), "< 200 ms"],
        ["the database alone: a push's rows, one writer, a commit per batch", *ceilings, "-"],
        ["server CPU per report, nodes" + (" + PostgreSQL" if seen_db else ""), *each(cpu), "-"],
        ["load generator CPU per report", *each(lambda o: f"{o.push.client_cpu / o.push.reports * 1e6:.0f} µs"),
         "-"],
        ["alerts: first alert read after the last push waits", *each(lambda o: f"{o.settle[0] * 1000:.0f} ms"),
         "-"],
        [f"pull: {args.reports:,} changes, pages of <= 1000 (gzip)",
         *each(lambda o: f"{o.pull.seconds * 1000:,.0f} ms"), "< 500 ms"],
    ]


def main(args: argparse.Namespace, workload: Workload, folder: Path) -> None:
    pg = PgServer(None if args.db == "cluster" else args.db)
    try:
        header = (f"# Peta Rawan sync server ingest, SQLite and PostgreSQL — {machine_line()}; workers "
                  f"{args.workers} per node, seed {args.seed}\n# {pg.describe()}; {args.reports:,} reports, "
                  f"{args.clients} clients round-robin over the nodes")
        outcomes = run_all(folder, workload, args, pg)
        raw = raw_ceilings(workload, folder, pg)
    finally:
        pg.stop()
    print(header)
    print_table(rows(outcomes, args, seen_db=pg.cluster is not None, raw=raw),
                ("measure", *(name for name, _, _ in CONFIGURATIONS), "target"))
