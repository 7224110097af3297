"""The account subcommands: ``set-password``, ``disable-user``, ``enable-user``, ``revoke-sessions``,
``login-failures`` — thin skins over the same library steps as the routes, checked against a
real server on the same database (exit 0, or 1 with one line on stderr)."""
from __future__ import annotations

import re

import pytest

from tests.server.helpers import PASSWORD, Api, ServerProcess, assert_error, cli
from tests.server.test_cli import assert_one_line_failure

NEW = "sandi-baru-Kerinci-9"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("cli-accounts"), env={"PETA_EVALUATE_SECONDS": "0"})
    done = cli(process.db, "create-user", "--username", "Polres.Uji", "--name", "Kabag Ops", "--role", "supervisor",
               "--scope", "15.72", "--password", PASSWORD, env=process.env)
    assert done.returncode == 0, done.stderr
    yield process, Api(process.url)
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def login(api: Api, username: str, password: str):
    return api.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_create_user_stores_the_name_lower_cased_and_refuses_a_look_alike(served):
    process, api = served
    assert login(api, "polres.uji", PASSWORD).status_code == 200
    done = cli(process.db, "create-user", "--username", "po1res.uji", "--name", "X", "--role", "supervisor",
               "--scope", "15.72", "--password", PASSWORD, env=process.env)
    assert_one_line_failure(done, "looks too much like")


def test_set_password_and_the_one_time_password(served):
    process, api = served
    session = login(api, "polres.uji", PASSWORD).json()["token"]
    done = cli(process.db, "set-password", "--username", "POLRES.UJI", "--password", NEW, env=process.env)
    assert done.returncode == 0, done.stderr
    assert_error(api.get("/api/v1/me", token=session), 401)
    assert login(api, "polres.uji", NEW).status_code == 200
    assert_one_line_failure(cli(process.db, "set-password", "--username", "polres.uji", "--password", "pendek",
                                env=process.env), "too weak")
    done = cli(process.db, "set-password", "--username", "polres.uji", env=process.env)
    assert done.returncode == 0, done.stderr
    temporary = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", done.stdout).group(0)
    answer = login(api, "polres.uji", temporary)
    assert answer.json()["password_change_required"] is True
    assert_error(api.get("/api/v1/reports", token=answer.json()["token"]), 403, "auth.password_change_required")


def test_disable_enable_and_revoke_sessions(served):
    process, api = served
    done = cli(process.db, "create-user", "--username", "polsek.uji", "--name", "Kapolsek", "--role", "supervisor",
               "--scope", "15.72.07", "--password", PASSWORD, env=process.env)
    assert done.returncode == 0, done.stderr
    token = login(api, "polsek.uji", PASSWORD).json()["token"]
    assert cli(process.db, "disable-user", "--username", "polsek.uji", env=process.env).returncode == 0
    assert_error(api.get("/api/v1/me", token=token), 401)
    assert_error(login(api, "polsek.uji", PASSWORD), 401, "auth.invalid_credentials")
    assert cli(process.db, "enable-user", "--username", "polsek.uji", env=process.env).returncode == 0
    tokens = [login(api, "polsek.uji", PASSWORD).json()["token"] for _ in range(2)]
    done = cli(process.db, "revoke-sessions", "--username", "polsek.uji", env=process.env)
    assert done.returncode == 0 and " 2 " in done.stdout, done.stdout
    assert all(api.get("/api/v1/me", token=t).status_code == 401 for t in tokens)
    admin = login(api, "admin", PASSWORD).json()["token"]
    actions = [(e["actor"], e["action"]) for e in api.get("/api/v1/account-events", token=admin).json()["items"]
               if e["username"] == "polsek.uji"]
    assert actions[:3] == [("cli", "sessions.revoke"), ("cli", "user.enable"), ("cli", "user.disable")]


@pytest.mark.parametrize("command", ["set-password", "disable-user", "enable-user", "revoke-sessions"])
def test_an_unknown_user_is_one_line_and_exit_1(served, command):
    process, _ = served
    done = cli(process.db, command, "--username", "tidak.ada", env=process.env)
    assert_one_line_failure(done, "No user tidak.ada")
    assert done.returncode == 1


def test_login_failures_lists_who_is_being_guessed(served):
    process, api = served
    for i in range(3):
        assert_error(login(api, "polres.uji", f"tebakan-{i}"), 401)
    done = cli(process.db, "login-failures", env=process.env)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if "polres.uji" in line)
    assert line.split()[:4] == ["login", "polres.uji", "127.0.0.1", "3"]
