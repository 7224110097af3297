"""The supervisor's first load of the web app (``python -m field_app``) over a 4G-like and a 2G-like link.

    .venv/bin/python bench/first_load.py                    # both profiles, one run each
    .venv/bin/python bench/first_load.py --profile 4g --runs 3

Starts the app in web mode (as ``make run`` does) and drives Debian chromium (Playwright) with a
fresh profile per run; Chrome DevTools' own throttling (CDP ``Network.emulateNetworkConditions``)
shapes the link. For each run: the bytes on the wire (``encodedDataLength``: compressed bodies and
headers) and the bytes the page decoded, the number of requests, and the time from navigation to
the first screen drawn by the app's Python (the enrolment form's NRP field). Then the same browser
opens the app again (a return visit): what the cache saves. Prints a Markdown table for
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import machine_line  # noqa: E402

from tests.ui.e2e_support import FieldApp  # noqa: E402


@dataclass(frozen=True)
class Link:
    label: str
    down_kbit: float
    up_kbit: float
    rtt_ms: float

    def conditions(self) -> dict:
        return {"offline": False, "latency": self.rtt_ms, "downloadThroughput": self.down_kbit * 1000 / 8,
                "uploadThroughput": self.up_kbit * 1000 / 8}


# DevTools' presets: "Fast 4G" (9 Mbit/s down, 1.5 up, 60 ms × 2.5) and the classic "Regular 2G".
LINKS = {
    "4g": Link("4G-like: 9 Mbit/s down, 1.5 up, 150 ms", 9000, 1500, 150),
    "2g": Link("2G-like: 250 kbit/s down, 50 up, 300 ms", 250, 50, 300),
}
FIRST_SCREEN = "flt-semantics-placeholder"


@dataclass
class Load:
    seconds: float
    wire: int
    decoded: int
    requests: int
    compressed: int          # responses that came with a Content-Encoding


def load(page, cdp, url: str, timeout_ms: int) -> Load:
    seen: dict[str, dict] = {}

    def received(event: dict) -> None:
        response = event["response"]
        headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
        seen.setdefault(event["requestId"], {})["encoding"] = headers.get("content-encoding", "")

    def data(event: dict) -> None:
        entry = seen.setdefault(event["requestId"], {})
        entry["decoded"] = entry.get("decoded", 0) + event.get("dataLength", 0)

    def finished(event: dict) -> None:
        seen.setdefault(event["requestId"], {})["wire"] = event.get("encodedDataLength", 0)

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.dataReceived", data)
    cdp.on("Network.loadingFinished", finished)
    started = time.monotonic()
    page.goto(url, timeout=timeout_ms)
    page.wait_for_selector(FIRST_SCREEN, state="attached", timeout=timeout_ms)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    page.get_by_role("textbox", name="NRP").wait_for(timeout=timeout_ms)
    seconds = time.monotonic() - started
    for name, handler in (("Network.responseReceived", received), ("Network.dataReceived", data),
                          ("Network.loadingFinished", finished)):
        cdp.remove_listener(name, handler)
    done = [entry for entry in seen.values() if "wire" in entry]
    return Load(seconds, sum(entry["wire"] for entry in done), sum(entry.get("decoded", 0) for entry in done),
                len(done), sum(1 for entry in done if entry.get("encoding")))


def one_run(playwright, url: str, link: Link, workdir: Path, timeout_ms: int) -> tuple[Load, Load]:
    profile = tempfile.mkdtemp(dir=workdir, prefix="profile-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path="/usr/bin/chromium", viewport={"width": 1280, "height": 800}, locale="id-ID",
        args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    try:
        page = context.pages[0]
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", link.conditions())
        first = load(page, cdp, url, timeout_ms)
        page.goto("about:blank")
        again = load(page, cdp, url, timeout_ms)
    finally:
        context.close()
    return first, again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(LINKS), action="append", help="default: 4g and 2g")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1500, help="seconds allowed for one load")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(machine_line())
    rows = []
    with tempfile.TemporaryDirectory(prefix="peta-first-load-") as scratch:
        workdir = Path(scratch)
        app = FieldApp(workdir, "http://127.0.0.1:9").start()
        try:
            with sync_playwright() as playwright:
                for name in args.profile or ["4g", "2g"]:
                    link = LINKS[name]
                    runs = [one_run(playwright, app.url, link, workdir, int(args.timeout * 1000))
                            for _ in range(args.runs)]
                    rows.append((link, runs))
        finally:
            app.stop()
    print("\n| link | first load: on the wire / decoded (MB) | requests (compressed) | first load to the "
          "first screen (s) | return visit: on the wire (MB) | return visit (s) |")
    print("|---|---|---|---|---|---|")
    for link, runs in rows:
        first = [run[0] for run in runs]
        again = [run[1] for run in runs]
        med = statistics.median
        print(f"| {link.label} | {med(r.wire for r in first) / 1e6:.2f} / {med(r.decoded for r in first) / 1e6:.2f} "
              f"| {first[0].requests} ({first[0].compressed}) | {med(r.seconds for r in first):.1f} "
              f"| {med(r.wire for r in again) / 1e6:.2f} | {med(r.seconds for r in again):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
