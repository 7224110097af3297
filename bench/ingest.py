"""Sync server ingest benchmark: push throughput and latency, pull time, bytes on the wire.

    .venv/bin/python bench/ingest.py [--reports 10000] [--clients 8] [--batch 100] [--seed 7]
                                     [--workers 1]

Starts its own server on a free loopback port over a temporary database (``init``, an admin made
with ``create-user``, ``serve [--workers N]`` with ``PETA_EVALUATE_SECONDS=0``: no periodic alert
passes), creates one officer per client and a Polres Kerinci supervisor through the API, sends one
untimed warm-up batch per client (to Kota Jambi, outside the supervisor's scope), then:

1. push: every client (a thread with one keep-alive connection and its own officer token) sends
   its share of the reports in gzip'd batches, back to back; every result must be ``created``;
2. pull: the supervisor pages through all the new changes with ``limit=1000``;
3. raw SQLite: the same rows inserted with plain ``sqlite3`` (commit every batch, WAL,
   ``synchronous=FULL``) — the ceiling, so the ratio shows what the HTTP stack costs.

Reports are realistic wire reports (320–800 bytes of JSON) for real desa of Kerinci and Sungai
Penuh. Bodies are built and compressed before the clock starts. Targets (issue 3): push >= 7,500
reports/s with p99 batch latency < 200 ms; pull of 10,000 changes < 0.5 s; <= 250 bytes on the wire
per report in a gzip'd batch of 100. Results go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import random
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    OPINIONS,
    SENTENCES,
    WORD_WEIGHTS,
    WORDS,
    BenchServer,
    cpu_seconds,
    get_pages,
    machine_line,
    percentile,
    print_table,
)
from kerawanan import assets  # noqa: E402
from kerawanan.report import parse_report  # noqa: E402
from kerawanan.tahapan import WIB  # noqa: E402
from kerawanan.vocab import CATEGORY_CODES, STAGELESS_CATEGORIES, THREAT_STAGES  # noqa: E402
from sync_server.storage.migrations import V1_ACCOUNTS, V2_REPORTS, split_statements  # noqa: E402

SUPERVISOR_SCOPE = ("15.01", "15.72")   # Polres Kerinci: Kabupaten Kerinci and Kota Sungai Penuh
WARMUP_KABUPATEN = "15.71"              # Kota Jambi: outside the supervisor's scope, so never pulled
PILKADA = (datetime(2024, 9, 25, tzinfo=WIB), datetime(2024, 12, 16, 23, 59, tzinfo=WIB))
class Workload:
    """Every client's reports, built and gzip'd (level 6, like the field app) before any clock runs."""

    def __init__(self, *, seed: int, reports: int, clients: int, batch: int):
        self.rng = random.Random(seed)
        self.batch = batch
        gazetteer = assets.gazetteer()
        self.calendar = assets.calendar()
        self.desa = [r for code in SUPERVISOR_SCOPE for r in gazetteer.desa_under(code) if r.lat is not None]
        self.warmup_desa = [r for r in gazetteer.desa_under(WARMUP_KABUPATEN) if r.lat is not None]
        self.homes = self.rng.sample(self.desa, clients)
        self.reports = [[self.report(home) for _ in range(reports // clients + (index < reports % clients))]
                        for index, home in enumerate(self.homes)]
        self.bodies = [[encode(share[start:start + batch]) for start in range(0, len(share), batch)]
                       for share in self.reports]

    def report(self, home: Any) -> dict[str, Any]:
        """A wire report as the app sends it (``Report.to_wire()``: every field, null when absent)."""
        rng = self.rng
        desa = home if rng.random() < 0.8 else rng.choice(self.desa)
        span = int((PILKADA[1] - PILKADA[0]).total_seconds())
        observed = PILKADA[0] + timedelta(seconds=rng.randrange(span))
        fill = {"n": f"0{rng.randint(1, 3)}", "d": desa.name, "p": rng.randint(5, 400),
                "t": f"{rng.randint(1, 30):02d}", "h": f"{rng.randint(6, 23):02d}.{rng.choice(('00', '30'))}"}
        wire = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "observed_at": observed.isoformat(),
            "recorded_at": (observed + timedelta(seconds=rng.randint(30, 3 * 3600))).isoformat(),
            "category": rng.choice(CATEGORY_CODES), "threat_stage": rng.choice(THREAT_STAGES),
            "desa_code": desa.code,
            "location": None if rng.random() < 0.15 else {
                "lat": round(desa.lat + rng.uniform(-0.01, 0.01), 6),
                "lon": round(desa.lon + rng.uniform(-0.01, 0.01), 6),
                "accuracy_m": float(rng.randint(3, 60))},
            "stage": self.calendar.stage_for(observed),
            "people_count": rng.randint(0, 400) if rng.random() < 0.7 else None,
            "source_reliability": rng.choice("ABBCCD"), "info_credibility": rng.choice((1, 2, 2, 3, 3, 4)),
            "facts": "", "opinion": rng.choice(OPINIONS).format(**fill) if rng.random() < 0.6 else None,
            "tps": fill["t"] if rng.random() < 0.5 else None,
            "media": [rng.randbytes(32).hex()] if rng.random() < 0.15 else [],
            "supersedes": None,
        }
        if wire["category"] in STAGELESS_CATEGORIES:        # a laporan nihil has no threat stage
            wire["threat_stage"] = None
        target = rng.randint(320, 800) - len(encode_json(wire))
        facts = rng.choice(SENTENCES).format(**fill) if rng.random() < 0.5 else self.free_sentence(fill)
        while len(facts) < target:
            facts = f"{facts} {self.free_sentence(fill)}"
        wire["facts"] = facts[:max(target, 24)].rstrip()
        return wire

    def free_sentence(self, fill: dict[str, Any]) -> str:
        rng = self.rng
        words = rng.choices(WORDS, WORD_WEIGHTS, k=rng.randint(5, 14))
        extra = rng.random()
        if extra < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(self.desa).name)
        elif extra < 0.5:
            words.insert(rng.randrange(len(words)), str(rng.choice((fill["p"], fill["t"], fill["h"]))))
        return " ".join(words).capitalize() + "."

    def warmup_body(self) -> tuple[bytes, int]:
        reports = []
        for _ in range(self.batch):
            desa = self.rng.choice(self.warmup_desa)
            reports.append({**self.report(desa), "desa_code": desa.code})
        return encode(reports), len(reports)

    def officer_desa(self) -> list[str]:
        return [home.code for home in self.homes]

    def shares(self) -> list[list[bytes]]:
        return self.bodies

    def counts(self) -> list[list[int]]:
        return [[len(share[start:start + self.batch]) for start in range(0, len(share), self.batch)]
                for share in self.reports]

    def all_reports(self) -> list[dict[str, Any]]:
        return [report for share in self.reports for report in share]

    def sizes(self) -> list[int]:
        return [len(encode_json(report)) for report in self.all_reports()]

    def body_bytes_per_report(self) -> float:
        return sum(len(body) for share in self.bodies for body in share) / len(self.all_reports())

    def request_bytes_per_report(self) -> float:
        """Body plus the request line and headers ``http.client`` sends (a 43-character token)."""
        requests = sum(len(share) for share in self.bodies)
        head = ("POST /api/v1/sync/push HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept-Encoding: gzip\r\n"
                "Content-Length: 12345\r\nAuthorization: Bearer " + "x" * 43 + "\r\n"
                "Content-Type: application/json\r\nContent-Encoding: gzip\r\n\r\n")
        return self.body_bytes_per_report() + requests * len(head) / len(self.all_reports())


def encode_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode(reports: list[dict[str, Any]]) -> bytes:
    return gzip.compress(encode_json({"reports": reports}), compresslevel=6, mtime=0)


def raw_sqlite_rates(workload: Workload, folder: Path) -> dict[str, float]:
    """Rows/s of plain sqlite3 inserts of the same reports, a commit per batch, WAL + synchronous=FULL:
    a bare ``(id, wire)`` table, and the server's own schema (a ``changes`` and a ``reports`` row)."""
    plain, changes, stored = server_rows(workload)
    plain_rate = insert_rate(folder / "raw-plain.db",
                              ["CREATE TABLE reports (id TEXT PRIMARY KEY, wire TEXT)"],
                              [("INSERT INTO reports VALUES (?, ?)", plain)], workload.batch)
    schema_rate = insert_rate(folder / "raw-schema.db", [
        *split_statements(V1_ACCOUNTS), *split_statements(V2_REPORTS),
        "INSERT INTO users VALUES ('officer', 'Bench', 'officer', '[]', NULL, '2024-01-01T00:00:00Z')"], [
        (INSERT_CHANGE, changes), (INSERT_REPORT, stored)], workload.batch)
    return {"bare (id, wire) table": plain_rate, "server schema (changes + reports rows)": schema_rate}


INSERT_CHANGE = ("INSERT INTO changes (seq, kind, recipient, region_code, audience, ref, data, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_REPORT = ("INSERT INTO reports (id, seq, officer, device_id, desa_code, category, threat_stage, stage, "
                 "observed_at, received_at, content_hash, wire) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def server_rows(workload: Workload) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The workload's reports as rows: ``(id, wire)``, and the ``changes`` and ``reports`` rows the
    server writes for them (officer ``officer``)."""
    now = datetime.now(UTC)
    received = now.isoformat(timespec="microseconds")[:-6] + "Z"
    reports = [parse_report(item, now=now, gazetteer=assets.gazetteer(), calendar=workload.calendar)
               for item in workload.all_reports()]
    plain = [(r.id, r.canonical_json()) for r in reports]
    rows = [(seq, r, r.canonical_json()) for seq, r in enumerate(reports, 1)]
    changes = [(seq, "report", None, r.desa_code, "supervisors", r.id, None, received)
               for seq, r, _ in rows]
    stored = [(r.id, seq, "officer", None, r.desa_code, r.category, r.threat_stage or "", r.stage,
               r.observed_at.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z", received,
               r.content_hash(), wire) for seq, r, wire in rows]
    return plain, changes, stored


def insert_rate(path: Path, schema: list[str], inserts: list[tuple[str, list[tuple]]],
                 batch: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON", "cache_size = -65536"):
        conn.execute(f"PRAGMA {pragma}")
    for statement in schema:
        conn.execute(statement)
    count = len(inserts[0][1])
    began = time.perf_counter()
    for start in range(0, count, batch):
        conn.execute("BEGIN IMMEDIATE")
        for sql, rows in inserts:
            conn.executemany(sql, rows[start:start + batch])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - began
    conn.close()
    return count / seconds


@dataclass
class PushStats:
    seconds: float
    latencies: list[float]
    cpu: float                      # server processes
    client_cpu: float               # this load generator
    reports: int
    cpu_before: float = 0.0         # the server's CPU seconds when the clock started


@dataclass
class PullStats:
    seconds: float
    changes: int
    pages: int
    wire_bytes: int
    cpu: float


def push_batches(port: int, token: str, bodies: list[bytes], expected: list[int],
                 latencies: list[float], start: threading.Barrier, errors: list[str]) -> None:
    """One client: a keep-alive connection, its batches back to back, every result checked."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Content-Encoding": "gzip", "Accept-Encoding": "gzip"}
    start.wait()
    try:
        for body, count in zip(bodies, expected, strict=True):
            began = time.perf_counter()
            conn.request("POST", "/api/v1/sync/push", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            latencies.append(time.perf_counter() - began)
            if response.getheader("content-encoding") == "gzip":
                data = gzip.decompress(data)
            if response.status != 200:
                raise RuntimeError(f"push answered {response.status}: {data[:300]!r}")
            created = sum(1 for result in json.loads(data)["results"] if result["status"] == "created")
            if created != count:
                raise RuntimeError(f"{count - created} of {count} reports not created: {data[:300]!r}")
    except Exception as error:  # noqa: BLE001 - reported by the main thread
        errors.append(repr(error))
        start.abort()
    finally:
        conn.close()


def server_cpu(server: Any) -> float:
    """CPU seconds of the server: ``server.pid`` and its children, or every process in ``server.pids``
    (a peer made of several process trees, e.g. Kinto and its PostgreSQL, see bench/peers.py)."""
    return sum(cpu_seconds(pid) for pid in getattr(server, "pids", None) or [server.pid])


def run_push(server: Any, tokens: list[str], shares: list[list[bytes]],
             counts: list[list[int]], client: Any = push_batches) -> PushStats:
    """``client`` threads (``push_batches``'s signature; bench/peers.py passes its peers' clients), one per
    token, released together; ``server`` needs ``port`` and ``pid`` (or ``pids``), or ``ports`` (several
    nodes: client ``i`` pushes to ``ports[i % len(ports)]``)."""
    latencies: list[list[float]] = [[] for _ in tokens]
    errors: list[str] = []
    start = threading.Barrier(len(tokens) + 1)
    ports = getattr(server, "ports", None) or [server.port]
    threads = [threading.Thread(target=client, args=(ports[index % len(ports)], token, share, count, latency,
                                                     start, errors))
               for index, (token, share, count, latency) in enumerate(zip(tokens, shares, counts, latencies,
                                                                         strict=True))]
    for thread in threads:
        thread.start()
    cpu_before, client_before = server_cpu(server), time.process_time()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"push failed: {errors[0]}")
    return PushStats(seconds=seconds, latencies=[x for xs in latencies for x in xs],
                     cpu=server_cpu(server) - cpu_before, client_cpu=time.process_time() - client_before,
                     reports=sum(map(sum, counts)), cpu_before=cpu_before)


def run_pull(server: BenchServer, token: str, expected: int, limit: int = 1000) -> PullStats:
    """Page through every change the supervisor sees, from cursor 0, as a phone would (gzip)."""
    pages = 0

    def next_page(_path: str, page: Any, _response: Any) -> str | None:
        nonlocal pages
        pages += 1
        return f"/api/v1/sync/pull?cursor={page['cursor']}&limit={limit}" if page["more"] else None

    cpu_before = cpu_seconds(server.pid)
    seconds, changes, wire = get_pages(server.port, f"Bearer {token}", f"/api/v1/sync/pull?cursor=0&limit={limit}",
                                       next_page, lambda page: len(page["changes"]))
    if changes != expected:
        raise RuntimeError(f"pulled {changes} changes, expected {expected}")
    return PullStats(seconds=seconds, changes=changes, pages=pages, wire_bytes=wire,
                     cpu=cpu_seconds(server.pid) - cpu_before)


def warm_up(server: BenchServer, tokens: list[str], workload: Workload) -> None:
    """One batch per client in a kabupaten outside the supervisor's scope (not pulled, not timed)."""
    bodies = [workload.warmup_body() for _ in tokens]
    shares = [[body] for body, _ in bodies]
    counts = [[count] for _, count in bodies]
    run_push(server, tokens, shares, counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--db", nargs="?", const="cluster", metavar="postgresql://...",
                        help="also 1 and 2 PostgreSQL nodes beside 1 SQLite node, one table "
                             "(bench/ingest_nodes.py); without a URL, on a durable cluster of its own")
    args = parser.parse_args()
    if min(args.reports, args.clients, args.batch, args.workers) < 1 or args.batch > 500:
        parser.error("--reports, --clients, --workers must be >= 1 and --batch 1..500")
    workload = Workload(seed=args.seed, reports=args.reports, clients=args.clients, batch=args.batch)
    if args.db is not None:
        from bench import ingest_nodes

        with tempfile.TemporaryDirectory(prefix="peta-ingest-") as folder:
            ingest_nodes.main(args, workload, Path(folder))
        return
    with tempfile.TemporaryDirectory(prefix="peta-ingest-") as folder:
        with BenchServer(Path(folder), workers=args.workers) as server:
            tokens = [server.user_token(f"8705{index:04d}", "officer", [desa])
                      for index, desa in enumerate(workload.officer_desa())]
            supervisor = server.user_token("polres_kerinci", "supervisor", SUPERVISOR_SCOPE)
            warm_up(server, tokens, workload)
            push = run_push(server, tokens, workload.shares(), workload.counts())
            settle = settle_alerts(server, supervisor, push)
            pull = run_pull(server, supervisor, expected=args.reports)
        raw = raw_sqlite_rates(workload, Path(folder))
    report(args, workload, push, pull, raw, settle)


def settle_alerts(server: Any, token: str, push: PushStats) -> tuple[float, float]:
    """The alert pump evaluates pushes beside them: the first alert read after the last push waits
    for the pass covering it. Returns (that wait, server CPU per report including the alert passes)."""
    began = time.perf_counter()
    status, _ = server.call("GET", "/api/v1/alerts?limit=1", token=token)
    if status != 200:
        raise RuntimeError(f"alert list answered {status}")
    waited = time.perf_counter() - began
    cpu = server_cpu(server) - push.cpu_before
    return waited, cpu / push.reports


def report(args: argparse.Namespace, workload: Workload, push: PushStats, pull: PullStats,
           raw: dict[str, float], settle: tuple[float, float]) -> None:
    rate = push.reports / push.seconds
    p50, p95, p99 = (percentile(push.latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
    sizes = workload.sizes()
    rows = [
        ("reports (JSON bytes each: min / mean / max)",
         f"{push.reports:,} ({min(sizes)} / {sum(sizes) / len(sizes):.0f} / {max(sizes)})", "320-800"),
        (f"push: sustained, {args.clients} clients, batches of {args.batch}", f"{rate:,.0f} reports/s",
         ">= 7,500/s"),
        ("push: batch latency p50 / p95", f"{p50:.0f} / {p95:.0f} ms", "-"),
        ("push: batch latency p99", f"{p99:.0f} ms", "< 200 ms"),
        ("push: CPU per report, server / load generator",
         f"{push.cpu / push.reports * 1e6:.0f} / {push.client_cpu / push.reports * 1e6:.0f} µs", "-"),
        ("alerts: first alert read after the last push waits (pass covering it)", f"{settle[0] * 1000:.0f} ms", "-"),
        ("server CPU per report, pushes + every alert pass they caused", f"{settle[1] * 1e6:.0f} µs", "-"),
        (f"push: bytes on the wire per report (gzip body, batch of {args.batch})",
         f"{workload.body_bytes_per_report():.0f} B", "<= 250 B"),
        ("push: same, with HTTP request headers", f"{workload.request_bytes_per_report():.0f} B", "-"),
        (f"pull: {pull.changes:,} changes, {pull.pages} pages of <= 1000 (gzip)",
         f"{pull.seconds * 1000:,.0f} ms", "< 500 ms"),
        ("pull: wire bytes per change / server CPU per change",
         f"{pull.wire_bytes / pull.changes:.0f} B / {pull.cpu / pull.changes * 1e6:.0f} µs", "-"),
    ]
    for name, raw_rate in raw.items():
        rows.append((f"raw SQLite ceiling: {name}", f"{raw_rate:,.0f} reports/s", "-"))
        rows.append(("  server push / raw SQLite", f"{rate / raw_rate:.1%}", "-"))
    print(f"# Peta Rawan sync server ingest — {machine_line()}; workers {args.workers}, seed {args.seed}")
    print_table(rows)
    print("Peers (pouchdb-server, Kinto + PostgreSQL) under this same workload, side by side in one run: "
          "bench/peers.py (docs/benchmarks.md, \"Beside the peers\").")


if __name__ == "__main__":
    main()
