"""``python -m sync_server --db postgresql://...``: every subcommand on PostgreSQL (DESIGN "Server CLI"),
the backup restored by ``pg_restore`` into a fresh database, one-line failures, and never a password.

The databases come from the throwaway cluster of ``tests/pg_cluster.py``. It trusts every login on
127.0.0.1, so the password in these URLs is never checked by the server: it only travels, which is
what the tests need to prove that no message, output or log repeats it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from sync_server.auth import verify_secret
from sync_server.demo import demo_accounts
from sync_server.storage import open_storage
from sync_server.storage.base import ReportQuery
from sync_server.storage.pg.migrations import LATEST
from tests.pg_cluster import pg_tool
from tests.server.helpers import PASSWORD, ROOT, Api, ServerProcess, cli, free_port
from tests.server.test_cli import assert_one_line_failure

SECRET = "rahasia-Uji-77"


def with_password(url: str) -> str:
    """``postgresql://postgres@host/db`` -> ``postgresql://postgres:<SECRET>@host/db``."""
    return url.replace("://postgres@", f"://postgres:{SECRET}@", 1)


def quiet(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    """``done``, after checking that neither its output nor its errors repeat the password."""
    assert SECRET not in done.stdout + done.stderr, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done


def ok(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = quiet(cli(url, *args, env=env))
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def url(pg_cluster):
    """A database made by ``init`` from nothing (not the cluster's migrated template)."""
    plain = pg_cluster.database(migrated=False)
    yield with_password(plain)
    pg_cluster.drop(plain)


@pytest.fixture(scope="module")
def initialised(url):
    done = ok(url, "init")
    assert f"schema v{LATEST}, 1741 regions" in done.stdout
    assert f"postgres:***@127.0.0.1:{url.rsplit(':', 1)[1]}" in done.stdout
    return url


def test_init_migrates_a_new_database_and_is_idempotent(initialised):
    assert f"schema v{LATEST}, 1741 regions" in ok(initialised, "init").stdout
    storage = open_storage(initialised)
    try:
        assert storage.backend == "postgresql" and storage.schema_version() == LATEST
    finally:
        storage.close()


def test_create_user_enrollment_code_and_the_account_commands(initialised):
    done = ok(initialised, "create-user", "--username", "polres.pg", "--name", "Kabag Ops Kerinci",
              "--role", "supervisor", "--scope", "15.01", "--scope", "15.72")
    generated = re.search(r"password: (\S+)", done.stdout).group(1)
    ok(initialised, "create-user", "--username", "88030499", "--name", "Bhabin Koto Baru", "--role", "officer",
       "--scope", "15.72.07.2004")
    assert re.match(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\s",
                    ok(initialised, "enrollment-code", "--username", "88030499").stdout)
    assert_one_line_failure(quiet(cli(initialised, "create-user", "--username", "polres.pg", "--name", "Lagi",
                                      "--role", "admin", "--scope", "15")), "already exists")
    storage = open_storage(initialised)
    try:
        assert storage.get_user("polres.pg").scope == ("15.01", "15.72")
        assert verify_secret(storage.password_hash("polres.pg"), generated)
        assert len(storage.enrollment_codes("88030499", datetime.now(UTC))) == 1
        ok(initialised, "set-password", "--username", "polres.pg", "--password", PASSWORD)
        assert verify_secret(storage.password_hash("polres.pg"), PASSWORD)
        ok(initialised, "disable-user", "--username", "polres.pg")
        assert storage.get_user("polres.pg").disabled_at is not None
        ok(initialised, "enable-user", "--username", "polres.pg")
        assert storage.get_user("polres.pg").disabled_at is None
        assert "0 sesi login" in ok(initialised, "revoke-sessions", "--username", "polres.pg").stdout
        events = [(event.username, event.action, event.actor) for event in storage.account_events()]
        assert ("polres.pg", "password.set", "cli") in events
    finally:
        storage.close()
    ok(initialised, "login-failures")
    ok(initialised, "sms-log")


def test_evaluate_at_a_given_time(initialised):
    assert "full @ 2024-11-28T06:00:00+07:00" in ok(initialised, "evaluate", "--at", "2024-11-28T06:00+07:00").stdout
    assert_one_line_failure(quiet(cli(initialised, "evaluate", "--at", "besok pagi")), "ISO-8601")


def test_the_backup_restores_into_a_fresh_database(initialised, pg_cluster, tmp_path):
    ok(initialised, "create-user", "--username", "polsek.cadangan", "--name", "Kapolsek Sitinjau Laut",
       "--role", "supervisor", "--scope", "15.01.05", "--password", PASSWORD)
    target = tmp_path / "cadangan" / "peta.dump"
    assert f"backup: {target}" in ok(initialised, "backup", "--to", str(target)).stdout
    assert target.read_bytes().startswith(b"PGDMP") and not target.with_name("peta.dump.partial").exists()
    restored = pg_cluster.database(migrated=False)
    try:
        done = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", restored,
                               str(target)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        storage = open_storage(restored)
        try:
            assert storage.schema_version() == LATEST
            assert verify_secret(storage.password_hash("polsek.cadangan"), PASSWORD)
            assert storage.get_user("polsek.cadangan").scope == ("15.01.05",)
        finally:
            storage.close()
        ok(restored, "create-user", "--username", "polsek.baru", "--name", "Kapolsek Baru", "--role",
           "supervisor", "--scope", "15.01.06", "--password", PASSWORD)   # identities continue after a restore
    finally:
        pg_cluster.drop(restored)


def test_seed_demo_creates_accounts_and_reports_once(pg_cluster):
    plain = pg_cluster.database(migrated=False)
    try:
        done = ok(plain, "seed-demo")
        for account in demo_accounts():
            assert account["username"] in done.stdout and account["password"] in done.stdout
        storage = open_storage(plain)
        try:
            reports, _ = storage.list_reports(ReportQuery(limit=100_000))
            assert reports and f"created {len(reports)}" in done.stdout
            assert all(storage.get_user(account["username"]) for account in demo_accounts())
            seq = storage.current_seq()
            again = ok(plain, "seed-demo")
            assert "invalid" not in again.stdout and "created" not in again.stdout
            assert storage.current_seq() == seq
        finally:
            storage.close()
    finally:
        pg_cluster.drop(plain)


def test_peta_db_may_be_a_url(initialised):
    env = {key: value for key, value in os.environ.items() if key != "PETA_DB"}
    done = quiet(subprocess.run([sys.executable, "-m", "sync_server", "login-failures"], cwd=ROOT,
                                capture_output=True, text=True, env={**env, "PETA_DB": initialised}, timeout=120))
    assert done.returncode == 0, done.stderr
    missing = quiet(subprocess.run([sys.executable, "-m", "sync_server", "enrollment-code", "--username", "tiada"],
                                   cwd=ROOT, capture_output=True, text=True, env={**env, "PETA_DB": initialised},
                                   timeout=120))
    assert_one_line_failure(missing, "No user tiada")


@pytest.mark.parametrize("command", [("init",), ("enrollment-code", "--username", "x"), ("serve", "--port", "1"),
                                     ("backup", "--to", "cadangan.dump"), ("login-failures",)])
def test_an_unreachable_url_fails_in_one_line(command, tmp_path):
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:{free_port()}/peta"
    done = quiet(cli(url, *command))
    assert_one_line_failure(done, f"postgresql://postgres:***@127.0.0.1:{url.rsplit(':', 1)[1]}",
                            "unavailable", "refused")
    assert not (ROOT / "cadangan.dump").exists() and not (ROOT / "cadangan.dump.partial").exists()


def test_a_missing_or_uninitialised_database_fails_in_one_line(pg_cluster):
    missing = with_password(pg_cluster.url("peta_tidak_ada"))
    assert_one_line_failure(quiet(cli(missing, "evaluate")), "peta_tidak_ada", "does not exist")
    empty = pg_cluster.database(migrated=False)
    try:
        for args in (("enrollment-code", "--username", "x"), ("serve", "--port", "1")):
            assert_one_line_failure(quiet(cli(with_password(empty), *args)), "schema version 0", "init")
    finally:
        pg_cluster.drop(empty)


def test_serve_with_two_workers_on_one_database(pg_cluster, tmp_path):
    plain = pg_cluster.database()
    server = ServerProcess(tmp_path, database=with_password(plain), serve_args=("--workers", "2"),
                           env={"PETA_EVALUATE_SECONDS": "0"})
    try:
        api = Api(server.url)
        assert api.get("/healthz").json()["database"] == "postgresql"
        tokens = [api.login("admin") for _ in range(6)]        # spread over both workers
        assert all(api.get("/api/v1/me", token=token).status_code == 200 for token in tokens)
        api.http.close()
    finally:
        server.stop()
        pg_cluster.drop(plain)
    assert SECRET not in server.log() and "Traceback" not in server.log(), server.log()
    assert {path.name for path in tmp_path.iterdir()} <= {"server.log", "media"}   # no database file on disk


def test_the_server_fixture_runs_on_each_backend(server, api):
    """The API tests run twice (``tests/server/conftest.py``): each server says which database it reached."""
    assert api.get("/healthz").json()["database"] == server.backend
    assert server.backend == ("postgresql" if str(server.db).startswith("postgresql://") else "sqlite")


def test_a_server_on_postgresql_without_media_dir_or_store_says_what_to_set(pg_cluster, tmp_path):
    """No silent local folder for photos behind a URL: a directory store needs PETA_MEDIA_DIR."""
    plain = pg_cluster.database()
    env = {key: value for key, value in os.environ.items() if key != "PETA_MEDIA_DIR"}
    try:
        done = quiet(subprocess.run([sys.executable, "-m", "sync_server", "serve", "--port", str(free_port()),
                                     "--db", with_password(plain)], cwd=ROOT, capture_output=True, text=True,
                                    env={**env, "PETA_MEDIA_STORE": "directory"}, timeout=120))
        assert_one_line_failure(done, "PETA_MEDIA_DIR")
    finally:
        pg_cluster.drop(plain)

