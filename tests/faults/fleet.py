"""The simulated officers of the load run (``tests/faults/load.py``): who they are, what they save,
and how their phones sync — one asyncio task and one keep-alive connection (httpx) per officer."""
from __future__ import annotations

import asyncio
import gzip
import json
import random
import ssl
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from kerawanan import assets
from kerawanan.regions import Region
from kerawanan.report import parse_report
from kerawanan.tahapan import WIB

# Desa where an incident unfolds during the run: several officers report clashes there, so an
# alert must be raised for each (Kota Sungai Penuh, Kerinci, Kota Jambi, Merangin).
HOT_DESA = ("15.72.07.2004", "15.01.01.2001", "15.71.01.1004", "15.02.01.2001")

# What officers report on an ordinary day (relative frequency), and during an incident.
DAILY = {"informasi_umum": 25, "pelanggaran_kampanye": 15, "politik_uang": 12, "netralitas": 8,
         "hoaks_sara": 8, "data_pemilih": 6, "inisiatif_damai": 6, "intimidasi": 4, "logistik": 4,
         "konflik_laten": 3, "pengerahan_massa": 3, "bencana": 2, "ancaman_penyelenggara": 1,
         "senjata_premanisme": 1, "bentrok": 1, "gangguan_tps": 1}
INCIDENT = {"bentrok": 30, "pengerahan_massa": 20, "gangguan_tps": 20, "intimidasi": 15,
            "senjata_premanisme": 10, "ancaman_penyelenggara": 5}
DAILY_STAGES, INCIDENT_STAGES = {"PG": 75, "AG": 20, "GN": 5}, {"PG": 20, "AG": 40, "GN": 40}
SENTENCES = (
    "Warga melaporkan pembagian amplop oleh tim sukses paslon {n} di dusun {d}.",
    "Sekitar {p} orang pendukung paslon {n} berkumpul di depan balai desa {d} sejak pukul {h}.",
    "Terjadi adu mulut antara pendukung paslon {n} dan warga setempat, berhasil dilerai Bhabin.",
    "Spanduk dan baliho paslon {n} dirusak orang tak dikenal di jalan menuju {d}.",
    "Beredar pesan berantai di grup WhatsApp warga yang menuduh penyelenggara curang.",
    "Logistik surat suara untuk TPS {t} terlambat tiba karena jalan longsor di {d}.",
    "Massa sekitar {p} orang mendatangi kantor PPK menuntut penghitungan ulang.",
    "Tokoh adat dan tokoh agama {d} mengadakan deklarasi damai bersama {p} warga.",
    "Beberapa pemuda membawa senjata tajam saat konvoi kampanye paslon {n} pukul {h}.",
    "Daftar pemilih di TPS {t} memuat {p} nama warga yang sudah pindah atau meninggal.",
    "Situasi kondusif, patroli bersama Babinsa dilanjutkan sampai malam.",
    "Informasi belum dikonfirmasi, sumber dari warga dan perangkat desa {d}.",
)


@dataclass(frozen=True)
class LoadSettings:
    officers: int = 300
    seconds: float = 60.0
    seed: int = 1
    workers: int = 1                            # serve --workers
    evaluate_seconds: float | None = None       # None: the server's default periodic pass (60 s)
    reports_per_minute: float = 3.0             # mean reports saved per officer per minute
    burst_share: float = 0.25                   # share of save moments that are bursts of 2-5 reports
    backlog_share: float = 0.2                  # officers who come online with a queue from offline days
    backlog: tuple[int, int] = (20, 200)
    backlog_days: tuple[float, float] = (1.0, 3.0)
    batch: int = 100
    think: tuple[float, float] = (5.0, 20.0)    # seconds between sync sessions
    pull_limit: int = 100                       # as field_app's SyncPolicy
    max_pull_pages: int = 50
    hot_desa: tuple[str, ...] = HOT_DESA
    officers_per_hot_desa: int = 3
    supervisor_interval: float = 1.0
    quiet_seconds: float = 5.0                  # supervisors alone after the officers stop (comparison)
    timeout: float = 30.0                       # client read timeout (officers and supervisors)
    connect_timeout: float = 5.0
    keepalive: float = 4.0                      # idle connections dropped before uvicorn's 5 s


@dataclass
class Officer:
    nrp: str
    home: Region
    nearby: list[Region]                        # desa of its kecamatan (officers travel)
    rng: random.Random
    incident: str | None = None                 # a hot desa it reports from
    token: str = ""
    queue: list[dict[str, Any]] = field(default_factory=list)    # wire reports waiting to be sent
    saved_ids: list[str] = field(default_factory=list)
    cursor: int = 0
    next_save: float = 0.0                      # monotonic time of its next save moment


@dataclass
class FleetTally:
    """Everything the phones saw; one event loop writes it, so no lock."""

    saved: dict[str, str] = field(default_factory=dict)        # id -> content hash, every saved report
    acked: dict[str, str] = field(default_factory=dict)        # id -> first answer: created | duplicate
    created: int = 0
    duplicate: int = 0
    created_twice: list[str] = field(default_factory=list)     # answered created again (must be empty)
    other_results: Counter[str] = field(default_factory=Counter)   # conflict / invalid (must be 0)
    began: float = 0.0                                         # time.monotonic() the officers started
    push: list[float] = field(default_factory=list)            # seconds per push answered 200
    push_done: list[float] = field(default_factory=list)       # time.monotonic() each was answered
    push_sizes: list[int] = field(default_factory=list)
    pull: list[float] = field(default_factory=list)            # seconds per pull page answered 200
    errors: Counter[str] = field(default_factory=Counter)      # "push: HTTP 503", "pull: timeout", ...
    changes: Counter[str] = field(default_factory=Counter)     # pulled changes by kind
    sessions: int = 0
    failed_sessions: int = 0
    backlog_reports: int = 0
    live_reports: int = 0
    queued_at_end: int = 0
    loop_lag: list[float] = field(default_factory=list)        # the client's event loop lateness


# ---------------------------------------------------------------- who they are, what they save


def build_fleet(settings: LoadSettings, tally: FleetTally) -> list[Officer]:
    """Officers over every kabupaten of Jambi (one home desa each); the incident officers and a
    ``backlog_share`` of the others start with reports queued over the last offline days."""
    gazetteer = assets.gazetteer()
    rng = random.Random(settings.seed)
    desa = [region for region in gazetteer.desa_under("15") if region.lat is not None]
    homes: list[tuple[Region, str | None]] = []
    for code in settings.hot_desa:
        neighbours = [r for r in gazetteer.desa_under(gazetteer.get(code).parent_code) if r.lat is not None]
        others = [r for r in neighbours if r.code != code]
        homes.append((gazetteer.get(code), code))
        homes += [(rng.choice(others or neighbours), code) for _ in range(settings.officers_per_hot_desa - 1)]
    homes = homes[:settings.officers]
    taken = {home.code for home, _ in homes}
    free = [region for region in desa if region.code not in taken]
    count = settings.officers - len(homes)
    picked = rng.sample(free, count) if count <= len(free) else free + rng.choices(desa, k=count - len(free))
    homes += [(home, None) for home in picked]
    now = datetime.now(WIB)
    officers = []
    for index, (home, incident) in enumerate(homes):
        nearby = [region for region in gazetteer.desa_under(home.parent_code) if region.lat is not None]
        officer = Officer(nrp=f"88{index:06d}", home=home, nearby=nearby, incident=incident,
                          rng=random.Random(settings.seed * 1_000_003 + index))
        if incident or officer.rng.random() < settings.backlog_share:
            offline = timedelta(days=officer.rng.uniform(*settings.backlog_days))
            for _ in range(officer.rng.randint(*settings.backlog)):
                save_report(officer, tally, now - offline * officer.rng.random(), now)
                tally.backlog_reports += 1
        officers.append(officer)
    return officers


def save_report(officer: Officer, tally: FleetTally, recorded: datetime, now: datetime) -> None:
    """The phone's *Simpan*: a report made, validated by the core, queued in the outbox."""
    rng = officer.rng
    on_incident = officer.incident is not None and rng.random() < 0.7
    if on_incident:
        desa_code = officer.incident
        region = assets.gazetteer().get(desa_code)
    else:
        region = officer.home if rng.random() < 0.85 else rng.choice(officer.nearby)
        desa_code = region.code
    fill = {"n": f"0{rng.randint(1, 3)}", "d": region.name, "p": rng.randint(5, 400),
            "t": f"{rng.randint(1, 30):02d}", "h": f"{rng.randint(6, 23):02d}.{rng.choice(('00', '30'))}"}
    facts = " ".join(rng.choice(SENTENCES).format(**fill) for _ in range(rng.randint(1, 5)))
    wire = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "observed_at": (recorded - timedelta(minutes=rng.uniform(1, 120))).isoformat(timespec="seconds"),
        "recorded_at": recorded.isoformat(timespec="seconds"),
        "category": _pick(rng, INCIDENT if on_incident else DAILY),
        "threat_stage": _pick(rng, INCIDENT_STAGES if on_incident else DAILY_STAGES),
        "desa_code": desa_code,
        "location": None if rng.random() < 0.15 else {
            "lat": round(region.lat + rng.uniform(-0.01, 0.01), 6),
            "lon": round(region.lon + rng.uniform(-0.01, 0.01), 6), "accuracy_m": float(rng.randint(3, 60))},
        "people_count": rng.randint(0, 400) if rng.random() < 0.7 else None,
        "source_reliability": rng.choice("ABBCCD"), "info_credibility": rng.choice((1, 2, 2, 3, 3, 4)),
        "facts": facts, "tps": fill["t"] if rng.random() < 0.5 else None,
    }
    report = parse_report(wire, now=now.astimezone(UTC), gazetteer=assets.gazetteer(),
                          calendar=assets.calendar())
    officer.queue.append(report.to_wire())
    officer.saved_ids.append(report.id)
    tally.saved[report.id] = report.content_hash()


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def save_due(officer: Officer, settings: LoadSettings, tally: FleetTally, *, began: float, wall: datetime,
             until: float) -> None:
    """Reports saved since the last session: save moments are Poisson, some are bursts of 2-5."""
    rng = officer.rng
    while officer.next_save <= until:
        recorded = wall + timedelta(seconds=officer.next_save - began)
        for _ in range(1 if rng.random() >= settings.burst_share else rng.randint(2, 5)):
            save_report(officer, tally, recorded, recorded)
            tally.live_reports += 1
        officer.next_save += rng.expovariate(_save_rate(settings))


def _save_rate(settings: LoadSettings) -> float:
    """Save moments per second, so that reports per minute average ``reports_per_minute``."""
    return settings.reports_per_minute / 60 / (1 + settings.burst_share * 2.5)


# ---------------------------------------------------------------- how their phones sync


def run_officers(url: str, officers: list[Officer], settings: LoadSettings, tally: FleetTally) -> float:
    """Run every officer until ``settings.seconds`` have passed (sessions under way finish);
    returns the seconds from the start to the last officer's end."""
    try:
        import uvloop
        factory = uvloop.new_event_loop
    except ImportError:          # pragma: no cover - uvloop comes with uvicorn[standard]
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(_fleet(url, officers, settings, tally))


async def _fleet(url: str, officers: list[Officer], settings: LoadSettings, tally: FleetTally) -> float:
    context = ssl.create_default_context()     # shared: building one per client costs ~60 ms of CPU
    began, wall = time.monotonic(), datetime.now(WIB)
    tally.began = began
    deadline = began + settings.seconds
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch_loop(tally.loop_lag, stop))
    await asyncio.gather(*(_officer(url, officer, settings, tally, context, began, wall, deadline)
                           for officer in officers))
    seconds = time.monotonic() - began
    stop.set()
    await watcher
    tally.queued_at_end = sum(len(officer.queue) for officer in officers)
    return seconds


async def _officer(url: str, officer: Officer, settings: LoadSettings, tally: FleetTally,
                   context: ssl.SSLContext, began: float, wall: datetime, deadline: float) -> None:
    rng = officer.rng
    client = httpx.AsyncClient(
        base_url=url, verify=context, trust_env=False,
        headers={"Authorization": f"Bearer {officer.token}", "Accept-Encoding": "gzip"},
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1,
                            keepalive_expiry=settings.keepalive))
    officer.next_save = began + rng.expovariate(_save_rate(settings))
    wait = rng.uniform(0, 2) if officer.queue else rng.uniform(0, settings.think[1])
    async with client:
        while True:
            await asyncio.sleep(max(0.0, min(wait, deadline - time.monotonic())))
            now = time.monotonic()
            if now >= deadline:      # what was saved since the last session stays in the outbox
                save_due(officer, settings, tally, began=began, wall=wall, until=deadline)
                return
            save_due(officer, settings, tally, began=began, wall=wall, until=now)
            await _session(client, officer, settings, tally)
            wait = rng.uniform(*settings.think)


async def _session(client: httpx.AsyncClient, officer: Officer, settings: LoadSettings,
                   tally: FleetTally) -> None:
    """Push the outbox in batches, then pull until ``more`` is false; the first failure ends it."""
    tally.sessions += 1
    while officer.queue:
        if not await _push(client, officer, officer.queue[:settings.batch], tally):
            tally.failed_sessions += 1
            return
    for _ in range(settings.max_pull_pages):
        page = await _exchange(client, tally, "pull", "GET", "/api/v1/sync/pull",
                               params={"cursor": officer.cursor, "limit": settings.pull_limit})
        if page is None:
            tally.failed_sessions += 1
            return
        tally.changes.update(change["kind"] for change in page["changes"])
        officer.cursor = max(officer.cursor, page["cursor"])
        if not page["more"]:
            return


async def _push(client: httpx.AsyncClient, officer: Officer, batch: list[dict[str, Any]],
                tally: FleetTally) -> bool:
    body = gzip.compress(json.dumps({"reports": batch}, ensure_ascii=False, separators=(",", ":")).encode(),
                         compresslevel=6, mtime=0)
    answer = await _exchange(client, tally, "push", "POST", "/api/v1/sync/push", content=body,
                             headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    if answer is None:
        return False
    tally.push_sizes.append(len(batch))
    answered = set()
    for result in answer["results"]:
        status, report_id = result["status"], result["id"]
        answered.add(report_id)
        if status == "created":
            if tally.acked.get(report_id) == "created":
                tally.created_twice.append(report_id)
            tally.created += 1
        elif status == "duplicate":
            tally.duplicate += 1
        else:                    # conflict / invalid: the phone shows it as needing attention
            tally.other_results[status] += 1
            continue
        tally.acked.setdefault(report_id, status)
    officer.queue = [report for report in officer.queue if report["id"] not in answered]
    return True


async def _exchange(client: httpx.AsyncClient, tally: FleetTally, kind: str, method: str, path: str,
                    **options: Any) -> dict[str, Any] | None:
    """One request; its latency when answered 200, else the error counted by kind (None)."""
    began = time.perf_counter()
    try:
        response = await client.request(method, path, **options)
        body = response.json() if response.status_code == 200 else None
    except httpx.TimeoutException:
        tally.errors[f"{kind}: timeout"] += 1
        return None
    except (httpx.TransportError, ValueError) as error:
        tally.errors[f"{kind}: {type(error).__name__}"] += 1
        return None
    if response.status_code != 200:
        tally.errors[f"{kind}: HTTP {response.status_code}"] += 1
        return None
    (tally.push if kind == "push" else tally.pull).append(time.perf_counter() - began)
    if kind == "push":
        tally.push_done.append(time.monotonic())
    return body


async def _watch_loop(lags: list[float], stop: asyncio.Event, period: float = 0.05) -> None:
    """How late the client's event loop wakes up: if this grows, the load client is the bottleneck."""
    while not stop.is_set():
        began = time.perf_counter()
        await asyncio.sleep(period)
        lags.append(time.perf_counter() - began - period)
