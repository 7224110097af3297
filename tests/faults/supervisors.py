"""The supervisors of the load run (``tests/faults/load.py``): Polres Kerinci, Polda Jambi and
Polresta Jambi, each polling every second what the supervisor views load — the alert board
(``status=active``, as ``SupervisorBoard``), the review queue (``review=pending``) and one alert's
detail — with its own keep-alive connection.

They run in their own process (``SupervisorDesk``, forked before the officers start), so that
their timings never wait for the officers' event loop to let go of the interpreter lock.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

SUPERVISORS = (("polres.kerinci", "Kompol Beban Kerinci", ("15.01", "15.72")),
               ("polda.jambi", "AKBP Beban Polda", ("15",)),
               ("polresta.jambi", "Kompol Beban Kota Jambi", ("15.71",)))
SUPERVISOR_PASSWORD = "kata-sandi-beban-123"
ROUTES = ("board", "reports", "detail")


class Supervisor(threading.Thread):
    """One supervisor's screen polling the server every ``interval`` seconds (own keep-alive connection)."""

    def __init__(self, url: str, username: str, token: str, *, interval: float, timeout: float,
                 stop: threading.Event):
        super().__init__(name=f"supervisor-{username}", daemon=True)
        self.username, self.interval, self.stop = username, interval, stop
        self.client = httpx.Client(base_url=url, timeout=timeout, trust_env=False,
                                   headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
        self.latencies: dict[str, list[float]] = {route: [] for route in ROUTES}
        self.starts: dict[str, list[float]] = {route: [] for route in ROUTES}    # time.monotonic()
        self.errors: Counter[str] = Counter()
        self.board_size = 0
        self._next_detail = 0

    def run(self) -> None:
        tick = time.monotonic()
        try:
            while not self.stop.is_set():
                self.poll()
                tick += self.interval
                self.stop.wait(max(0.0, tick - time.monotonic()))
                tick = max(tick, time.monotonic() - self.interval)   # never try to catch up a backlog
        finally:
            self.client.close()

    def poll(self) -> None:
        board = self.get("board", "/api/v1/alerts", {"status": "active", "limit": 1000})
        self.get("reports", "/api/v1/reports", {"review": "pending", "limit": 200})
        items = (board or {}).get("items") or []
        self.board_size = len(items)
        if items:
            alert = items[self._next_detail % len(items)]
            self._next_detail += 1
            self.get("detail", f"/api/v1/alerts/{alert['id']}", None)

    def get(self, route: str, path: str, params: dict[str, Any] | None) -> dict[str, Any] | None:
        began, started = time.perf_counter(), time.monotonic()
        try:
            response = self.client.get(path, params=params)
            body = response.json()
        except httpx.TimeoutException:
            self.errors[f"{route}: timeout"] += 1
            return None
        except (httpx.TransportError, ValueError) as error:
            self.errors[f"{route}: {type(error).__name__}"] += 1
            return None
        if response.status_code != 200:
            self.errors[f"{route}: HTTP {response.status_code}"] += 1
            return None
        self.latencies[route].append(time.perf_counter() - began)
        self.starts[route].append(started)
        return body


def login(url: str, username: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/login",
                          json={"username": username, "password": SUPERVISOR_PASSWORD},
                          timeout=30, trust_env=False)
    if response.status_code != 200:
        raise RuntimeError(f"login {username}: {response.status_code} {response.text[:300]}")
    return response.json()["token"]


@dataclass
class Polls:
    loaded: dict[str, list[float]]    # route -> seconds per request answered 200, while the officers ran
    loaded_starts: dict[str, list[float]]    # route -> when each of those began (time.monotonic())
    quiet: dict[str, list[float]]     # the same afterwards, officers idle
    errors: Counter[str]              # "board: HTTP 503", "detail: timeout", ...
    cpu: float                        # CPU seconds of the supervisors' process while the officers ran


class SupervisorDesk:
    """Every supervisor in one child process: ``start()``, then ``finish(quiet_seconds)`` when the
    officers are done (it keeps polling that long, then stops and hands back the timings)."""

    def __init__(self, url: str, tokens: dict[str, str], *, interval: float, timeout: float):
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.quiet, self.stop = context.Event(), context.Event()
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_desk, args=(url, tokens, interval, timeout, self.quiet, self.stop, sender), daemon=True,
            name="supervisors")
        self.timeout = timeout

    def start(self) -> None:
        self.process.start()

    def finish(self, quiet_seconds: float) -> Polls:
        self.quiet.set()
        time.sleep(quiet_seconds)        # the quiet phase is part of the workload, not a wait for an event
        self.stop.set()
        if not self.receiver.poll(self.timeout * 3 + 10):
            raise RuntimeError("the supervisors' process did not report back")
        return self.receiver.recv()

    def close(self) -> None:
        self.stop.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def _desk(url: str, tokens: dict[str, str], interval: float, timeout: float, quiet: Any, stop: Any,
          sender: Any) -> None:
    halt = threading.Event()
    supervisors = [Supervisor(url, username, token, interval=interval, timeout=timeout, stop=halt)
                   for username, token in tokens.items()]
    for supervisor in supervisors:
        supervisor.start()
    quiet.wait()
    cpu = time.process_time()
    marks = [{route: len(values) for route, values in supervisor.latencies.items()}
             for supervisor in supervisors]
    stop.wait()
    halt.set()
    for supervisor in supervisors:
        supervisor.join(timeout + 5)
    polls = Polls(loaded={route: [] for route in ROUTES}, loaded_starts={route: [] for route in ROUTES},
                  quiet={route: [] for route in ROUTES}, errors=Counter(), cpu=cpu)
    for supervisor, mark in zip(supervisors, marks, strict=True):
        polls.errors.update(supervisor.errors)
        for route, values in supervisor.latencies.items():
            polls.loaded[route].extend(values[:mark[route]])
            polls.loaded_starts[route].extend(supervisor.starts[route][:mark[route]])
            polls.quiet[route].extend(values[mark[route]:])
    sender.send(polls)
    sender.close()
