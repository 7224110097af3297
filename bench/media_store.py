"""Photo uploads and reads per photo store (``PETA_MEDIA_STORE``), on SQLite and PostgreSQL.

    .venv/bin/python bench/media_store.py [--photos 240] [--clients 8] [--size 150000]
    .venv/bin/python bench/media_store.py --db [postgresql://user@host/postgres]   # PostgreSQL too

Each configuration is a fresh server (one node, one worker): ``--clients`` officers (threads) upload
``--photos`` photos of ``--size`` bytes between them, each through ``PUT /media/{sha}/parts`` in two
requests (the first 64 KiB, then the rest: a cut and its resume), then read every photo back with
``GET /media/{sha}``. Printed per configuration: the latency of those requests (median, p99) and
photos stored per second. Without ``--db`` only SQLite runs (directory: the default; database);
with it PostgreSQL with photos in the database (its default) and in a directory, on a durable
throwaway cluster of its own (``tests/pg_cluster.py``) or the server of the URL. The figures go
into docs/benchmarks.md ("Photo stores").
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import BenchServer, machine_line, percentile  # noqa: E402
from ingest_nodes import PgServer  # noqa: E402

DESA = "15.72.07.2004"
FIRST = 64 * 1024


def request(port: int, method: str, path: str, token: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        began = time.perf_counter()
        conn.request(method, path, body=body, headers={"Authorization": f"Bearer {token}", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - began
    finally:
        conn.close()


def upload(port: int, token: str, photo: bytes) -> list[float]:
    """The photo in two ``…/parts`` requests; their latencies."""
    name, total, took = hashlib.sha256(photo).hexdigest(), len(photo), []
    for start, end, expected in ((0, FIRST, 202), (FIRST, total, 201)):
        status, data, seconds = request(port, "PUT", f"/api/v1/media/{name}/parts", token, photo[start:end],
                                        {"Content-Range": f"bytes {start}-{end - 1}/{total}"})
        if status != expected:
            raise RuntimeError(f"PUT parts {start}: {status} {data[:200]!r}")
        took.append(seconds)
    return took


def read(port: int, token: str, photo: bytes) -> float:
    status, data, seconds = request(port, "GET", f"/api/v1/media/{hashlib.sha256(photo).hexdigest()}", token)
    if status != 200 or data != photo:
        raise RuntimeError(f"GET: {status}")
    return seconds


def run(label: str, store: str, database: str | None, args: argparse.Namespace) -> list[str]:
    os.environ["PETA_MEDIA_STORE"] = store
    with tempfile.TemporaryDirectory(prefix="peta-media-") as folder, \
            BenchServer(Path(folder), database=database) as server:
        officers = [server.user_token(f"8802{number:04d}", "officer", [DESA]) for number in range(args.clients)]
        photos = [b"\xff\xd8\xff\xe0" + os.urandom(args.size - 4) for _ in range(args.photos)]
        owner = [officers[number % len(officers)] for number in range(args.photos)]
        with ThreadPoolExecutor(args.clients) as pool:
            began = time.perf_counter()
            parts = [seconds for took in pool.map(lambda n: upload(server.port, owner[n], photos[n]),
                                                  range(args.photos)) for seconds in took]
            stored_per_second = args.photos / (time.perf_counter() - began)
            reads = list(pool.map(lambda n: read(server.port, owner[n], photos[n]), range(args.photos)))
    ms = [[value * 1000 for value in values] for values in (parts, reads)]
    return [label, *(f"{percentile(values, q):.1f}" for values in ms for q in (0.5, 0.99)), f"{stored_per_second:.0f}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=240)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--size", type=int, default=150_000)
    parser.add_argument("--db", nargs="?", const="cluster", metavar="postgresql://...")
    args = parser.parse_args()
    print(machine_line())
    configurations = [("SQLite, directory (default)", "directory", "sqlite"),
                      ("SQLite, database", "database", "sqlite")]
    pg = None
    if args.db:
        pg = PgServer(None if args.db == "cluster" else args.db)
        print(pg.describe())
        configurations += [("PostgreSQL, database (default)", "database", "postgresql"),
                           ("PostgreSQL, directory", "directory", "postgresql")]
    rows = []
    try:
        for label, store, backend in configurations:
            database = pg.fresh_database() if backend == "postgresql" else None
            try:
                rows.append(run(label, store, database, args))
            finally:
                if database:
                    pg.drop(database)
    finally:
        if pg is not None:
            pg.stop()
    print(f"\n### {args.photos} photos of {args.size} bytes, {args.clients} officers at once, "
          "each photo in two PUT …/parts requests, then one GET\n")
    print("| store | PUT parts median ms | p99 ms | GET median ms | p99 ms | photos stored/s |")
    print("|---|---|---|---|---|---|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
