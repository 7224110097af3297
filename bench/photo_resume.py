"""What a photo upload cut midway costs on 2G, with the whole-body PUT and with the resumable route.

    .venv/bin/python bench/photo_resume.py [--profile 2g] [--cut 0.8]

One camera-like photo shrunk by ``field_app.photos`` goes through the fault proxy of
``tests/faults/proxy.py`` shaped as the profile (loss off: the cut is placed by hand) to a real
server, four ways: whole ``PUT`` uncut; whole ``PUT`` dropped after ``--cut`` of its bytes, then
sent again; resumable (``SyncClient.upload_media``: the photo in one streamed request) uncut; the
same dropped after ``--cut`` of its bytes, then resumed from the server's offset. Each way is a
different officer (the server makes each prove it holds the bytes, so each sends them all), and
prints time and bytes sent up. The figures go into docs/reliability.md ("Photos resume?").
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import machine_line  # noqa: E402

from field_app.errors import Offline  # noqa: E402
from field_app.photos import shrink_photo  # noqa: E402
from field_app.sync_client import SyncClient  # noqa: E402
from tests.faults.harness import RealServer, camera_jpeg  # noqa: E402
from tests.faults.proxy import PROFILES, Fault, FaultProxy  # noqa: E402


def one_way(proxy: FaultProxy, token: str, sha: str, data: bytes, *, resumable: bool, cut: float | None) -> tuple:
    puts = []

    def plan(exchange):
        if exchange.method != "PUT":
            return Fault()
        puts.append(exchange)
        return Fault("drop", fraction=cut) if cut is not None and len(puts) == 1 else Fault()

    proxy.plan = plan
    proxy.stats.exchanges.clear()
    client = SyncClient(proxy.url, token)
    upload = client.upload_media if resumable else client.put_media
    started = time.monotonic()
    try:
        for _attempt in range(3):                 # what the engine's next pass does: HEAD, then upload
            try:
                if not client.media_exists(sha):
                    upload(sha, data)
                break
            except Offline:
                continue
    finally:
        client.close()
    seconds = time.monotonic() - started
    sent = sum(item.bytes_up for item in proxy.stats.exchanges)
    return len(data), seconds, sent, len(proxy.stats.exchanges)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="2g")
    parser.add_argument("--cut", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=100)
    args = parser.parse_args()
    print(machine_line())
    base = PROFILES[args.profile]
    profile = base.__class__(up=base.up, down=base.down, latency_up=base.latency_up, latency_down=base.latency_down)
    shrunk = shrink_photo(camera_jpeg(random.Random(args.seed)))
    rows = []
    with tempfile.TemporaryDirectory(prefix="peta-resume-") as folder:
        server = RealServer(Path(folder)).start()
        try:
            with FaultProxy(server.port) as proxy:
                proxy.profile = profile
                for number, (label, resumable, cut) in enumerate((
                        ("whole PUT, uncut", False, None),
                        (f"whole PUT, cut at {args.cut:.0%}, sent again", False, args.cut),
                        ("resumable (one streamed request), uncut", True, None),
                        (f"resumable, cut at {args.cut:.0%}, resumed", True, args.cut))):
                    token = server.enroll_officer(f"8708010{number}")
                    size, seconds, sent, requests = one_way(proxy, token, shrunk.sha256, shrunk.data,
                                                            resumable=resumable, cut=cut)
                    rows.append((label, size, f"{seconds:.1f}", sent, f"{sent / size:.2f}", requests))
        finally:
            server.stop()
    print(f"\n### one photo over {args.profile} ({profile}), cut placed by hand\n")
    print("| way | photo bytes | seconds | bytes up | × photo | requests |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(value) for value in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
