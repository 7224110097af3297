"""`make run`: initialise (and on first use seed) the database, then run the server and the app.

Environment: PETA_DB (default var/peta_rawan.db; a postgresql:// URL works too), PETA_HOST
(127.0.0.1), PETA_PORT (8000), PETA_APP_PORT (8550); PETA_REPLAY (default: the demo replays voting
night of Pilkada 2024 at real speed from the first run, kept in <db>.replay, or var/<database>.replay
for a URL; set it empty for the real clock); PETA_STOP_WITH_PARENT=1 (set by `make run`) stops
everything when the parent process dies.

Any way of stopping it stops everything: SIGTERM, SIGINT (Ctrl-C) or SIGHUP to this process or to
its process group, SIGTERM to `make`, or the death of this process (its children ask the kernel
for SIGTERM when their parent dies, on Linux). The server and the app each run in a process
group of their own, which is stopped as a whole.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENROLL = (("88030417", "Bhabin Koto Baru, Kota Sungai Penuh"), ("85120377", "Bhabin Masgo, Kerinci"))
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
REPLAY_FROM = "2024-11-27T21:00:00+07:00"     # voting night of Pilkada 2024, WIB
GRACE_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


class _Stop(Exception):
    """A stop signal arrived."""


def _on_signal(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def _die_with_parent() -> None:
    """Ask the kernel for SIGTERM when the parent dies (Linux; elsewhere a no-op)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """A child in its own process group that receives SIGTERM if this process dies."""
    return subprocess.Popen(args, cwd=ROOT, env=env, process_group=0, preexec_fn=_die_with_parent)


def _server(*args: str, db: str) -> bool:
    """``python -m sync_server <args>``; False when it failed (it said why, in one line)."""
    return subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", db], cwd=ROOT).returncode == 0


def _is_url(db: str) -> bool:
    from sync_server.storage.postgres import is_postgres_url

    return is_postgres_url(db)


def _fresh(db: str) -> bool:
    """Nothing made yet: no SQLite file, or a PostgreSQL database that was never initialised."""
    if not _is_url(db):
        return not Path(db).exists()
    from kerawanan.errors import KerawananError
    from sync_server.storage.postgres import PostgresStorage

    try:
        storage = PostgresStorage(db)
    except KerawananError:
        return False                # `init` says what is wrong with the URL
    try:
        return storage.schema_version() == 0
    finally:
        storage.close()


def _replay_file(db: str) -> Path:
    """Beside an SQLite file; for a PostgreSQL URL under var/, named after the database."""
    if _is_url(db):
        name = db.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return ROOT / "var" / f"{name}.replay"
    return Path(db).with_name(Path(db).name + ".replay")


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
    for signum in STOP_SIGNALS:
        signal.signal(signum, _on_signal)
    parent = os.getppid()
    watch_parent = os.environ.get("PETA_STOP_WITH_PARENT") == "1"
    if watch_parent:
        _die_with_parent()
    children: list[subprocess.Popen] = []
    try:
        status = _start(children)
        # The loop also watches the parent, for systems without PR_SET_PDEATHSIG.
        while status == 0 and all(child.poll() is None for child in children):
            if watch_parent and os.getppid() != parent:
                break
            time.sleep(0.5)
    except _Stop as stop:
        print(f"\n{stop}: menghentikan server dan aplikasi / stopping the server and the app", flush=True)
        status = 0
    return _stop(children, status)


def _start(children: list[subprocess.Popen]) -> int:
    """Prepare the database, then start the server and the app into ``children``; 0 when both run."""
    db = os.environ.get("PETA_DB") or str(ROOT / "var" / "peta_rawan.db")
    host = os.environ.get("PETA_HOST", "127.0.0.1")
    port = os.environ.get("PETA_PORT", "8000")
    app_port = os.environ.get("PETA_APP_PORT", "8550")
    fresh = _fresh(db)
    _replay_file(db).parent.mkdir(parents=True, exist_ok=True)
    replay = _replay(db, fresh)
    if replay:
        os.environ["PETA_REPLAY"] = replay            # the server, the CLI and the app share one clock
    if not _server("init", db=db) or (fresh and not _server("seed-demo", db=db)):
        return 1
    if not fresh:
        _print_logins()
    _print_enrollment_codes(db)

    env = {**os.environ, "PETA_DB": db}
    children.append(_spawn([sys.executable, "-m", "sync_server", "serve", "--db", db,
                            "--host", host, "--port", port], env))
    if replay:
        children.append(_spawn([sys.executable, "-m", "sync_server", "demo-feed", "--db", db], env))
        print(f"\nREPLAY Pilkada 2024 dari malam pemungutan suara ({REPLAY_FROM}), berjalan seperti jam biasa;"
              f" laporan demo berikutnya datang saat waktunya tiba. / A replay of Pilkada 2024 from voting night,"
              f" at real speed. Mulai ulang / start over: {_start_over(db)}. Jam nyata / real clock: PETA_REPLAY=")
    if not _wait_http(f"http://{host}:{port}/healthz"):
        print("server did not start", file=sys.stderr)
        return 1
    print(f"\nPeta Rawan API: http://{host}:{port}  (OpenAPI: /api/v1/openapi.json)")
    if (ROOT / "field_app" / "__main__.py").exists():
        app_env = {**env, "PETA_SERVER_URL": f"http://{host}:{port}", "PETA_APP_HOST": host,
                   "PETA_APP_PORT": app_port}
        children.append(_spawn([sys.executable, "-m", "field_app"], app_env))
        print(f"Peta Rawan app: http://{host}:{app_port}")
    print("Ctrl-C to stop.\n", flush=True)
    return 0


def _replay(db: str, fresh: bool) -> str | None:
    """The demo replays voting night of Pilkada 2024 at real speed from the moment its database is made;
    the replay is kept beside the database, so a restart goes on where the clock is now.
    ``PETA_REPLAY`` set in the environment wins (empty: the real clock)."""
    if "PETA_REPLAY" in os.environ:
        return os.environ["PETA_REPLAY"].strip() or None
    from datetime import UTC, datetime

    from kerawanan.replay import start_replay

    path = _replay_file(db)
    if fresh:
        path.write_text(start_replay(datetime.fromisoformat(REPLAY_FROM), datetime.now(UTC)).text() + "\n")
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def _start_over(db: str) -> str:
    if _is_url(db):
        from sync_server.storage.postgres import redacted

        return f"hapus / drop {redacted(db)} + {_replay_file(db)}"
    return f"hapus {Path(db).parent}/"


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signum)


def _stop(children: list[subprocess.Popen], status: int) -> int:
    """SIGTERM each child's process group, wait for them, SIGKILL what is left after the grace period."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    for child in children:
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()
    return status


if __name__ == "__main__":
    sys.exit(main())
