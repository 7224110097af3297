"""The timing goals that the test suite does not assert (tests hold no timed assertions).

    .venv/bin/python bench/timing.py              # every section
    .venv/bin/python bench/timing.py --only pump  # pump | proxy | network | loop

Each row is a measure, the result on this machine, its goal, and whether the goal was met. The
tests check the same behaviour without a clock (tests/server/test_alerts_pump.py,
tests/faults/test_faults.py, tests/faults/test_bad_network.py, tests/app/test_app_sync_loop.py);
these are the numbers they used to assert. The proxy and network sections start their own real
server (``init`` + ``serve`` on a temporary database) and enroll an officer with a CLI code.
Exit status 1 when a goal was missed (compare runs at similar load only: see docs/benchmarks.md).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import machine_line  # noqa: E402

from field_app.errors import Offline  # noqa: E402
from field_app.outbox import Outbox  # noqa: E402
from field_app.sync_client import SyncClient  # noqa: E402
from field_app.sync_engine import SyncEngine  # noqa: E402
from field_app.sync_loop import SyncLoop  # noqa: E402
from sync_server.alerts.pump import Pump  # noqa: E402
from tests.app.builders import OFFICER, save_reports  # noqa: E402
from tests.app.fake_server import FakeSyncServer  # noqa: E402
from tests.faults.harness import RealServer, grainy_jpeg, make_report, utc_now  # noqa: E402
from tests.faults.network import run_network  # noqa: E402
from tests.faults.proxy import Fault, FaultProxy, Profile  # noqa: E402

Row = tuple[str, str, str, bool]           # measure, result, goal, met
BENCH_OFFICER = "87090001"


def _timed(action: Callable[[], object]) -> float:
    began = time.monotonic()
    action()
    return time.monotonic() - began


# ---------------------------------------------------------------- the alert pump


def pump_rows() -> list[Row]:
    passes: list[int] = []
    pump = Pump(lambda: passes.append(1), min_interval=0.2, name="bench-pump")
    began = time.monotonic()
    while time.monotonic() - began < 1.0:
        pump.poke()
        time.sleep(0.005)                  # sustained pushes: one every 5 ms
    pump.settle(timeout=5)
    pump.close()
    waiting = Pump(lambda: None, min_interval=5.0, name="bench-pump-reader")
    waiting.poke()
    waiting.settle(timeout=5)
    waiting.poke()                         # the next pass would wait out the 5 s interval ...
    cut = _timed(lambda: waiting.settle(timeout=10))   # ... but a reader is waiting
    waiting.close()
    return [("alert passes begun in 1 s of pokes every 5 ms (interval 0.2 s)", f"{len(passes)}", "3-7",
             3 <= len(passes) <= 7),
            ("a waiting reader's pass under a 5 s interval", f"{cut * 1000:.2f} ms", "< 4 s", cut < 4)]


# ---------------------------------------------------------------- the fault proxy


def _push_one(proxy: FaultProxy, token: str, seed: int, timeout: float = 1.0) -> None:
    wire = make_report(random.Random(seed), utc_now()).to_wire()
    SyncClient(proxy.url, token, connect_timeout=timeout, read_timeout=timeout).push([wire])


def _stalled(proxy: FaultProxy, token: str) -> float:
    proxy.plan = lambda exchange: Fault("stall") if exchange.path.endswith("/sync/push") else Fault()
    proxy.stall_seconds = 5
    began = time.monotonic()
    with contextlib.suppress(Offline):
        _push_one(proxy, token, 4, timeout=0.5)
    return time.monotonic() - began


def proxy_rows(server: RealServer, token: str) -> list[Row]:
    with FaultProxy(server.port, seed=7) as proxy:
        stall = _stalled(proxy, token)
        proxy.plan = lambda exchange: Fault("delay", seconds=0.4) if exchange.path.endswith("/sync/push") \
            else Fault()
        delay = _timed(lambda: _push_one(proxy, token, 6))
        proxy.plan = lambda exchange: Fault()
        proxy.profile = Profile(latency_up=0.15, latency_down=0.1)
        latency = _timed(lambda: SyncClient(proxy.url, token).healthz())
        proxy.profile = Profile(up=100_000, down=100_000)
        wires = [make_report(random.Random(seed), utc_now()).to_wire() for seed in range(10, 60)]
        elapsed = _timed(lambda: SyncClient(proxy.url, token, read_timeout=10).push(wires))
        moved = proxy.stats.exchanges[-1].bytes_up + proxy.stats.exchanges[-1].bytes_down
    rate = moved / elapsed
    return [("stalled answer: client (read timeout 0.5 s) gives up after", f"{stall:.2f} s", "0.4-4 s",
             0.4 < stall < 4),
            ("push through a 0.4 s delay", f"{delay:.2f} s", ">= 0.4 s", delay >= 0.4),
            ("healthz through 0.15 s + 0.1 s latency", f"{latency:.2f} s", ">= 0.25 s", latency >= 0.25),
            ("push of 50 reports at 100 kB/s each way", f"{rate / 1000:.1f} kB/s ({moved} B)",
             "30-100 kB/s", 100_000 * 0.3 <= rate <= 100_000)]


def network_rows(server: RealServer, token: str, workdir: Path) -> list[Row]:
    """The bounded twin of the 2G run (tests/faults/test_bad_network.py)."""
    with FaultProxy(server.port, seed=7) as proxy:
        run = run_network(server, proxy, BENCH_OFFICER, token, workdir, profile=Profile.from_kbit(512, 200, 0.05),
                          reports=40, photos=3, seed=5, read_timeout=5, max_seconds=600, camera=grainy_jpeg)
    return [("40 reports + 3 photos over 512 kbit/s, 200 ms, 5 % loss", f"{run.seconds:.1f} s "
             f"({run.passes} passes, exact: {run.audit.exact})", "< 50 s", run.seconds < 50 and run.audit.exact)]


# ---------------------------------------------------------------- the app's sync loop


async def _ticks_during_a_slow_pass(folder: Path) -> int:
    server = FakeSyncServer().start()
    outbox = Outbox(folder)
    try:
        server.delay = 0.3
        save_reports(outbox, 1)
        engine = SyncEngine(outbox, SyncClient(server.url, server.issue_token(OFFICER), connect_timeout=1), OFFICER)
        outcomes, ticks = [], 0
        loop = SyncLoop(engine, interval=60, on_outcome=outcomes.append)
        task = asyncio.create_task(loop.run())
        while not outcomes:
            ticks += 1
            await asyncio.sleep(0.01)
        loop.stop()
        await asyncio.wait_for(task, 5)
        return ticks
    finally:
        outbox.close()
        server.stop()


def loop_rows(workdir: Path) -> list[Row]:
    ticks = asyncio.run(_ticks_during_a_slow_pass(workdir / "loop"))
    return [("10 ms ticks of the event loop during a 0.3 s sync pass", f"{ticks}", "> 10", ticks > 10)]


# ---------------------------------------------------------------- main


def _print(rows: list[Row]) -> None:
    width = max(len(row[0]) for row in rows)
    result_width = max(len(row[1]) for row in rows)
    print(f"| {'measure'.ljust(width)} | {'result'.ljust(result_width)} | goal        | met |")
    print(f"|{'-' * (width + 2)}|{'-' * (result_width + 2)}|-------------|-----|")
    for measure, result, goal, met in rows:
        print(f"| {measure.ljust(width)} | {result.ljust(result_width)} | {goal.ljust(11)} | {'yes' if met else 'NO'} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("pump", "proxy", "network", "loop"))
    only = parser.parse_args().only
    print(machine_line())
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="peta-timing-") as folder:
        workdir = Path(folder)
        if only in (None, "pump"):
            rows += pump_rows()
        if only in (None, "loop"):
            rows += loop_rows(workdir)
        if only in (None, "proxy", "network"):
            (workdir / "server").mkdir()
            server = RealServer(workdir / "server").start()
            try:
                token = server.enroll_officer(BENCH_OFFICER)
                if only in (None, "proxy"):
                    rows += proxy_rows(server, token)
                if only in (None, "network"):
                    rows += network_rows(server, token, workdir)
            finally:
                server.stop()
    _print(rows)
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
