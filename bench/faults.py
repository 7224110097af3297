"""The long fault runs: seeded randomised trials of the real sync engine, and the 2G profile.

    .venv/bin/python bench/faults.py --trials 200 --seed 1          # randomised fault trials
    .venv/bin/python bench/faults.py --profile 2g                    # 200 reports + 20 photos over 2G
    .venv/bin/python bench/faults.py --profile 2g --synthetic        # the same with synthetic grain frames
    .venv/bin/python bench/faults.py --profile 2g --photos-from DIR  # the same with your photographs

Each run starts its own real server (``python -m sync_server init`` + ``serve``) on a temporary
database, enrolls an officer with a CLI code, and puts the fault proxy of ``tests/faults/proxy.py``
between the app's sync client and the server. The same seed gives the same trials (the fault plans
and the reports; the timing of stalls may differ). Exit status 1 when anything was lost or
counted twice. The figures go into docs/reliability.md.

Photos: by default real photographs, the scenes ``bench/photo_encoding.py`` chose the encoding on
(Debian's ``mate-backgrounds``, ``/usr/share/backgrounds/mate/nature``: 12 photographs,
1280–2560 px; where that package is missing, scikit-image's five detail photographs), taken in
name order and again from the first when there are fewer than ``--photos``; ``--photos-from DIR``
takes them from DIR instead. ``--synthetic`` makes synthetic camera frames (gradients under heavy
grain: the worst case, grain compresses like nothing a camera sees). Either way
``field_app.photos`` shrinks them as the app does.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import machine_line  # noqa: E402

from tests.faults.harness import RealServer, camera_jpeg, integrity, unexpected_tracebacks  # noqa: E402
from tests.faults.network import run_network  # noqa: E402
from tests.faults.proxy import PROFILES, FaultProxy  # noqa: E402
from tests.faults.trials import TrialSettings, run_trial, summarise  # noqa: E402

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")

OFFICER = "87080001"


def run_trials(server: RealServer, token: str, workdir: Path, trials: int, seed: int) -> bool:
    settings = TrialSettings(read_timeout=1.0)
    results = []
    with FaultProxy(server.port, seed=seed) as proxy:
        for number in range(trials):
            result = run_trial(server, proxy, OFFICER, token, seed=seed * 100_000 + number, workdir=workdir,
                               settings=settings)
            results.append(result)
            if not result.ok:
                print(f"trial seed {result.seed}: {result.audit}", file=sys.stderr)
    summary = summarise(results)
    rows = [("trials", summary["trials"]), ("reports saved on the phones", summary["reports"]),
            ("photos", summary["photos"]),
            *((f"faults injected: {kind}", count) for kind, count in summary["faults"].items()),
            ("sync passes that failed (retried)", summary["failed_passes"]),
            ("reports answered `duplicate` on a resend", summary["duplicate_answers"]),
            ("lost", summary["lost"]), ("duplicated", summary["duplicated"]), ("altered", summary["altered"]),
            ("photos missing", summary["media_missing"]), ("needing attention", summary["attention"]),
            ("time in trials (s)", summary["seconds"])]
    _print_rows(f"randomised fault trials, seed {seed}, settings {settings}", rows)
    return all(result.ok for result in results)


def run_profile(server: RealServer, token: str, workdir: Path, name: str, reports: int, photos: int,
                seed: int, photos_from: Path | None = None, synthetic: bool = False) -> bool:
    profile = PROFILES[name]
    files = [] if synthetic else photographs(photos_from)
    camera = camera_jpeg if synthetic else folder_camera(files)
    source = "synthetic (grain)" if synthetic else f"{files[0].parent} ({len(files)} photographs)"
    with FaultProxy(server.port, seed=seed) as proxy:
        run = run_network(server, proxy, OFFICER, token, workdir, profile=profile, reports=reports,
                          photos=photos, seed=seed, camera=camera)
    text = "never" if run.text_seconds is None else f"{run.text_seconds:.1f}"
    rows = [("reports", run.reports), ("photos (shrunk by field_app.photos)", run.photos),
            ("photos from", source),
            ("photo bytes", run.photo_bytes), ("total time (s)", f"{run.seconds:.1f}"),
            ("every report's text on the server after (s)", text),
            ("sync passes (failed)", f"{run.passes} ({run.failed_passes})"), ("requests", run.exchanges),
            ("faults (loss as drops/resets/stalls)", run.faults), ("bytes up", run.bytes_up),
            ("bytes down", run.bytes_down), ("bytes per report (all traffic / reports)", f"{run.bytes_per_report:.0f}"),
            ("text bytes per report (push + pull, gzip)", f"{run.text_bytes / run.reports:.0f}"),
            ("photo bytes wasted by uploads cut midway (sent again)", run.media_retry_bytes),
            ("lost / duplicated / photos missing",
             f"{len(run.audit.lost)} / {len(run.audit.duplicated)} / {len(run.audit.media_missing)}")]
    _print_rows(f"profile {name}: {profile}", rows)
    return run.audit.exact


def photographs(folder: Path | None) -> list[Path]:
    """The real photographs to take: ``folder``'s, else those ``bench/photo_encoding.py`` measures."""
    if folder is None:
        from photo_encoding import MATE, SKIMAGE_PHOTOS

        folder = MATE
        if not _photos_in(folder):
            try:
                import skimage
            except ImportError:
                raise SystemExit(f"no photographs in {MATE}: apt-get install mate-backgrounds, "
                                 "pip install scikit-image, or pass --photos-from DIR or --synthetic") from None
            data = Path(skimage.__file__).parent / "data"
            return [data / name for name in SKIMAGE_PHOTOS]
    files = _photos_in(folder)
    if not files:
        raise SystemExit(f"no JPEG or PNG photographs in {folder}")
    return files


def _photos_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in PHOTO_SUFFIXES) \
        if folder.is_dir() else []


def folder_camera(files: list[Path]):
    """A camera that returns the photographs ``files`` one after the other."""
    taken = iter(range(10**9))
    return lambda rng, size: files[next(taken) % len(files)].read_bytes()


def _print_rows(title: str, rows) -> None:
    print(f"\n### {title}\n")
    width = max(len(str(label)) for label, _ in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for label, value in rows:
        print(f"| {str(label).ljust(width)} | {value} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=sorted(PROFILES), help="run the bad-network profile instead")
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--photos-from", type=Path, help="a folder of photographs (default: mate-backgrounds' "
                        "nature photographs, as bench/photo_encoding.py)")
    parser.add_argument("--synthetic", action="store_true", help="synthetic grain frames instead of photographs")
    args = parser.parse_args()
    print(machine_line())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="peta-faults-") as folder:
        workdir = Path(folder)
        (workdir / "server").mkdir()
        server = RealServer(workdir / "server").start()
        try:
            token = server.enroll_officer(OFFICER)
            if args.profile:
                ok = run_profile(server, token, workdir, args.profile, args.reports, args.photos, args.seed,
                                 args.photos_from, args.synthetic)
            else:
                ok = run_trials(server, token, workdir, args.trials, args.seed)
        finally:
            server.stop()
        check = integrity(server.db)
        tracebacks = unexpected_tracebacks(server.log())
    print(f"\nPRAGMA integrity_check: {check}; unexpected server tracebacks: {len(tracebacks)}; "
          f"wall time {time.monotonic() - started:.0f} s")
    return 0 if ok and check == "ok" and not tracebacks else 1


if __name__ == "__main__":
    sys.exit(main())
