"""The background sync task: runs passes in a thread, wakes on demand, backs off, stops cleanly."""
from __future__ import annotations

import asyncio
import socket
import threading
from datetime import UTC, datetime

from field_app.sync_client import SyncClient
from field_app.sync_engine import Backoff, SyncEngine, SyncPolicy, WakeReason
from field_app.sync_loop import SyncLoop
from tests.app.builders import OFFICER, save_reports


def _engine(outbox, url, token, **policy) -> SyncEngine:
    return SyncEngine(outbox, SyncClient(url, token, connect_timeout=1), OFFICER, policy=SyncPolicy(**policy))


async def _until(condition, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_the_first_pass_runs_at_start_and_a_wake_runs_another(outbox, server, token):
    save_reports(outbox, 2)
    outcomes, starts = [], []
    loop = SyncLoop(_engine(outbox, server.url, token), interval=60, on_outcome=outcomes.append,
                    on_start=lambda: starts.append(1))
    task = asyncio.create_task(loop.run())
    await _until(lambda: len(outcomes) == 1)
    assert outcomes[0].ok and outcomes[0].sent == 2
    save_reports(outbox, 1, start=3)
    loop.wake(WakeReason.SAVED)
    await _until(lambda: len(outcomes) == 2)
    assert outcomes[1].sent == 1 and len(starts) == 2
    loop.stop()
    await asyncio.wait_for(task, 2)
    assert loop.stopped and task.done()


async def test_sync_never_blocks_the_event_loop(outbox, server, token):
    """While a pass is held inside the server, this coroutine still runs: the pass is in its thread.
    (Were it run on the event loop, this coroutine would resume only after the server let go.)"""
    server.gate = threading.Event()
    save_reports(outbox, 1)
    outcomes = []
    loop = SyncLoop(_engine(outbox, server.url, token), interval=60, on_outcome=outcomes.append)
    task = asyncio.create_task(loop.run())
    try:
        await _until(lambda: server.requests)               # the pass has reached the server ...
        assert not server.gate.is_set() and outcomes == []  # ... and is still held there
    finally:
        server.gate.set()
    await _until(lambda: outcomes)
    assert outcomes[0].ok and outcomes[0].sent == 1
    loop.stop()
    await asyncio.wait_for(task, 2)


async def test_a_wake_from_another_thread_is_heard(outbox, server, token):
    outcomes = []
    loop = SyncLoop(_engine(outbox, server.url, token), interval=60, on_outcome=outcomes.append)
    task = asyncio.create_task(loop.run())
    await _until(lambda: len(outcomes) == 1)
    thread = threading.Thread(target=loop.wake, args=(WakeReason.CONNECTIVITY,))
    thread.start()
    thread.join()
    await _until(lambda: len(outcomes) == 2)
    loop.stop()
    await asyncio.wait_for(task, 2)


async def test_failed_passes_are_retried_by_backoff_not_by_the_timer(outbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    save_reports(outbox, 1)
    engine = _engine(outbox, dead, "t", backoff=Backoff(base=0.02, cap=0.05))
    outcomes = []

    async def record(outcome):
        outcomes.append(outcome)

    loop = SyncLoop(engine, interval=600, on_outcome=record)
    task = asyncio.create_task(loop.run())
    await _until(lambda: len(outcomes) >= 3)
    assert all(outcome.error_code == "sync.offline" for outcome in outcomes)
    loop.stop()
    await asyncio.wait_for(task, 2)


async def test_a_revoked_device_stops_trying_until_enrolled_again(outbox, server):
    save_reports(outbox, 1)
    outcomes = []
    engine = _engine(outbox, server.url, "revoked", backoff=Backoff(base=0.01, cap=0.01))
    asked, should_run = [], engine.should_run

    def counted(reason, now):
        asked.append(reason)
        return should_run(reason, now)

    engine.should_run = counted
    loop = SyncLoop(engine, interval=0.05, on_outcome=outcomes.append)
    task = asyncio.create_task(loop.run())
    await _until(lambda: len(outcomes) == 1)
    await _until(lambda: asked.count(WakeReason.TIMER) >= 5)   # several timer wakes go by ...
    assert len(outcomes) == 1 and outcomes[0].auth_revoked     # ... and none ran a pass
    loop.stop()
    await asyncio.wait_for(task, 2)


async def test_the_loop_reads_the_injected_clock(outbox, server, token):
    moments = []
    fixed = datetime(2024, 11, 27, 15, 0, tzinfo=UTC)
    loop = SyncLoop(_engine(outbox, server.url, token), clock=lambda: fixed, interval=60,
                    on_outcome=lambda outcome: moments.append(outcome.started_at))
    task = asyncio.create_task(loop.run())
    await _until(lambda: moments)
    assert moments == [fixed]
    loop.stop()
    await asyncio.wait_for(task, 2)


async def test_a_bug_in_a_pass_does_not_kill_background_sync(outbox, server, token):
    engine = _engine(outbox, server.url, token)
    real_push, calls = engine.client.push, []

    def broken_push(reports):
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("bug")
        return real_push(reports)

    engine.client.push = broken_push
    save_reports(outbox, 1)
    outcomes = []
    loop = SyncLoop(engine, interval=60, on_outcome=outcomes.append)
    task = asyncio.create_task(loop.run())
    await _until(lambda: len(outcomes) == 1)
    assert outcomes[0].error_code == "sync.internal" and outbox.counts(OFFICER)["waiting"] == 1
    loop.wake(WakeReason.DEMAND)
    await _until(lambda: len(outcomes) == 2)
    assert outcomes[1].ok and outbox.counts(OFFICER)["sent"] == 1
    loop.stop()
    await asyncio.wait_for(task, 2)
