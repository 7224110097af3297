"""Peta Rawan beside its peers: bench/ingest.py's workload against pouchdb-server and Kinto + PostgreSQL.

    sh bench/peers/setup.sh                    # once: pouchdb-server (npm ci) and Kinto (its own venv)
    .venv/bin/python bench/peers.py [--reports 10000] [--clients 8] [--batch 100] [--seed 7]
                                    [--workers 1] [--only peta,pouchdb,kinto]

The same generated reports (``ingest.Workload``: same seed, 320-800 bytes each), the same 8 client
threads with keep-alive connections and batches of 100 (``ingest.run_push``), one untimed warm-up
batch per client that the pull does not see, then a pull of the 10,000 new changes in pages of
1,000 — against each server in turn, on this machine, in one run. Every server gets a fresh
temporary data directory and is stopped afterwards:

- **Peta Rawan**: ``bench/ingest.py`` as it is (``serve --workers N``, SQLite, gzip'd bodies).
- **pouchdb-server** (CouchDB replication protocol, LevelDB on disk through leveldown): push is what
  PouchDB's replicator sends to its target, ``POST /reports/_bulk_docs`` with ``new_edits: false``
  and each doc's ``_rev``/``_revisions``, as plain JSON (PouchDB does not compress request bodies);
  pull is ``GET /reports/_changes?since=...&limit=1000&include_docs=true`` until a short page. Each
  client is a CouchDB user (``_users``), a member of the database, with HTTP basic auth.
- **Kinto** with its PostgreSQL backend (storage, permissions and cache) on a throwaway cluster
  (``initdb`` + ``pg_ctl``, as ``nobody`` when run as root): push is ``POST /v1/batch`` of 100
  ``PUT .../records/<id>`` with ``If-None-Match: *`` (what kinto.js sends for new records; the ini
  raises ``batch_max_requests`` from 25 to 100); pull is ``GET .../records?_since=0&_sort=
  last_modified&_limit=1000`` following ``Next-Page``. Each client is a Kinto account (basic auth).

The peers are started and stopped by bench/peer_servers.py. Prints one Markdown table
(docs/benchmarks.md, "Beside the peers"). Server CPU counts every process
of a server (Kinto: waitress and all PostgreSQL backends). The load generator shares the 2 cores
with whichever server runs, the same for all three.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ingest  # noqa: E402
from bench.common import BenchServer, call, get_pages, machine_line, percentile  # noqa: E402
from bench.peer_servers import (  # noqa: E402
    KINTO_RECORDS,
    basic,
    expect,
    running,
    start_kinto,
    start_pouchdb,
    versions,
)

PAGE = 1000


@dataclass
class Result:
    server: str
    push: ingest.PushStats
    pull_seconds: float
    pull_changes: int
    pull_wire: int
    push_wire: float                  # request bytes per report: bodies plus request line and headers
    retries: int = 0                  # batches sent again because the server asked (Kinto's 409)


# ---- HTTP ----------------------------------------------------------------------------------------


def head_bytes(path: str, port: int, headers: dict[str, str], body_length: int) -> int:
    """Size of the request line and headers ``http.client`` sends for a POST of ``body_length``."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in headers.items()),
             f"Content-Length: {body_length}"]
    return len("\r\n".join(lines).encode()) + 4


def wire_bytes(path: str, port: int, headers: dict[str, str], shares: list[list[bytes]]) -> int:
    """Request bytes of every batch: body, request line and headers."""
    return sum(len(body) + head_bytes(path, port, headers, len(body)) for share in shares for body in share)


Check = Callable[[int, bytes, int, int], "float | None"]


def make_client(path: str, headers: dict[str, str], check: Check, retries: list[int],
                retry_wait: bool = True) -> Callable:
    """A push client with ``ingest.push_batches``'s signature: keep-alive, batches back to back.

    ``check(status, body, count, attempt)`` raises on a refusal, returns None when the batch is stored
    or the seconds the server asked to wait before the batch is sent again (Kinto's 409 "please
    retry"); the client then waits (unless ``retry_wait`` is false) and resends, at most 20 times.
    A batch's latency runs from its first send to its last answer; ``retries`` counts the resends."""
    def client(port: int, auth: str, bodies: list[bytes], expected: list[int], latencies: list[float],
               start: Any, errors: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        sent = {**headers, "Authorization": auth}
        start.wait()
        try:
            for body, count in zip(bodies, expected, strict=True):
                began = time.perf_counter()
                for attempt in range(21):
                    conn.request("POST", path, body=body, headers=sent)
                    response = conn.getresponse()
                    data = response.read()
                    if response.getheader("content-encoding") == "gzip":
                        data = gzip.decompress(data)
                    wait = check(response.status, data, count, attempt)
                    if wait is None:
                        break
                    retries.append(1)
                    time.sleep(wait if retry_wait else 0)
                else:
                    raise RuntimeError(f"batch still refused after {attempt} retries")
                latencies.append(time.perf_counter() - began)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(repr(error))
            start.abort()
        finally:
            conn.close()
    return client


# ---- Peta Rawan ----------------------------------------------------------------------------------

def run_peta(workload: ingest.Workload, folder: Path, workers: int) -> Result:
    with BenchServer(folder, workers=workers) as server:
        tokens = [server.user_token(f"8705{index:04d}", "officer", [desa])
                  for index, desa in enumerate(workload.officer_desa())]
        supervisor = server.user_token("polres_kerinci", "supervisor", ingest.SUPERVISOR_SCOPE)
        ingest.warm_up(server, tokens, workload)
        push = ingest.run_push(server, tokens, workload.shares(), workload.counts())
        pull = ingest.run_pull(server, supervisor, expected=workload_size(workload), limit=PAGE)
        headers = {"Authorization": f"Bearer {tokens[0]}", "Content-Type": "application/json",
                   "Content-Encoding": "gzip", "Accept-Encoding": "gzip"}
        wire = wire_bytes("/api/v1/sync/push", server.port, headers, workload.shares())
    return Result(f"Peta Rawan (serve --workers {workers})", push, pull.seconds, pull.changes, pull.wire_bytes,
                  wire / push.reports)


def workload_size(workload: ingest.Workload) -> int:
    return sum(map(sum, workload.counts()))


def batches(workload: ingest.Workload, encode: Callable[[list[dict[str, Any]]], bytes]) -> list[list[bytes]]:
    """Every client's share in ``workload.batch``-sized bodies, encoded for a peer before any clock runs."""
    size = workload.batch
    return [[encode(share[start:start + size]) for start in range(0, len(share), size)]
            for share in workload.reports]


def warmup_reports(workload: ingest.Workload) -> list[dict[str, Any]]:
    """A batch of reports from Kota Jambi (``Workload.warmup_body``), for one untimed warm-up batch."""
    return json.loads(gzip.decompress(workload.warmup_body()[0]))["reports"]


def warmup_batches(workload: ingest.Workload, clients: int,
                   encode: Callable[[list[dict[str, Any]]], bytes]) -> list[list[bytes]]:
    return [[encode(warmup_reports(workload))] for _ in range(clients)]


# ---- pouchdb-server ------------------------------------------------------------------------------

def pouch_doc(report: dict[str, Any]) -> dict[str, Any]:
    """The doc as PouchDB's replicator sends it to its target: first revision, its history, the fields."""
    digest = hashlib.md5(ingest.encode_json(report)).hexdigest()   # noqa: S324 - a revision id, not security
    return {"_id": report["id"], "_rev": f"1-{digest}", "_revisions": {"start": 1, "ids": [digest]}, **report}


def pouch_body(reports: list[dict[str, Any]]) -> bytes:
    return ingest.encode_json({"docs": [pouch_doc(report) for report in reports], "new_edits": False})


def pouch_check(status: int, data: bytes, count: int, attempt: int) -> None:
    if status != 201:
        raise RuntimeError(f"_bulk_docs answered {status}: {data[:300]!r}")
    failed = [item for item in json.loads(data) if "error" in item]
    if failed:
        raise RuntimeError(f"{len(failed)} of {count} docs refused: {failed[:3]}")


def run_pouchdb(workload: ingest.Workload, folder: Path) -> Result:
    clients = len(workload.reports)
    shares, warmups = batches(workload, pouch_body), warmup_batches(workload, clients, pouch_body)
    with running(start_pouchdb(folder, clients)) as peer:
        auths = [basic(f"officer{index}") for index in range(clients)]
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Encoding": "gzip"}
        ingest.run_push(peer, auths, warmups, [[workload.batch]] * clients,
                        client=make_client("/warmup/_bulk_docs", headers, pouch_check, []))
        retries: list[int] = []
        push = ingest.run_push(peer, auths, shares, workload.counts(),
                               client=make_client("/reports/_bulk_docs", headers, pouch_check, retries))
        expected = workload_size(workload)

        def next_page(path: str, page: Any, response: Any) -> str | None:
            if len(page["results"]) < PAGE:
                return None
            return f"/reports/_changes?since={page['last_seq']}&limit={PAGE}&include_docs=true"

        seconds, changes, wire = get_pages(peer.port, basic("polres_kerinci"),
                                           f"/reports/_changes?since=0&limit={PAGE}&include_docs=true",
                                           next_page, lambda page: len(page["results"]))
        expect(changes == expected, f"pulled {changes} changes, expected {expected}")
        status, info = call(peer.port, "GET", "/reports", auth=basic("admin"))
        expect(info.get("doc_count") == expected, f"reports holds {info}")
        sent = wire_bytes("/reports/_bulk_docs", peer.port, {**headers, "Authorization": auths[0]}, shares)
    return Result("pouchdb-server (LevelDB)", push, seconds, changes, wire, sent / push.reports,
                  len(retries))


# ---- Kinto + PostgreSQL --------------------------------------------------------------------------


def kinto_body(collection: str) -> Callable[[list[dict[str, Any]]], bytes]:
    records = KINTO_RECORDS.format(collection=collection)

    def encode(reports: list[dict[str, Any]]) -> bytes:
        return ingest.encode_json({
            "defaults": {"method": "PUT", "headers": {"If-None-Match": "*"}},
            "requests": [{"path": f"{records}/{report['id']}", "body": {"data": report}} for report in reports]})
    return encode


def kinto_check(status: int, data: bytes, count: int, attempt: int) -> float | None:
    """Every record created (201); a 409 "Integrity constraint violated, please retry" (concurrent writers
    of one collection) asks for the batch again after its Retry-After. Kinto aborts the batch's transaction
    at a 409, so a resend may find some of its records stored: 412 (If-None-Match: *) is then success."""
    if status != 200:
        raise RuntimeError(f"batch answered {status}: {data[:300]!r}")
    responses = json.loads(data)["responses"]
    stored = {201} if attempt == 0 else {201, 412}
    refused = [item for item in responses if item["status"] not in stored]
    if len(responses) != count:
        raise RuntimeError(f"batch of {count} got {len(responses)} answers")
    if refused and {item["status"] for item in refused} == {409}:
        return float(refused[0]["headers"].get("Retry-After", 1))
    if refused:
        raise RuntimeError(f"batch of {count}: {len(refused)} not created, e.g. {refused[:2]}")
    return None


def run_kinto(workload: ingest.Workload, folder: Path, retry_wait: bool = True, split: bool = False) -> Result:
    """Every officer writes to the collection ``reports`` (``split``: each to a ``reports-N`` of its own,
    which the supervisor then pulls one after the other)."""
    clients, size = len(workload.reports), workload.batch
    names = [f"reports-{index}" if split else "reports" for index in range(clients)]
    shares = [[kinto_body(name)(share[start:start + size]) for start in range(0, len(share), size)]
              for name, share in zip(names, workload.reports, strict=True)]
    warmups = [[kinto_body(name.replace("reports", "warmup"))(warmup_reports(workload))] for name in names]
    with running(start_kinto(folder, clients)) as peer:
        auths = [basic(f"officer{index}") for index in range(clients)]
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Encoding": "gzip"}
        ingest.run_push(peer, auths, warmups, [[workload.batch]] * clients,
                        client=make_client("/v1/batch", headers, kinto_check, [], retry_wait))
        retries: list[int] = []
        push = ingest.run_push(peer, auths, shares, workload.counts(),
                               client=make_client("/v1/batch", headers, kinto_check, retries, retry_wait))
        seconds, changes, wire = kinto_pull(peer.port, sorted(set(names)))
        expected = workload_size(workload)
        expect(changes == expected, f"pulled {changes} records, expected {expected}")
        sent = wire_bytes("/v1/batch", peer.port, {**headers, "Authorization": auths[0]}, shares)
    name = "Kinto + PostgreSQL" + (", a collection per officer" if split else "") + (
        "" if retry_wait else ", 409s resent at once")
    return Result(name, push, seconds, changes, wire, sent / push.reports, len(retries))


def kinto_pull(port: int, collections: list[str]) -> tuple[float, int, int]:
    """The supervisor pages through each collection from ``_since=0``, following ``Next-Page``."""
    def next_page(path: str, page: Any, response: Any) -> str | None:
        link = response.getheader("Next-Page")
        return f"{urlsplit(link).path}?{urlsplit(link).query}" if link else None
    total = [0.0, 0, 0]
    for collection in collections:
        first = f"/v1{KINTO_RECORDS.format(collection=collection)}?_since=0&_sort=last_modified&_limit={PAGE}"
        for index, value in enumerate(get_pages(port, basic("polres_kerinci"), first, next_page,
                                                lambda page: len(page["data"]))):
            total[index] += value
    return total[0], int(total[1]), int(total[2])


# ---- the run and its table -----------------------------------------------------------------------


def print_results(results: list[Result], failures: list[str], args: argparse.Namespace) -> None:
    header = ("server", "push reports/s", "p50 batch", "p99 batch", f"pull {args.reports:,} changes",
              "push B/report on wire", "pull B/change", "server CPU µs/report (push)", "batches resent",
              "vs Peta: push rate / p99 / pull time")
    peta = next((result for result in results if result.server.startswith("Peta")), None)
    rows = []
    for result in results:
        push = result.push
        rate = push.reports / push.seconds
        p50, p99 = (percentile(push.latencies, q) * 1000 for q in (0.50, 0.99))
        ratio = "1" if result is peta else "-"
        if peta and result is not peta:
            peta_rate = peta.push.reports / peta.push.seconds
            peta_p99 = percentile(peta.push.latencies, 0.99) * 1000
            ratio = (f"{rate / peta_rate:.2f}× / {p99 / peta_p99:.2f}× / "
                     f"{result.pull_seconds / peta.pull_seconds:.2f}×")
        rows.append((result.server, f"{rate:,.0f}", f"{p50:,.0f} ms", f"{p99:,.0f} ms",
                     f"{result.pull_seconds:,.2f} s", f"{result.push_wire:,.0f} B",
                     f"{result.pull_wire / result.pull_changes:,.0f} B", f"{push.cpu / push.reports * 1e6:,.0f}",
                     f"{result.retries:,}", ratio))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in rows:
        cells = [cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        print("| " + " | ".join(cells) + " |")
    print("vs Peta: the peer's push reports/s, p99 batch latency and pull time each divided by Peta Rawan's "
          "in this run (push rate < 1: slower; p99 and pull > 1: slower).")
    print("Load generator CPU per report (push): " + ", ".join(
        f"{result.server} {result.push.client_cpu / result.push.reports * 1e6:,.0f} µs" for result in results))
    for failure in failures:
        print(f"FAILED {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="Peta Rawan server processes (serve --workers)")
    parser.add_argument("--only", default="peta,pouchdb,kinto",
                        help="comma-separated: peta, pouchdb, kinto, and two variants of Kinto: kinto-nowait "
                             "(its 409s resent without waiting the Retry-After it asks for), kinto-split "
                             "(a collection per officer)")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    runners = {"peta": lambda w, f: run_peta(w, f, args.workers), "pouchdb": run_pouchdb,
               "kinto": lambda w, f: run_kinto(w, f, retry_wait=True),
               "kinto-nowait": lambda w, f: run_kinto(w, f, retry_wait=False),
               "kinto-split": lambda w, f: run_kinto(w, f, split=True)}
    if set(chosen) - set(runners) or not chosen:
        parser.error(f"--only takes a comma-separated subset of {', '.join(runners)}")
    if min(args.reports, args.clients, args.batch, args.workers) < 1 or args.batch > 100:
        parser.error("--reports, --clients, --workers must be >= 1 and --batch 1..100 (Kinto's batch limit)")
    workload = ingest.Workload(seed=args.seed, reports=args.reports, clients=args.clients, batch=args.batch)
    found = versions()
    results, failures = [], []
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix=f"peta-peers-{name}-") as folder:
            try:
                results.append(runners[name](workload, Path(folder)))
            except Exception as error:  # noqa: BLE001 - one peer failing must not hide the others
                failures.append(f"{name}: {error}")
            print(f"# {name} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
    print(f"# Peta Rawan beside its peers — {machine_line()}; seed {args.seed}, {args.reports:,} reports, "
          f"{args.clients} client{'s' if args.clients > 1 else ''}, batches of {args.batch}, pull pages of {PAGE}")
    print("# " + ", ".join(f"{name} {version}" for name, version in found.items()))
    print_results(results, failures, args)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
