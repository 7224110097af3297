"""Helpers of the server tests: a real uvicorn subprocess, a thin HTTP client, small builders."""
from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "kata-sandi-uji-123"
_counter = itertools.count(1)

# Real gazetteer codes used by the tests.
KOTO_BARU = "15.72.07"                 # kecamatan in Kota Sungai Penuh
DESA_A = "15.72.07.2004"               # Dujung Sakti, Koto Baru
DESA_B = "15.72.07.2001"               # Koto Baru, Koto Baru
PESISIR_BUKIT_DESA = "15.72.02.2004"   # another kecamatan of Sungai Penuh
KOTA_JAMBI_DESA = "15.71.01.1004"      # Kota Jambi: outside Polres Kerinci


def cli(db: Path | str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m sync_server <args> --db <db>`` in the repository, output captured (``db``: a file
    path or a ``postgresql://`` URL)."""
    return subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def wait_until(condition: Callable[[], bool], seconds: float = 20.0, step: float = 0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``seconds`` pass (False): for what a server does
    asynchronously (notice a cut connection, run a background pass)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):04d}{uuid.uuid4().hex[:4]}"


class ServerProcess:
    """``init`` then ``serve`` on a free port, as a real uvicorn process; stopped by ``stop()``.

    ``database``: a ``postgresql://`` URL (e.g. ``PgCluster.database()``) or a file path; default an
    SQLite file in ``workdir``, which also holds the log and (``PETA_MEDIA_DIR``) the photos.
    """

    def __init__(self, workdir: Path, env: dict[str, str] | None = None, *, seed_demo: bool = False,
                 serve_args: tuple[str, ...] = (), database: Path | str | None = None):
        self.workdir = workdir
        self.db: Path | str = workdir / "peta.db" if database is None else database
        self.backend = "postgresql" if str(self.db).startswith(("postgresql://", "postgres://")) else "sqlite"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PETA_MEDIA_DIR": str(workdir / "media"), **(env or {})}
        self.log_path = workdir / "server.log"
        done = cli(self.db, "init", env=self.env)
        assert done.returncode == 0, done.stderr
        self.admin_password = PASSWORD
        done = cli(self.db, "create-user", "--username", "admin", "--name", "Admin Uji", "--role", "admin",
                   "--scope", "15", "--password", PASSWORD, env=self.env)
        assert done.returncode == 0, done.stderr
        if seed_demo:
            done = cli(self.db, "seed-demo", env=self.env)
            assert done.returncode == 0, done.stderr
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync_server", "serve", "--db", str(self.db), "--port", str(self.port),
                 "--log-level", "warning", *serve_args], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz: {self.log_path.read_text()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Api:
    """A thin httpx client: ``api.get(path, token=...)`` etc. return ``httpx.Response``."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=60)

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> str:
        response = self.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def push(self, token: str, reports: list[dict]) -> dict:
        response = self.post("/api/v1/sync/push", token=token, json={"reports": reports})
        assert response.status_code == 200, response.text
        return response.json()

    def pull_all(self, token: str, cursor: int = 0, limit: int = 100) -> tuple[list[dict], list[int]]:
        """Every change after ``cursor``, page by page; also the cursors seen."""
        changes, cursors, more = [], [cursor], True
        while more:
            body = self.get("/api/v1/sync/pull", token=token, params={"cursor": cursors[-1], "limit": limit})
            assert body.status_code == 200, body.text
            page = body.json()
            changes.extend(page["changes"])
            cursors.append(page["cursor"])
            more = page["more"]
        return changes, cursors


@dataclass
class Actor:
    username: str
    role: str
    scope: list[str]
    token: str


@dataclass
class World:
    """Users on a running server, created through the API by its admin."""

    api: Api
    admin: Actor
    made: dict[str, Actor] = field(default_factory=dict)

    def user(self, role: str, scope: list[str], *, login: bool = True) -> Actor:
        username = unique("nrp" if role == "officer" else role[:3])
        body = {"username": username, "name": f"Uji {username}", "role": role, "scope": scope,
                "password": PASSWORD}
        response = self.api.post("/api/v1/users", token=self.admin.token, json=body)
        assert response.status_code == 201, response.text
        token = self.api.login(username) if login else ""
        return Actor(username=username, role=role, scope=scope, token=token)

    def officer(self, *desa: str) -> Actor:
        return self.user("officer", list(desa or [DESA_A]))

    def supervisor(self, *scope: str) -> Actor:
        return self.user("supervisor", list(scope or [KOTO_BARU]))


def report(**overrides: Any) -> dict[str, Any]:
    """A valid wire report v1 (fresh id), with ``overrides`` applied (``None`` values kept)."""
    body = {
        "id": str(uuid.uuid4()),
        "observed_at": "2024-11-27T21:40:00+07:00",
        "category": "gangguan_tps",
        "threat_stage": "GN",
        "desa_code": DESA_A,
        "facts": "Massa membakar kotak suara di TPS 03.",
    }
    body.update(overrides)
    return body


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is the one error shape with ``status`` (and ``code``); returns ``error``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def _spare_kecamatan():
    """Kecamatan codes no other test uses (outside Sungai Penuh, Kerinci and Kota Jambi)."""
    from kerawanan import assets

    gazetteer = assets.gazetteer()
    for region in gazetteer.regions("kecamatan"):
        if region.code.split(".")[1] not in ("01", "71", "72") and gazetteer.desa_under(region.code):
            yield region.code


_SPARE = _spare_kecamatan()


def restart_kecamatan() -> None:
    """Start the spare kecamatan over: called when the session server gets a new, empty database
    (once per backend), since a kecamatan need only be unused in the database a test writes to."""
    global _SPARE
    _SPARE = _spare_kecamatan()


def fresh_kecamatan() -> tuple[str, list[str]]:
    """A kecamatan only the calling test uses (in its server's database), and the codes of its desa."""
    from kerawanan import assets

    code = next(_SPARE)
    return code, [region.code for region in assets.gazetteer().desa_under(code)]


class ThreadServer:
    """An app object (e.g. with a fake clock) served by uvicorn in a thread, on a free port."""

    def __init__(self, app: Any):
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("in-thread server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def raw_http(url: str, method: str, target: bytes, headers: dict[str, str] | None = None,
             body: bytes = b"", timeout: float = 30) -> RawResponse:
    """One HTTP/1.1 exchange over a plain socket, the request target sent byte for byte (no
    normalisation of ``..``, percent-escapes, NUL or non-ASCII, unlike httpx)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    headers = {"Host": f"{host}:{port}", "Connection": "close", **(headers or {})}
    lines = [method.encode() + b" " + target + b" HTTP/1.1"]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers.items()]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}".encode())
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in header_lines if ": " in line)
    return RawResponse(status=int(status_line.split(" ")[1]), body=payload,
                       headers={key.lower(): value for key, value in fields.items()})


def write_clock(path: Path, text: str) -> None:
    """Set a server's ``PETA_CLOCK_FILE`` while it runs: written beside it, then renamed over it, so a
    reading never finds the file empty or half-written (``write_text`` truncates first: a sweep
    that read the clock at that moment once failed on CI with "Invalid isoformat string: ''")."""
    spare = path.with_name(path.name + ".new")
    spare.write_text(text, encoding="utf-8")
    os.replace(spare, path)
