"""`make run`: initialise (and on first use seed) the database, then run the server and the app.

Environment: PETA_DB (default var/peta_rawan.db), PETA_HOST (127.0.0.1), PETA_PORT (8000),
PETA_APP_PORT (8550). Ctrl-C stops everything.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENROLL = (("88030417", "Bhabin Koto Baru, Kota Sungai Penuh"), ("85120377", "Bhabin Masgo, Kerinci"))


def _server(*args: str, db: str) -> None:
    subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", db], cwd=ROOT, check=True)


def _wait_http(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def _print_logins() -> None:
    from sync_server.demo import demo_accounts

    print("\nAkun demo / demo accounts:")
    for account in demo_accounts():
        scope = ",".join(account["scope"])
        print(f"  {account['role']:<10} {account['username']:<22} {account['password']:<22} {scope}")


def _print_enrollment_codes(db: str) -> None:
    """Fresh one-time codes, so a newcomer can enroll a demo officer in the app right away."""
    print("\nKode pendaftaran perangkat (sekali pakai, 72 jam) / one-time enrollment codes:")
    for nrp, where in DEMO_ENROLL:
        out = subprocess.run([sys.executable, "-m", "sync_server", "enrollment-code", "--username", nrp,
                              "--db", db], cwd=ROOT, capture_output=True, text=True)
        code = out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else "-"
        print(f"  NRP {nrp}  kode {code}  ({where})")


def main() -> int:
    db = os.environ.get("PETA_DB") or str(ROOT / "var" / "peta_rawan.db")
    host = os.environ.get("PETA_HOST", "127.0.0.1")
    port = os.environ.get("PETA_PORT", "8000")
    app_port = os.environ.get("PETA_APP_PORT", "8550")
    fresh = not Path(db).exists()
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    _server("init", db=db)
    if fresh:
        _server("seed-demo", db=db)
    else:
        _print_logins()
    _print_enrollment_codes(db)

    env = {**os.environ, "PETA_DB": db}
    children = [subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--db", db,
                                  "--host", host, "--port", port], cwd=ROOT, env=env)]
    if not _wait_http(f"http://{host}:{port}/healthz"):
        print("server did not start", file=sys.stderr)
        return _stop(children, 1)
    print(f"\nPeta Rawan API: http://{host}:{port}  (OpenAPI: /api/v1/openapi.json)")
    if (ROOT / "field_app" / "__main__.py").exists():
        app_env = {**env, "PETA_SERVER_URL": f"http://{host}:{port}", "PETA_APP_HOST": host,
                   "PETA_APP_PORT": app_port}
        children.append(subprocess.Popen([sys.executable, "-m", "field_app"], cwd=ROOT, env=app_env))
        print(f"Peta Rawan app: http://{host}:{app_port}")
    print("Ctrl-C to stop.\n")
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    return _stop(children, 0)


def _stop(children: list[subprocess.Popen], status: int) -> int:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
    return status


if __name__ == "__main__":
    sys.exit(main())
