"""The peers of bench/peers.py, started and stopped: pouchdb-server over LevelDB, and Kinto over a
throwaway PostgreSQL cluster, each with its accounts and databases/collections made the way an
operator would, through its own HTTP API. Installed by bench/peers/setup.sh; see docs/benchmarks.md,
"Beside the peers"."""
from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import call, free_port

PEERS = Path(__file__).resolve().parent / "peers"
NODE_MODULES = PEERS / "node_modules"
KINTO_VENV = PEERS / "kinto-venv"
PASSWORD = "kata-sandi-bench-123"
KINTO_RECORDS = "/buckets/peta/collections/{collection}/records"


@dataclass
class Peer:
    """A running peer: what ``ingest.run_push`` needs (``port``, ``pid``, ``pids``) and how to stop it."""
    port: int
    pids: list[int]
    stops: list[Callable[[], None]]

    @property
    def pid(self) -> int:
        return self.pids[0]


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(message)


def basic(user: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def wait_http(port: int, path: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if call(port, "GET", path)[0] < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer on port {port}: {log.read_text(errors='replace')[-2000:]}")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def running(peer: Peer) -> Iterator[Peer]:
    try:
        yield peer
    finally:
        for stop in reversed(peer.stops):
            stop()


def start_pouchdb(folder: Path, clients: int) -> Peer:
    """pouchdb-server over LevelDB in ``folder``; an admin, ``clients`` + 1 users, databases ``reports``
    and ``warmup`` whose members they are (no admin party)."""
    server = NODE_MODULES / "pouchdb-server" / "bin" / "pouchdb-server"
    if not server.exists():
        raise RuntimeError("pouchdb-server is not installed: run sh bench/peers/setup.sh")
    data = folder / "pouchdb"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"log": {"file": str(data / "log.txt"), "level": "warning"}}))
    port, log = free_port(), data / "stdout.txt"
    with log.open("wb") as out:
        process = subprocess.Popen(["node", str(server), "--port", str(port), "--dir", str(data), "--config",
                                    str(data / "config.json"), "--no-stdout-logs", "--no-color"],
                                   cwd=data, stdout=out, stderr=subprocess.STDOUT)
    peer = Peer(port, [process.pid], [lambda: stop_process(process)])
    try:
        wait_http(port, "/", process, log)
        status, body = call(port, "PUT", "/_config/admins/admin", PASSWORD)
        expect(status in (200, 201), f"create admin: {status} {body}")
        admin = basic("admin")
        for name in [*(f"officer{index}" for index in range(clients)), "polres_kerinci"]:
            status, body = call(port, "PUT", f"/_users/org.couchdb.user:{name}", {
                "_id": f"org.couchdb.user:{name}", "name": name, "password": PASSWORD, "roles": [],
                "type": "user"}, auth=admin)
            expect(status == 201, f"create user {name}: {status} {body}")
        for db in ("reports", "warmup"):
            status, body = call(port, "PUT", f"/{db}", auth=admin)
            expect(status == 201, f"create {db}: {status} {body}")
            members = [*(f"officer{index}" for index in range(clients)), "polres_kerinci"]
            status, body = call(port, "PUT", f"/{db}/_security", {"admins": {"names": [], "roles": []},
                                                                 "members": {"names": members, "roles": []}},
                                auth=admin)
            expect(status == 200, f"security of {db}: {status} {body}")
        status, body = call(port, "GET", "/reports")
        expect(status == 401, f"anonymous read of a members-only database answered {status} {body}")
    except BaseException:
        stop_process(process)
        raise
    return peer


def pg_tool(name: str) -> str:
    found = shutil.which(name) or next((str(path) for path in sorted(Path("/usr/lib/postgresql").glob(
        f"*/bin/{name}"))), None)
    if not found:
        raise RuntimeError(f"{name} not found: the PostgreSQL server is needed (apt-get install postgresql)")
    return found


def start_postgres(folder: Path) -> tuple[int, int, Callable[[], None]]:
    """A throwaway cluster in ``folder`` on a free loopback port, trust auth, fsync and synchronous commit
    on (the defaults). As root, it runs as ``nobody`` (postgres refuses root). (port, postmaster pid, stop)"""
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if as_user:
        os.chown(folder, 65534, 65534)
    data, port = folder / "data", free_port()
    run = subprocess.run([*as_user, pg_tool("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale=C", "--no-instructions"], capture_output=True, text=True)
    expect(run.returncode == 0, f"initdb failed: {run.stderr}")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    run = subprocess.run([*as_user, pg_tool("pg_ctl"), "-D", str(data), "-l", str(folder / "log.txt"), "-w",
                          "-t", "60", "-o", options, "start"], capture_output=True, text=True)
    expect(run.returncode == 0, f"pg_ctl start failed: {run.stderr} {run.stdout}")

    def stop() -> None:
        subprocess.run([*as_user, pg_tool("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
    return port, int((data / "postmaster.pid").read_text().split()[0]), stop


def start_kinto(folder: Path, clients: int) -> Peer:
    """Kinto (waitress, as ``kinto start`` runs it) over a fresh PostgreSQL cluster; accounts for an admin,
    ``clients`` officers and a supervisor; bucket ``peta`` with collections ``reports`` and ``warmup``
    where the officers may create records and the supervisor may read."""
    kinto = KINTO_VENV / "bin" / "kinto"
    if not kinto.exists():
        raise RuntimeError("Kinto is not installed: run sh bench/peers/setup.sh")
    pg_folder = Path(tempfile.mkdtemp(prefix="peta-peers-pg-"))
    stops: list[Callable[[], None]] = [lambda: shutil.rmtree(pg_folder, ignore_errors=True)]
    peer = Peer(0, [], stops)
    try:
        pg_port, pg_pid, pg_stop = start_postgres(pg_folder)
        stops.append(pg_stop)
        url = f"postgresql://postgres@127.0.0.1:{pg_port}/postgres"
        peer.port = free_port()
        ini = folder / "kinto.ini"
        ini.write_text((PEERS / "kinto.ini").read_text().replace("@PORT@", str(peer.port))
                       .replace("@PG_URL@", url).replace("@SECRET@", secrets.token_hex(32)))
        run = subprocess.run([str(kinto), "migrate", "--ini", str(ini)], capture_output=True, text=True)
        expect(run.returncode == 0, f"kinto migrate failed: {run.stderr[-2000:]}")
        log = folder / "kinto.log"
        with log.open("wb") as out:
            process = subprocess.Popen([str(kinto), "start", "--ini", str(ini), "--port", str(peer.port)],
                                       cwd=folder, stdout=out, stderr=subprocess.STDOUT)
        stops.append(lambda: stop_process(process))
        peer.pids = [process.pid, pg_pid]
        wait_http(peer.port, "/v1/", process, log)
        kinto_accounts(peer.port, clients)
    except BaseException:
        for stop in reversed(stops):
            stop()
        raise
    return peer


def kinto_accounts(port: int, clients: int) -> None:
    """Accounts (created as anyone may), then the bucket and its collections (as the admin): ``reports``
    and ``warmup`` shared by every officer, and ``reports-N``/``warmup-N`` of officer N alone."""
    officers = [f"officer{index}" for index in range(clients)]
    for name in ["admin", *officers, "polres_kerinci"]:
        status, body = call(port, "PUT", f"/v1/accounts/{name}", {"data": {"password": PASSWORD}})
        expect(status == 201, f"create account {name}: {status} {body}")
    admin = basic("admin")
    status, body = call(port, "PUT", "/v1/buckets/peta", {"data": {}}, auth=admin)
    expect(status == 201, f"create bucket: {status} {body}")
    for collection in ["reports", "warmup", *(f"{kind}-{index}" for kind in ("reports", "warmup")
                                               for index in range(clients))]:
        status, body = call(port, "PUT", f"/v1/buckets/peta/collections/{collection}", {
            "data": {}, "permissions": {"record:create": [f"account:{name}" for name in officers],
                                        "read": ["account:polres_kerinci"]}}, auth=admin)
        expect(status == 201, f"create collection {collection}: {status} {body}")
    status, body = call(port, "GET", "/v1" + KINTO_RECORDS.format(collection="reports"))
    expect(status in (401, 403), f"anonymous read of the records answered {status} {body}")


def versions() -> dict[str, str]:
    """What ran: read from the installed packages, not assumed."""
    def output(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
        except OSError:
            return "?"

    def npm_version(name: str) -> str:
        path = NODE_MODULES / name / "package.json"
        return json.loads(path.read_text())["version"] if path.exists() else "not installed"
    kinto = KINTO_VENV / "bin" / "python"
    metadata = "import importlib.metadata as m, sys; print(' '.join(m.version(n) for n in sys.argv[1:]))"
    kinto_versions = output(str(kinto), "-c", metadata, "kinto", "waitress", "psycopg2-binary").split()
    if len(kinto_versions) != 3:
        kinto_versions = ["not installed"] * 3
    commit = output("git", "-C", str(PEERS.parent.parent), "rev-parse", "--short", "HEAD")
    dirty = output("git", "-C", str(PEERS.parent.parent), "status", "--porcelain", "--untracked-files=no",
                   "--", "sync_server", "kerawanan")
    return {"peta-rawan": commit + (" + uncommitted server changes" if dirty else ""),
            "node": output("node", "--version"), "pouchdb-server": npm_version("pouchdb-server"),
            "leveldown": npm_version("leveldown"), "kinto": kinto_versions[0], "waitress": kinto_versions[1],
            "psycopg2": kinto_versions[2], "postgres": output(pg_tool("postgres"), "--version").split(" ")[2]}
