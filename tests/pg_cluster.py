"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary data folder,
a free loopback port, trust authentication. As root (CI) it runs as ``nobody``: postgres refuses root.

``PgCluster.database()`` hands out a fresh database per test, copied from a template migrated once
(``CREATE DATABASE ... TEMPLATE``), so each test starts from an empty, current schema in milliseconds.
The cluster runs with ``fsync=off``: it is thrown away with the test session, and the benchmarks
(``bench/ingest.py --db postgresql://...``) measure a durable one.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

NOBODY = 65534
_names = itertools.count(1)


def pg_tool(name: str) -> str:
    """A PostgreSQL server program: Debian keeps them under /usr/lib/postgresql/<version>/bin."""
    found = next((str(path) for path in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
                 None) or shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: the PostgreSQL server is needed (apt-get install postgresql)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PgCluster:
    def __init__(self, folder: Path | None = None, *, durable: bool = False):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="peta-pg-"))
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            os.chown(self.folder, NOBODY, NOBODY)
        self.data = self.folder / "data"
        self.port = free_port()
        self._template: str | None = None
        run = subprocess.run([*self.as_user, pg_tool("initdb"), "-D", str(self.data), "-U", "postgres", "-A",
                              "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            raise RuntimeError(f"initdb failed: {run.stderr}")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run = subprocess.run([*self.as_user, pg_tool("pg_ctl"), "-D", str(self.data), "-l",
                              str(self.folder / "log.txt"), "-w", "-t", "60", "-o", options, "start"],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {run.stderr} {run.stdout} {self.log()}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def log(self) -> str:
        path = self.folder / "log.txt"
        return path.read_text(errors="replace") if path.exists() else ""

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def database(self, *, migrated: bool = True) -> str:
        """The URL of a new, empty database (migrated to the current schema unless told otherwise)."""
        name = f"peta_{os.getpid()}_{next(_names)}"
        if migrated:
            self.admin(f"CREATE DATABASE {name} TEMPLATE {self._migrated_template()}")
        else:
            self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def _migrated_template(self) -> str:
        if self._template is None:
            from sync_server.storage import open_storage

            name = f"peta_template_{os.getpid()}"
            self.admin(f"CREATE DATABASE {name}")
            open_storage(self.url(name), migrate=True).close()
            self._template = name
        return self._template

    def stop(self) -> None:
        subprocess.run([*self.as_user, pg_tool("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)
