"""What the offline officer web app costs: first load (bytes, time), offline start, slow-phone start.

    python bench/web_offline.py [--runs 3]

Publishes the app (scripts/publish_web.py), serves it from a real sync server (gzip on, as
deployed) behind a byte-counting loopback relay, and drives Debian chromium with a fresh profile:
- first load: bytes the server sent (on the wire: gzip bodies and headers) until the service worker
  holds every file, the same files' uncompressed size, the time to the first screen (enrolment) and
  to "ready offline";
- offline start: the same profile, browser relaunched with the network off (service worker only);
- slow phone: the same, with the page's CPU throttled 4x (CDP Emulation.setCPUThrottlingRate).
Prints a Markdown table for docs/web-offline.md.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BenchServer, machine_line, print_table  # noqa: E402
from tests.faults.loopback import Relay  # noqa: E402

FIRST_SCREEN = 'flt-semantics-placeholder'
TIMEOUT_MS = 240_000


class CountingRelay(Relay):
    """A loopback TCP relay to the server at ``target_port`` that counts the bytes it sends back."""

    name = "counting-relay"

    def __init__(self, target_port: int):
        self.target_port, self.received = target_port, 0
        self._lock = threading.Lock()
        super().__init__()

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.target_port))

    def carried(self, port: int, size: int, *, up: bool) -> None:
        if not up:
            with self._lock:
                self.received += size


def launch(playwright, profile: Path, *, offline: bool):
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path="/usr/bin/chromium", viewport={"width": 412, "height": 915},
        locale="id-ID", args=["--no-sandbox", "--disable-gpu",
                              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    context.set_offline(offline)
    return context


def first_screen_seconds(page, url: str, throttle: float = 1.0) -> float:
    """From navigation to the first screen drawn by the app's Python (the enrolment form's NRP field)."""
    if throttle != 1.0:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    started = time.monotonic()
    page.goto(url)
    page.wait_for_selector(FIRST_SCREEN, state="attached", timeout=TIMEOUT_MS)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    page.get_by_role("textbox", name="NRP").wait_for(timeout=TIMEOUT_MS)
    return time.monotonic() - started


def ready_offline(page) -> list[str]:
    return page.evaluate("""() => new Promise((done) => {
        navigator.serviceWorker.addEventListener("message", (e) => done(e.data.missing), {once: true});
        navigator.serviceWorker.controller.postMessage("peta-rawan-status");
    })""")


def one_run(playwright, dist: Path, url: str, relay: CountingRelay, workdir: Path) -> dict[str, float]:
    profile = Path(tempfile.mkdtemp(dir=workdir, prefix="profile-"))
    result: dict[str, float] = {}
    context = launch(playwright, profile, offline=False)
    page = context.pages[0]
    before = relay.received
    started = time.monotonic()
    result["first"] = first_screen_seconds(page, url)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)
    while ready_offline(page):
        page.wait_for_timeout(250)
    result["ready"] = time.monotonic() - started
    result["wire"] = relay.received - before
    context.close()
    for name, throttle in (("offline", 1.0), ("slow", 4.0)):
        context = launch(playwright, profile, offline=True)
        result[name] = first_screen_seconds(context.pages[0], url, throttle)
        context.close()
    return result


def sizes(dist: Path) -> dict[str, int]:
    listing = json.loads((dist / "offline-files.json").read_text())
    files = listing["precache"] + ["canvaskit/chromium/canvaskit.js", "canvaskit/chromium/canvaskit.wasm"]
    raw = sum((dist / rel).stat().st_size for rel in files)
    packed = sum(len(gzip.compress((dist / rel).read_bytes(), compresslevel=6)) for rel in files)
    total = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file())
    return {"files": len(files), "raw": raw, "gzip": packed, "published": total,
            "archive": (dist / "app.tar.gz").stat().st_size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    import scripts.publish_web as publish_web

    with tempfile.TemporaryDirectory(prefix="peta-web-offline-") as scratch:
        workdir = Path(scratch)
        dist = publish_web.publish(workdir / "web", "app")
        os.environ["PETA_WEB_APP_DIR"] = str(dist)
        size = sizes(dist)
        server = BenchServer(workdir / "server")
        try:
            with CountingRelay(server.port) as relay, sync_playwright() as playwright:
                runs = [one_run(playwright, dist, relay.url + "/app/", relay, workdir) for _ in range(args.runs)]
        finally:
            server.stop()
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(machine_line(), f"- {args.runs} runs, medians")
    mb = 1e6
    print_table([
        ("published folder", f"{size['published'] / mb:.1f} MB", "build/web-offline/app"),
        ("app.tar.gz (app, core, assets, deps)", f"{size['archive'] / mb:.2f} MB", ""),
        ("first load: files cached", str(size["files"]), "precache list + one CanvasKit"),
        ("first load: uncompressed", f"{size['raw'] / mb:.1f} MB", ""),
        ("first load: gzip -6 of the same", f"{size['gzip'] / mb:.1f} MB", ""),
        ("first load: bytes on the wire", f"{median['wire'] / mb:.1f} MB", "server gzip on"),
        ("first load: to the first screen", f"{median['first']:.1f} s", ""),
        ("first load: until ready offline", f"{median['ready']:.1f} s", "every file cached"),
        ("offline start (browser relaunched)", f"{median['offline']:.1f} s", "service worker only"),
        ("offline start, CPU throttled 4x", f"{median['slow']:.1f} s", "page target only"),
    ], header=("measure", "result", "note"))
    print(json.dumps(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
