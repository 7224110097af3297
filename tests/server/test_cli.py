"""``python -m sync_server`` on SQLite: every binding subcommand, exit codes, one-line errors, and no
PostgreSQL driver needed. The same on PostgreSQL: ``test_cli_postgres.py``. A few checks open the
SQLite file itself (journal mode, ``PRAGMA integrity_check`` of a backup): they are about the file."""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys

import httpx
import pytest

from sync_server.auth import verify_secret
from sync_server.demo import demo_accounts
from sync_server.storage import open_storage
from sync_server.storage.base import ReportQuery
from tests.server.helpers import PASSWORD, ROOT, Api, cli, free_port, wait_until

BINDING = ("init", "create-user", "enrollment-code", "serve", "seed-demo", "backup")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "var" / "peta.db"
    done = cli(path, "init")
    assert done.returncode == 0, done.stderr
    return path


def assert_one_line_failure(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0]


def test_help_lists_the_binding_subcommands():
    done = subprocess.run([sys.executable, "-m", "sync_server", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0
    for name in BINDING:
        assert name in done.stdout


def test_init_is_idempotent_and_loads_the_gazetteer(db):
    assert cli(db, "init").returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM regions").fetchone()[0] == 1741
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_create_user_and_generated_password(db):
    done = cli(db, "create-user", "--username", "polsek.kb", "--name", "Kapolsek Koto Baru", "--role", "supervisor",
               "--scope", "15.72.07", "--scope", "15.72.02")
    assert done.returncode == 0, done.stderr
    password = re.search(r"password: (\S+)", done.stdout).group(1)
    storage = open_storage(db)
    try:
        assert storage.get_user("polsek.kb").scope == ("15.72.07", "15.72.02")
        assert verify_secret(storage.password_hash("polsek.kb"), password)
    finally:
        storage.close()
    assert_one_line_failure(cli(db, "create-user", "--username", "polsek.kb", "--name", "Lagi", "--role", "admin",
                                "--scope", "15"), "already exists")


def test_create_user_rejects_bad_input_in_one_line(db):
    done = cli(db, "create-user", "--username", "9", "--name", "X", "--role", "officer", "--scope", "15.72.07")
    assert_one_line_failure(done, "username", "scope[0]")


def test_enrollment_code_for_officers_only(db):
    assert cli(db, "create-user", "--username", "88030417", "--name", "Bhabin", "--role", "officer",
               "--scope", "15.72.07.2004").returncode == 0
    done = cli(db, "enrollment-code", "--username", "88030417")
    assert done.returncode == 0, done.stderr
    assert re.match(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\s", done.stdout)
    assert_one_line_failure(cli(db, "enrollment-code", "--username", "nobody"), "nobody")
    assert_one_line_failure(cli(db, "enrollment-code", "--username", "polsek.kb"), "officers")


def test_backup_is_a_valid_database(db, tmp_path):
    target = tmp_path / "backups" / "copy.db"
    done = cli(db, "backup", "--to", str(target))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM regions").fetchone()[0] == 1741
    assert not target.with_name("copy.db.partial").exists()
    assert_one_line_failure(cli(db, "backup", "--to", str(db)), "Backup target")


def test_seed_demo_creates_accounts_and_reports_once(tmp_path):
    path = tmp_path / "demo.db"
    done = cli(path, "seed-demo")
    assert done.returncode == 0, done.stderr
    for account in demo_accounts():
        assert account["username"] in done.stdout and account["password"] in done.stdout
    storage = open_storage(path)
    try:
        count = len(storage.list_reports(ReportQuery(limit=100_000))[0])
        assert count > 0 and f"created {count}" in done.stdout
        assert all(storage.get_user(account["username"]) for account in demo_accounts())
        seq = storage.current_seq()
        again = cli(path, "seed-demo")
        assert again.returncode == 0, again.stderr
        assert "invalid" not in again.stdout and "created" not in again.stdout
        assert storage.current_seq() == seq
    finally:
        storage.close()


def test_commands_need_an_initialised_database(tmp_path):
    for args in (("enrollment-code", "--username", "x"), ("backup", "--to", str(tmp_path / "b.db")),
                 ("serve", "--port", "1")):
        assert_one_line_failure(cli(tmp_path / "never.db", *args), "init")


def test_db_defaults_to_peta_db_from_the_environment(db):
    done = subprocess.run([sys.executable, "-m", "sync_server", "enrollment-code", "--username", "88030417"],
                          cwd=ROOT, capture_output=True, text=True, env={**_env(), "PETA_DB": str(db)})
    assert done.returncode == 0, done.stderr


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


# The embedded default: SQLite with no PostgreSQL driver on the machine (``make run``).
WITHOUT_PSYCOPG = ("import sys; sys.modules.update(psycopg=None, psycopg_pool=None); "
                   "from sync_server.cli import main; sys.exit(main(sys.argv[1:]))")


def cli_without_psycopg(*args: str) -> list[str]:
    return [sys.executable, "-c", WITHOUT_PSYCOPG, *args]


def test_sqlite_needs_no_postgresql_driver(tmp_path):
    db, port = tmp_path / "peta.db", free_port()
    for args in (("init",), ("create-user", "--username", "admin", "--name", "Admin", "--role", "admin",
                             "--scope", "15", "--password", PASSWORD)):
        done = subprocess.run(cli_without_psycopg(*args, "--db", str(db)), cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(cli_without_psycopg("serve", "--db", str(db), "--port", str(port)), cwd=ROOT,
                                   stdout=out, stderr=subprocess.STDOUT,
                                   env={**_env(), "PETA_MEDIA_DIR": str(tmp_path / "media")})
    try:
        assert wait_until(lambda: process.poll() is not None or _health(port) is not None, 60), log.read_text()
        assert _health(port) == "sqlite", log.read_text()
        assert Api(f"http://127.0.0.1:{port}").login("admin")
    finally:
        process.terminate()
        process.wait(10)


def test_a_postgresql_url_without_the_driver_says_what_to_install():
    done = subprocess.run(cli_without_psycopg("init", "--db", "postgresql://peta:rahasia@127.0.0.1:1/peta"),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert_one_line_failure(done, "psycopg is not installed")
    assert "rahasia" not in done.stderr


def _health(port: int) -> str | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()["database"]
    except httpx.TransportError:
        return None
