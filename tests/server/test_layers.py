"""Dependency direction inside the server: storage never imports the API layer (the issue named
``storage/changes.py -> sync_server.render`` as a leak), and SQLite storage never loads psycopg."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.server.helpers import ROOT

API_LAYER = ("sync_server.render", "sync_server.routes", "sync_server.app", "sync_server.services", "fastapi",
             "starlette")


def loaded_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_storage_and_both_backends_import_no_api_module():
    modules = loaded_after("import sync_server.storage, sync_server.storage.postgres, sync_server.storage.pg.coordination")
    assert "sync_server.storage.changes" in modules                # the feed's queries were loaded
    assert [name for name in modules if name.startswith(API_LAYER)] == []


def test_opening_sqlite_storage_loads_no_postgresql_driver(tmp_path):
    modules = loaded_after(f"from sync_server.storage import open_storage\n"
                           f"open_storage({str(tmp_path / 'x.db')!r}, migrate=True).close()")
    assert "sync_server.storage.sqlite" in modules
    assert [name for name in modules if name.startswith(("psycopg", "psycopg_pool"))] == []
