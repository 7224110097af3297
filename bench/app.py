"""Field app benchmarks: local save latency with a full outbox, and the other things an officer waits for.

    .venv/bin/python bench/app.py [--stored 10000] [--saves 300]

Prints a table. The target from issue 5: saving one report with 10,000 already stored, p95 < 20 ms
(each save is one fsync'd SQLite transaction in WAL mode, photos excluded).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from field_app.outbox import Outbox  # noqa: E402
from field_app.photos import shrink_photo  # noqa: E402
from field_app.pin import PinLock  # noqa: E402
from kerawanan import assets  # noqa: E402
from kerawanan.report import parse_report  # noqa: E402

NOW = datetime(2024, 11, 27, 15, 0, tzinfo=UTC)
OFFICERS = ("87050123", "87050124", "87050125")


def make_report(number: int):
    wire = {
        "id": f"00000000-0000-4000-8000-{number:012x}", "observed_at": "2024-11-27T21:40:00+07:00",
        "recorded_at": "2024-11-27T21:52:13+07:00", "category": "gangguan_tps", "threat_stage": "GN",
        "desa_code": "15.72.07.2004", "location": {"lat": -2.0339, "lon": 101.3922, "accuracy_m": 12.0},
        "people_count": 40, "source_reliability": "B", "info_credibility": 2,
        "facts": f"Massa membakar kotak suara di TPS 03, laporan nomor {number}. " * 4,
        "opinion": "Berpotensi meluas ke desa tetangga malam ini.", "tps": "03", "media": [], "supersedes": None,
    }
    return parse_report(wire, now=NOW, gazetteer=assets.gazetteer(), calendar=assets.calendar())


def fill(outbox: Outbox, stored: int) -> None:
    reports = [make_report(n) for n in range(1, stored + 1)]
    for index, officer in enumerate(OFFICERS):
        outbox.save_many(reports[index::len(OFFICERS)], officer=officer, now=NOW - timedelta(days=1))
    with outbox.database.atomic() as db:       # most of them already sent, as on a phone in use
        db.execute("UPDATE reports SET state = 'sent', sent_at = created_at WHERE rowid % 10 != 0")


def timed(action, repeat: int) -> list[float]:
    timings = []
    for index in range(repeat):
        started = time.perf_counter()
        action(index)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def row(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (f"| {name:<44} | {len(timings):>5} | {statistics.median(timings):>8.2f} | {p95:>8.2f} "
            f"| {max(timings):>8.2f} |")


def camera_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(out, format="JPEG", quality=92)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="peta-bench-") as folder:
        run(args, Path(folder))


def run(args: argparse.Namespace, folder: Path) -> None:
    outbox = Outbox(folder)
    started = time.perf_counter()
    fill(outbox, args.stored)
    fill_s = time.perf_counter() - started
    fresh = [make_report(args.stored + 1 + n) for n in range(args.saves)]
    officer = OFFICERS[0]
    with outbox.database.atomic() as db:       # enough waiting reports for 20 full batches
        db.execute("UPDATE reports SET state = 'waiting' WHERE officer = ?", (OFFICERS[1],))
    rows = [
        row(f"save 1 report ({args.stored:,} stored)", timed(
            lambda i: outbox.save(fresh[i], officer=officer, now=NOW + timedelta(seconds=i)), args.saves)),
        row("outbox screen: counts + newest 50", timed(
            lambda i: (outbox.counts(officer), outbox.entries(officer, limit=50)), 50)),
        row("sync: claim 100 + mark sent (1 commit)", timed(lambda i: _claim_and_send(outbox, OFFICERS[1]), 20)),
    ]
    pins = PinLock(outbox.meta)
    pins.set_pin(officer, "274916")
    rows.append(row("PIN check (PBKDF2-SHA256, 300k iterations)",
                    timed(lambda i: pins.check(officer, "274916", NOW), 10)))
    photo = camera_jpeg()
    rows.append(row(f"shrink a 12 MP photo ({len(photo) // 1024} kB JPEG)", timed(lambda i: shrink_photo(photo), 5)))
    outbox.close()
    print(f"Outbox benchmark — {args.stored:,} reports stored (filled in {fill_s:.1f} s), SQLite WAL, "
          f"synchronous=FULL")
    print("| operation                                    |     n | p50 (ms) | p95 (ms) | max (ms) |")
    print("|----------------------------------------------|-------|----------|----------|----------|")
    print("\n".join(rows))


def _claim_and_send(outbox: Outbox, officer: str) -> None:
    batch = outbox.claim(officer, 100)
    assert len(batch) == 100
    with outbox.database.atomic():
        for entry in batch:
            outbox.mark_sent(entry.id, received_at=NOW)


if __name__ == "__main__":
    main()
