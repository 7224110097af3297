"""Helpers shared by the benchmarks: the machine, percentiles, tables, process CPU time, a real
server process over a temporary database, and Indonesian-shaped text for realistic reports."""
from __future__ import annotations

import gzip
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# Text for realistic report bodies: template sentences, then free text drawn Zipf-like from real
# words (most frequent first) and ~3,000 made-up words of Indonesian shape, plus names and numbers,
# so that gzip meets text about as compressible as hand-written notes (0.41 of its size; the demo
# scenario's texts: 0.42). Used by bench/ingest.py; see docs/benchmarks.md.
SENTENCES = (
    "Warga melaporkan pembagian amplop berisi uang oleh tim sukses paslon {n} di dusun {d}.",
    "Sekitar {p} orang pendukung paslon {n} berkumpul di depan balai desa {d} sejak pukul {h}.",
    "Terjadi adu mulut antara pendukung paslon {n} dan warga setempat, berhasil dilerai Bhabin.",
    "Spanduk dan baliho paslon {n} dirusak orang tak dikenal di jalan menuju {d}.",
    "Kepala desa {d} terlihat ikut berkampanye untuk paslon {n} dalam acara pengajian.",
    "Beredar pesan berantai di grup WhatsApp warga yang menuduh penyelenggara curang.",
    "Logistik surat suara untuk TPS {t} terlambat tiba karena jalan longsor di {d}.",
    "Saksi paslon {n} menolak menandatangani berita acara di TPS {t}; situasi masih kondusif.",
    "Massa sekitar {p} orang mendatangi kantor PPK {d} menuntut penghitungan ulang.",
    "Tokoh adat dan tokoh agama {d} mengadakan deklarasi damai bersama {p} warga.",
    "Ada sengketa batas lahan lama antara warga {d} dan desa tetangga yang bisa dipolitisasi.",
    "Beberapa pemuda membawa senjata tajam saat konvoi kampanye paslon {n} pukul {h}.",
    "Daftar pemilih tetap di TPS {t} memuat {p} nama warga yang sudah pindah atau meninggal.",
    "Hujan deras membuat akses ke TPS {t} di {d} terputus, petugas meminta bantuan perahu.",
)
LEXICON = [
    "yang", "di", "dan", "warga", "ke", "dari", "pada", "itu", "dengan", "untuk", "tidak", "ada", "ini",
    "sudah", "akan", "oleh", "desa", "orang", "dalam", "karena", "sekitar", "masih", "saat", "juga",
    "telah", "kami", "tersebut", "pukul", "malam", "pagi", "siang", "sore", "hari", "tadi", "bahwa",
    "mereka", "kepada", "para", "antara", "lebih", "setelah", "sebelum", "agar", "namun", "belum",
    "tetap", "sempat", "kembali", "sedang", "bisa", "paslon", "pendukung", "massa", "tim", "sukses",
    "kampanye", "calon", "bupati", "wali", "kota", "gubernur", "pemilih", "saksi", "petugas",
    "penyelenggara", "panwascam", "bawaslu", "kpu", "ppk", "pps", "kpps", "tps", "kotak", "suara",
    "surat", "logistik", "rekapitulasi", "penghitungan", "pemungutan", "ulang", "berita", "acara",
    "formulir", "daftar", "pemilih", "tetap", "pindah", "meninggal", "ganda", "kepala", "dusun", "rt",
    "rw", "balai", "masjid", "musala", "sekolah", "pasar", "jalan", "simpang", "jembatan", "kebun",
    "ladang", "sawah", "sungai", "bukit", "kantor", "camat", "polsek", "koramil", "babinsa",
    "bhabinkamtibmas", "patroli", "pengamanan", "personel", "penebalan", "berkumpul", "mendatangi",
    "membawa", "membagikan", "menolak", "menuntut", "menuduh", "merusak", "membakar", "memblokade",
    "mengancam", "mengintimidasi", "melerai", "mengamankan", "memantau", "melaporkan", "menyampaikan",
    "mengimbau", "amplop", "uang", "sembako", "beras", "kaos", "stiker", "spanduk", "baliho", "alat",
    "peraga", "apk", "poster", "bendera", "adu", "mulut", "keributan", "perkelahian", "bentrokan",
    "lemparan", "batu", "senjata", "tajam", "parang", "kayu", "hoaks", "pesan", "berantai", "grup",
    "whatsapp", "facebook", "video", "rekaman", "ujaran", "kebencian", "fitnah", "isu", "sara", "tokoh",
    "adat", "agama", "pemuda", "masyarakat", "ibu", "bapak", "anak", "muda", "keluarga", "tetangga",
    "kelompok", "rombongan", "hujan", "deras", "longsor", "banjir", "jalan", "rusak", "terputus",
    "perahu", "motor", "mobil", "truk", "pikap", "konvoi", "situasi", "kondusif", "aman", "terkendali",
    "tegang", "memanas", "panas", "reda", "damai", "deklarasi", "musyawarah", "mediasi", "lahan",
    "batas", "sengketa", "lama", "adat", "ulayat", "dendam", "konflik", "laten", "pilkades",
    "informasi", "belum", "dikonfirmasi", "sumber", "terpercaya", "saksi", "mata", "langsung",
    "menurut", "keterangan",
]
ONSETS = ["b", "c", "d", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w", "y", "ng", "ny"]
VOWELS = "aaaiiuueo"


def made_up_words(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    words = []
    for _ in range(count):
        stem = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        words.append(rng.choice(("", "", "me", "di", "ber", "ter", "pe")) + stem
                     + rng.choice(("", "", "", "kan", "an", "nya")))
    return words


WORDS = list(dict.fromkeys(LEXICON + made_up_words(3000)))
WORD_WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(WORDS))]
OPINIONS = ("Berpotensi meluas ke desa tetangga malam ini.", "Perlu penebalan personel di TPS {t}.",
            "Situasi terkendali, tetap dipantau.", "Informasi perlu dikonfirmasi ke Panwascam.",
            "Disarankan patroli gabungan dengan Babinsa.")




def machine_line() -> str:
    """``2 cores, AMD EPYC, 23 GiB, CPython 3.11.7, load 0.31`` — what a reader needs to compare."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        memory = f", {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB"
    load = f", load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (f"{os.cpu_count()} cores, {model}{memory}, {platform.python_implementation()} "
            f"{platform.python_version()}{load}")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0.99 for p99) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))      # ceil, at least the first
    return ordered[int(rank) - 1]


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str] = ("measure", "result", "target")) -> None:
    """A Markdown table (pastes into docs/benchmarks.md as it is): the first and the last column
    (the target) aligned left, the results between them right."""
    columns = len(header)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(columns)]
    print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in rows:
        cells = [cell.ljust(widths[i]) if i in (0, columns - 1) else cell.rjust(widths[i])
                 for i, cell in enumerate(row)]
        print("| " + " | ".join(cells) + " |")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and all its live descendants (Linux ``/proc``; else 0)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    stats: dict[int, tuple[int, float]] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, (0, 0.0))[1]
        todo.extend(child for child, (parent, _) in stats.items() if parent == current)
    return total


def call(port: int, method: str, path: str, body: object = None, auth: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One JSON request on a fresh connection (setup only, never timed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
    if auth:
        sent["Authorization"] = auth
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=sent)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return response.status, (json.loads(data) if data else None)


def get_pages(port: int, auth: str, first: str, next_page: Callable[[str, Any, Any], str | None],
              count: Callable[[Any], int]) -> tuple[float, int, int]:
    """Page from ``first`` on one keep-alive connection (gzip accepted): (seconds, changes, wire bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Authorization": auth, "Accept-Encoding": "gzip", "Accept": "application/json"}
    path: str | None = first
    changes = wire = 0
    began = time.perf_counter()
    while path:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        data = response.read()
        wire += len(data)
        if response.getheader("content-encoding") == "gzip":
            data = gzip.decompress(data)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {data[:300]!r}")
        page = json.loads(data)
        changes += count(page)
        path = next_page(path, page, response)
    seconds = time.perf_counter() - began
    conn.close()
    return seconds, changes, wire


class BenchServer:
    """``init`` + an admin (``create-user``) + ``serve`` on a free loopback port, over ``folder``.

    ``with BenchServer(folder) as server:`` stops the server afterwards. Users are made through
    the API by the admin, as an operator would. ``database``: a ``postgresql://`` URL to serve
    instead of an SQLite file in ``folder`` (which then holds only the log and photos). ``prepare``
    False: no ``init`` and no admin made, for a further node on a database another one prepared.
    """

    ADMIN_PASSWORD = "kata-sandi-bench-123"

    def __init__(self, folder: Path, *, workers: int = 1, database: str | None = None, prepare: bool = True):
        self.folder = folder
        self.db: Path | str = database or folder / "peta.db"    # a postgresql:// URL or an SQLite file
        self.port = free_port()
        self.env = {**os.environ, "PETA_MEDIA_DIR": str(folder / "media"), "PETA_EVALUATE_SECONDS": "0",
                    "PETA_LOGIN_FAILURES_PER_ADDRESS": "100000",
                    # Each bench client is one officer sending far more than a Bhabin's hourly quota.
                    "PETA_QUOTA_REPORTS": "1000000000", "PETA_QUOTA_PHOTO_MIB": "1000000"}
        if prepare:
            self._cli("init")
            self._cli("create-user", "--username", "admin", "--name", "Admin Bench", "--role", "admin",
                      "--scope", "15", "--password", self.ADMIN_PASSWORD)
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "server.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync_server", "serve", "--db", str(self.db), "--port", str(self.port),
                 "--log-level", "warning", "--workers", str(workers)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        try:
            self._wait()
            self.admin = self.login("admin", self.ADMIN_PASSWORD)
        except BaseException:
            self.stop()
            raise

    def _cli(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", str(self.db)], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"sync_server {args[0]} failed: {done.stderr}")

    def _wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer /healthz: {self.log_path.read_text()}")

    def call(self, method: str, path: str, body: object = None,
             token: str | None = None) -> tuple[int, object]:
        """One JSON request on a fresh connection: ``(status, decoded body or None)``."""
        return call(self.port, method, path, body, auth=f"Bearer {token}" if token else None)

    def login(self, username: str, password: str) -> str:
        status, body = self.call("POST", "/api/v1/auth/login", {"username": username, "password": password})
        if status != 200:
            raise RuntimeError(f"login {username}: {status} {body}")
        return body["token"]

    def user_token(self, username: str, role: str, scope: Sequence[str]) -> str:
        """Create a user through the API (as the admin) and log in; returns the bearer token."""
        password = f"{username}-bench-pw"
        status, body = self.call("POST", "/api/v1/users", {"username": username, "name": f"Bench {username}",
                                                           "role": role, "scope": list(scope),
                                                           "password": password}, token=self.admin)
        if status != 201:
            raise RuntimeError(f"create user {username}: {status} {body}")
        return self.login(username, password)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
