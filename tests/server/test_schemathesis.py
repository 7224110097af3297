"""Schemathesis fuzzes the live server from its own OpenAPI document: zero 5xx allowed.

Two bounded runs (about 45 s together): every operation as an admin, then the officer-only
write routes (push, media) as an officer. Logout is left out: it would revoke the run's token.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sync_server.demo import KOTO_BARU_NRP, OFFICER_PASSWORD
from tests.server.helpers import PASSWORD, Api, ServerProcess

pytestmark = pytest.mark.slow
ST = Path(shutil.which("st") or Path(__file__).resolve().parents[2] / ".venv" / "bin" / "st")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("fuzz"), env={"PETA_LOGIN_FAILURES_PER_ADDRESS": "1000000"},
                            seed_demo=True)
    yield process
    process.stop()


def run_schemathesis(url: str, token: str, workdir: Path, seconds: int, *extra: str) -> subprocess.CompletedProcess:
    command = [str(ST), "run", f"{url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error", "--max-examples", "40", "--max-time", str(seconds),
               "--seed", "20241127", "--exclude-path", "/api/v1/auth/logout", "--warnings", "off",
               "--request-timeout", "20", *extra]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=seconds + 60)


def test_no_server_errors_as_admin(fuzzed, tmp_path):
    token = Api(fuzzed.url).login("admin", PASSWORD)
    done = run_schemathesis(fuzzed.url, token, tmp_path, 30)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "Traceback" not in fuzzed.log()


def test_no_server_errors_as_officer_on_write_routes(fuzzed, tmp_path):
    token = Api(fuzzed.url).login(KOTO_BARU_NRP, OFFICER_PASSWORD)
    done = run_schemathesis(fuzzed.url, token, tmp_path, 15, "--include-path-regex", "^/api/v1/(sync|media)/")
    assert done.returncode == 0, done.stdout[-4000:]
    assert "Traceback" not in fuzzed.log()
