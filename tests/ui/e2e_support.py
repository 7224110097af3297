"""Processes for the browser tests: the real sync server, a switchable "signal" proxy, the app in web mode.

In web mode the app's Python side runs on the serving host, so "no signal" means the sync server is
unreachable *from the app process*. ``SignalProxy`` sits between them on loopback: ``cut()`` closes
its listening socket (the app gets "connection refused", as with no network) and drops open
connections; ``restore()`` listens again on the same port.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def server_cli(db: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"sync_server {args[0]} failed: {done.stderr}")
    return done.stdout


class Process:
    """A child process with its output in a log file; ``stop()`` terminates it (then kills it)."""

    def __init__(self, args: list[str], *, env: dict[str, str], log_path: Path):
        self.args, self.env, self.log_path = args, env, log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        return self

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=8)
        except subprocess.TimeoutExpired:          # a lingering web session can hang shutdown
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class SyncServer:
    """``init`` + ``seed-demo`` on a fresh database, then ``serve`` on a free port."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None):
        self.db = workdir / "peta.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PETA_MEDIA_DIR": str(workdir / "media"), **(env or {})}
        server_cli(self.db, "init", env=self.env)
        self.seed_output = server_cli(self.db, "seed-demo", env=self.env)
        self.process = Process([sys.executable, "-m", "sync_server", "serve", "--db", str(self.db), "--port",
                                str(self.port)], env=self.env, log_path=workdir / "server.log").start()
        wait_http(f"{self.url}/healthz", process=self.process.popen)

    def enrollment_code(self, username: str) -> str:
        return server_cli(self.db, "enrollment-code", "--username", username, env=self.env).split()[0]

    def stop(self) -> None:
        self.process.stop()


class SignalProxy:
    """A TCP relay on 127.0.0.1 whose signal can be cut and restored."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.connections = 0

    @property
    def up(self) -> bool:
        return self._listener is not None

    def restore(self) -> SignalProxy:
        if self._listener is None:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(32)
            self._listener = listener
            threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            for sock in list(self._sockets):
                _close(sock)
            self._sockets.clear()

    stop = cut

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                _close(client)
                continue
            self.connections += 1
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _close(sock)
                with self._lock:
                    self._sockets.discard(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class FieldApp:
    """``python -m field_app`` in web mode, with its own data folder; restartable (the outbox survives)."""

    def __init__(self, workdir: Path, server_url: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.data_dir = workdir / "app-data"
        self.env = {**os.environ, "PETA_APP_HOST": "127.0.0.1", "PETA_APP_PORT": str(self.port),
                    "PETA_SERVER_URL": server_url, "FLET_APP_STORAGE_DATA": str(self.data_dir), "BROWSER": "true",
                    **(env or {})}
        self.process = Process([sys.executable, "-m", "field_app"], env=self.env, log_path=workdir / "app.log")

    def start(self) -> FieldApp:
        self.process.start()
        wait_http(self.url, process=self.process.popen)
        return self

    def restart(self) -> FieldApp:
        self.process.stop()
        return self.start()

    def stop(self) -> None:
        self.process.stop()
