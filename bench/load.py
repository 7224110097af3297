"""Load: hundreds of officers syncing at once on loopback, supervisors polling meanwhile (issue 7).

    .venv/bin/python bench/load.py [--officers 300] [--seconds 60] [--seed 1] [--workers 1] [--json]

Starts its own server (``init`` + ``serve [--workers N]`` on a free loopback port, over a temporary
database, the default 60 s periodic alert pass), creates the officers (one home desa each, spread
over every kabupaten of Jambi) and three supervisors with the server's CLI, and enrolls every
officer's device with its CLI one-time code through ``POST /api/v1/auth/enroll``. Then, for
``--seconds``, every officer behaves like a phone (``tests/faults/fleet.py``): it saves ~3 reports a
minute, bursty (a quarter of the save moments are bursts of 2-5), a fifth of them come online with
20-200 reports queued from 1-3 offline days, and four desa see an incident reported by three
officers each; every 5-20 s it pushes its outbox in gzip'd batches of up to 100 and pulls its
changes. Meanwhile Polres Kerinci, Polda Jambi and Polresta Jambi poll the alert board, the review
queue and one alert's detail every second. Afterwards the server's SQLite file is read read-only:
every report answered ``created``/``duplicate`` must be held exactly once with the phone's content.

Prints one table (``--json``: the same figures as JSON). Exit status 1 when anything was lost or
held twice, or any request got a 5xx. Results go to docs/benchmarks.md ("Load").
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_seconds, machine_line, percentile, print_table  # noqa: E402
from tests.faults.load import ROUTES, SUPERVISORS, LoadResult, LoadSettings, run_load  # noqa: E402


def milliseconds(values: list[float], *fractions: float) -> list[float]:
    return [percentile(values, q) * 1000 if values else float("nan") for q in fractions]


def code_version() -> str:
    """The commit measured, and whether the server's code differed from it (read-only git calls)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "sync_server", "kerawanan"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit}{' + uncommitted server changes' if changed else ''}" if commit else "unknown"


def spread(values: list[float]) -> dict[str, float]:
    return dict(zip(("p50", "p95", "p99", "max"), milliseconds(values, .5, .95, .99, 1), strict=True))


def figures(result: LoadResult) -> dict[str, Any]:
    """Every number of the table, machine-readable."""
    s, tally, holdings = result.settings, result.tally, result.holdings
    supervisor_all = [x for route in ROUTES for x in result.supervisor_latencies[route]]
    full = [done for done, size in zip(tally.push_done, tally.push_sizes, strict=True) if size == s.batch]
    burst_end = max(full, default=tally.began)
    timed = [pair for route in ROUTES for pair in zip(result.supervisor_starts[route],
                                                      result.supervisor_latencies[route], strict=True)]
    quiet_all = [x for route in ROUTES for x in result.quiet_latencies[route]]
    return {
        "machine": machine_line(),
        "code": code_version(),
        "settings": {"officers": s.officers, "seconds": s.seconds, "seed": s.seed, "workers": s.workers,
                     "reports_per_minute": s.reports_per_minute, "think": list(s.think), "batch": s.batch,
                     "backlog_share": s.backlog_share, "backlog": list(s.backlog), "timeout": s.timeout,
                     "supervisors": [name for name, _, _ in SUPERVISORS]},
        "setup_seconds": round(result.setup_seconds, 1),
        "duration_seconds": round(result.seconds, 2),
        "sessions": tally.sessions, "failed_sessions": tally.failed_sessions,
        "reports_saved": len(tally.saved), "backlog_reports": tally.backlog_reports,
        "live_reports": tally.live_reports,
        "created": tally.created, "duplicate": tally.duplicate,
        "reports_per_second": round(tally.created / result.seconds, 1),
        "push_requests": len(tally.push),
        "push_mean_batch": round(sum(tally.push_sizes) / max(1, len(tally.push_sizes)), 1),
        "push_ms": spread(tally.push),
        "push_full_ms": spread([seconds for seconds, size in zip(tally.push, tally.push_sizes, strict=True)
                                if size == s.batch]),
        "push_full_requests": sum(1 for n in tally.push_sizes if n == s.batch),
        "pull_requests": len(tally.pull),
        "pull_ms": spread(tally.pull),
        "changes_pulled": dict(tally.changes),
        "supervisor_requests": len(supervisor_all),
        "supervisor_ms": {route: spread(values) for route, values in
                          [*result.supervisor_latencies.items(), ("all", supervisor_all)]},
        "burst_seconds": round(burst_end - tally.began, 1),
        "supervisor_burst_requests": sum(1 for start, _ in timed if start < burst_end),
        "supervisor_burst_ms": spread([x for start, x in timed if start < burst_end]),
        "supervisor_steady_ms": spread([x for start, x in timed if start >= burst_end]),
        "supervisor_quiet_requests": len(quiet_all),
        "supervisor_quiet_ms": {route: spread(values) for route, values in
                                [*result.quiet_latencies.items(), ("all", quiet_all)]},
        "errors": dict(tally.errors + result.supervisor_errors),
        "result_statuses_other": dict(tally.other_results),
        "alerts": dict(result.alert_levels),
        "incident_desa_alerts": result.hot_levels,
        "held": holdings.held, "acknowledged": len(tally.acked),
        "lost": len(holdings.audit.lost),
        "held_twice": len(holdings.audit.duplicated) + len(tally.created_twice),
        "altered": len(holdings.audit.altered),
        "unknown_held": len(holdings.unknown) + len(holdings.wrong_officer),
        "held_unacknowledged": holdings.unacknowledged, "queued_at_end": tally.queued_at_end,
        "integrity_check": holdings.integrity, "server_tracebacks": len(result.tracebacks),
        "officers_cpu_seconds": round(result.officers_cpu, 2),
        "supervisors_cpu_seconds": round(result.supervisors_cpu, 2),
        "server_cpu_seconds": None if result.server_cpu is None else round(result.server_cpu, 2),
        "quiet_server_cpu_share": None if result.quiet_server_cpu is None else round(
            result.quiet_server_cpu / result.quiet_seconds, 3),
        "client_loop_lag_ms": spread(tally.loop_lag),
    }


def ok(result: LoadResult) -> bool:
    holdings = result.holdings
    return (result.server_errors == 0 and holdings.audit.exact and not result.tally.created_twice
            and not holdings.unknown and not holdings.wrong_officer and holdings.integrity == "ok"
            and not result.tracebacks)


def table(f: dict[str, Any]) -> list[tuple[str, str, str]]:
    def ms(d: dict[str, float], *keys: str) -> str:
        return " / ".join(f"{d[key]:.0f}" for key in keys) + " ms"

    seconds = f["duration_seconds"]
    sup = f["supervisor_ms"]
    errors = ", ".join(f"{kind} × {count}" for kind, count in sorted(f["errors"].items())) or "none"
    levels = ", ".join(f"{level} {count}" for level, count in sorted(f["alerts"].items())) or "none"
    hot = sum(1 for level in f["incident_desa_alerts"].values() if level)
    rows = [
        ("officers (each its own device token and connection)", f"{f['settings']['officers']}", "hundreds"),
        ("duration of the load (setup before it)", f"{seconds:.1f} s ({f['setup_seconds']:.0f} s)", "-"),
        ("sync sessions (failed)", f"{f['sessions']:,} ({f['failed_sessions']})", "-"),
        ("reports saved on the phones: backlog + live",
         f"{f['backlog_reports']:,} + {f['live_reports']:,}", "-"),
        ("reports pushed: created (duplicate)", f"{f['created']:,} ({f['duplicate']})", "-"),
        ("reports/s (created / duration)", f"{f['reports_per_second']:,.1f}", "-"),
        (f"push: {f['push_requests']:,} batches (mean {f['push_mean_batch']:.0f} reports), p50 / p99",
         ms(f["push_ms"], "p50", "p99"), "-"),
        (f"  of which full batches of {f['settings']['batch']} ({f['push_full_requests']:,}), p50 / p99",
         ms(f["push_full_ms"], "p50", "p99"), "-"),
        (f"pull: {f['pull_requests']:,} pages, p50 / p99", ms(f["pull_ms"], "p50", "p99"), "-"),
        ("changes pulled by officers", ", ".join(f"{k} {v:,}" for k, v in sorted(f["changes_pulled"].items()))
         or "none", "-"),
    ]
    for route in (*ROUTES, "all"):
        label = {"board": "alert board (status=active)", "reports": "review queue (review=pending)",
                 "detail": "alert detail", "all": f"all {f['supervisor_requests']:,} requests"}[route]
        rows.append((f"supervisors, {label}: p50 / p99 / max", ms(sup[route], "p50", "p99", "max"),
                     "stays responsive"))
    rows += [
        (f"  while the backlogs were pushed (first {f['burst_seconds']:.0f} s, "
         f"{f['supervisor_burst_requests']} requests)",
         ms(f["supervisor_burst_ms"], "p50", "p99", "max"), "-"),
        ("  after that (live reports only)", ms(f["supervisor_steady_ms"], "p50", "p99", "max"), "-"),
        (f"  after the load, officers idle ({f['supervisor_quiet_requests']} requests; server CPU "
         f"{f['quiet_server_cpu_share']:.0%} of a core)",
         ms(f["supervisor_quiet_ms"]["all"], "p50", "p99", "max"), "-"),
    ]
    rows += [
        ("errors by kind (HTTP status / timeouts / transport)", errors, "none"),
        ("alerts raised (Polda board), by level", levels, "-"),
        ("incident desa with a rawan / sangat_rawan alert", f"{hot} / {len(f['incident_desa_alerts'])}",
         "all"),
        ("server holds: acknowledged reports / of these officers",
         f"{f['acknowledged']:,} / {f['held']:,}", "equal"),
        ("lost / held twice / altered / unknown", f"{f['lost']} / {f['held_twice']} / {f['altered']} / "
         f"{f['unknown_held']}", "0 / 0 / 0 / 0"),
        ("held without an answer / still queued at the end",
         f"{f['held_unacknowledged']} / {f['queued_at_end']}", "-"),
        ("PRAGMA integrity_check; server tracebacks", f"{f['integrity_check']}; {f['server_tracebacks']}",
         "ok; 0"),
        ("CPU (share of one core): server / officers' client / supervisors' client",
         " / ".join(f"{f[key]:.1f} s ({f[key] / seconds:.0%})" for key in (
             "server_cpu_seconds", "officers_cpu_seconds", "supervisors_cpu_seconds")), "-"),
        ("load client's event loop lateness p99 / max", ms(f["client_loop_lag_ms"], "p99", "max"), "-"),
    ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officers", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    if args.officers < 1 or args.seconds <= 0 or args.workers < 1:
        parser.error("--officers and --workers must be >= 1, --seconds > 0")
    settings = LoadSettings(officers=args.officers, seconds=args.seconds, seed=args.seed,
                            workers=args.workers)
    quiet = (lambda _: None) if args.json else (lambda line: print(line, file=sys.stderr))
    with tempfile.TemporaryDirectory(prefix="peta-load-") as folder:
        result = run_load(settings, Path(folder), server_cpu=cpu_seconds, progress=quiet)
    f = figures(result)
    if args.json:
        print(json.dumps(f, indent=2, ensure_ascii=False))
    else:
        print(f"# Peta Rawan load — {f['machine']}; workers {args.workers}, seed {args.seed}; "
              f"code {f['code']}")
        print_table(table(f), header=("measure", "result", "goal"))
    return 0 if ok(result) else 1


if __name__ == "__main__":
    sys.exit(main())
