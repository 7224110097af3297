"""The core must run on a phone: importing all of it loads no database, HTTP or UI library."""
import json
import subprocess
import sys

FORBIDDEN = ("sqlite3", "_sqlite3", "requests", "flet", "fastapi", "httpx", "starlette", "uvicorn",
             "sqlite_utils", "urllib3", "socket", "pydantic")

PROBE = """
import json, sys
import kerawanan, kerawanan.errors, kerawanan.vocab, kerawanan.report, kerawanan.regions
import kerawanan.tahapan, kerawanan.scoring, kerawanan.assets
from kerawanan import assets
assets.gazetteer(); assets.calendar(); assets.scoring_config(); assets.vocabulary()
print(json.dumps(sorted(sys.modules)))
"""


def test_core_loads_no_io_or_ui_library():
    out = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, text=True)
    loaded = set(json.loads(out.stdout))
    leaked = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert leaked == []


def test_core_never_reads_the_clock():
    """No call of datetime.now()/utcnow()/today()/time.time() anywhere in kerawanan/."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "kerawanan"
    pattern = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic)\s*\(")
    offenders = [f"{p.name}:{i}" for p in root.glob("*.py")
                 for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []
