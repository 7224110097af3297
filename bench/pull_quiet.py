"""What a pull costs a caller whose area is quiet, now that its cursor never jumps to the server's
newest seq (issue 11, docs/reliability.md "What a cursor tells").

    .venv/bin/python bench/pull_quiet.py [--changes 200000] [--repeat 50]

Over a temporary database, ``--changes`` report changes land in Kerinci; a Kota Jambi supervisor
(none of them visible to it) polls from its caught-up cursor. Measured at the storage port (the
query and the page, no HTTP): the first poll of a process (no scan hint: it scans every change
since its last one), then the steady state (the hint the previous poll left), and a Kerinci
supervisor paging all the changes with ``limit=1000`` for comparison. Prints a table.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlite_utils  # noqa: E402

from sync_server.scope import Principal  # noqa: E402
from sync_server.storage import open_storage  # noqa: E402
from sync_server.storage.base import NewChange  # noqa: E402
from sync_server.storage.changes import scan_hints  # noqa: E402
from sync_server.storage.migrations import migrate  # noqa: E402

NOW = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
QUIET = Principal(username="polresta.jambi", role="supervisor", scope=("15.71",))


def timed(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        migrate(sqlite_utils.Database(path))
        storage = open_storage(path)
        for start in range(0, args.changes, 5000):
            storage.add_changes([NewChange(kind="report", data=None, region_code="15.72.07.2004",
                                           audience="supervisors", ref=f"r{n}")
                                 for n in range(start, min(args.changes, start + 5000))], NOW)
        area = QUIET.area()
        first = storage.pull_stored(QUIET.username, area, 0, 100)        # leaves the hint

        def cold() -> None:
            scan_hints(storage.db).__init__()                           # a restart / another worker
            storage.pull_stored(QUIET.username, area, first.cursor, 100)

        rows = [(f"quiet caller, first poll of a process (scans {args.changes:,} changes)",
                 timed(cold, max(1, args.repeat // 10))),
                ("quiet caller, steady poll (scan hint)",
                 timed(lambda: storage.pull_stored(QUIET.username, area, first.cursor, 100), args.repeat))]
        storage.close()
    width = max(len(name) for name, _ in rows)
    print(f"| {'pull at the storage port'.ljust(width)} | time |")
    print(f"|{'-' * (width + 2)}|------:|")
    for name, seconds in rows:
        print(f"| {name.ljust(width)} | {seconds * 1000:,.2f} ms |")


if __name__ == "__main__":
    main()
