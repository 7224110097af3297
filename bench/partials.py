"""A supervisor's read latency while officers start photo uploads, over thousands of partials.

    .venv/bin/python bench/partials.py [--partials 5500] [--uploaders 60] [--reads 300]

A real server (one worker) gets ``--partials`` unfinished uploads from ``--uploaders`` officers
(each one 1 KiB first chunk of a different photo, through ``PUT /media/{sha}/parts``), then a
supervisor reads ``GET /api/v1/reports?limit=20`` ``--reads`` times: once with nothing else going
on, once while each officer (a thread) starts new partial uploads back to back. Each way prints
the read latency (median, p95, max) and how many uploads began per second. The quotas are lifted
for the run (``PETA_QUOTA_*``) so that each officer may hold ~92 partials. The figures go into
docs/benchmarks.md ("Partial uploads").
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import BenchServer, machine_line, percentile  # noqa: E402

DESA = "15.72.07.2004"
TOTAL = 100_000                      # the photo size each partial announces
CHUNK = 1024


def start_upload(port: int, token: str) -> int:
    """One new partial: the first KiB of a photo nobody uploaded yet; the status."""
    head = b"\xff\xd8\xff\xe0" + os.urandom(CHUNK - 4)
    name = hashlib.sha256(head + os.urandom(16)).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("PUT", f"/api/v1/media/{name}/parts", body=head,
                     headers={"Authorization": f"Bearer {token}", "Content-Range": f"bytes 0-{CHUNK - 1}/{TOTAL}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def read_latencies(port: int, token: str, count: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", "/api/v1/reports?limit=20", headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"read: {response.status}")
    finally:
        conn.close()
    return latencies


def under_uploads(port: int, officers: list[str], supervisor: str, reads: int) -> tuple[list[float], float]:
    stop, started = threading.Event(), [0]

    def upload_loop(officer: str) -> None:
        while not stop.is_set():
            status = start_upload(port, officer)
            if status != 202:
                raise RuntimeError(f"upload: {status}")
            started[0] += 1

    with ThreadPoolExecutor(len(officers)) as pool:
        loops = [pool.submit(upload_loop, officer) for officer in officers]
        time.sleep(1.0)                               # let the uploads get going (a bench, not a test)
        begin, before = time.perf_counter(), started[0]
        latencies = read_latencies(port, supervisor, reads)
        rate = (started[0] - before) / (time.perf_counter() - begin)
        stop.set()
        for loop in loops:
            loop.result()
    return latencies, rate


def row(label: str, latencies: list[float], rate: float | None) -> str:
    ms = [value * 1000 for value in latencies]
    cells = (label, f"{percentile(ms, 0.5):.1f}", f"{percentile(ms, 0.95):.1f}", f"{max(ms):.1f}",
             "–" if rate is None else f"{rate:.0f}")
    return "| " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partials", type=int, default=5500)
    parser.add_argument("--uploaders", type=int, default=60)
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    print(machine_line())
    os.environ.update(PETA_QUOTA_PARTIALS="1000000", PETA_QUOTA_PARTIAL_MIB="100000",
                      PETA_QUOTA_PHOTO_MIB="100000", PETA_QUOTA_REPORTS="1000000")
    with tempfile.TemporaryDirectory(prefix="peta-partials-") as folder, BenchServer(Path(folder)) as server:
        officers = [server.user_token(f"8801{number:04d}", "officer", [DESA]) for number in range(args.uploaders)]
        supervisor = server.user_token("polres.bench", "supervisor", ["15.72"])
        seeded = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda number: start_upload(server.port, officers[number % len(officers)]),
                                     range(args.partials)))
        if set(statuses) != {202}:
            raise RuntimeError(f"seeding partials: {sorted(set(statuses))}")
        seed_seconds = time.perf_counter() - seeded
        idle = read_latencies(server.port, supervisor, args.reads)
        busy, rate = under_uploads(server.port, officers, supervisor, args.reads)
        held = sum(1 for path in (Path(folder) / "media" / "partial").rglob("*") if path.is_file() and path.name != ".lock")
    print(f"\n### {args.partials} partials seeded in {seed_seconds:.1f} s; {held} partial files at the end\n")
    print("| supervisor's read, GET /reports?limit=20 | median ms | p95 ms | max ms | uploads begun/s |")
    print("|---|---|---|---|---|")
    print(row("alone", idle, None))
    print(row(f"while {args.uploaders} officers' uploads begin", busy, rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
