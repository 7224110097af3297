"""Per-kabupaten/kota context: Polres, TPS and voter counts, Bawaslu's IKP, Polda's baseline.

Parsed from ``assets/jambi_context.csv``. All of it is shown *beside* a region's score, never
mixed into it: the IKP is Bawaslu's electoral-violation index (stored as published, never
recomputed), and the Polda baseline is Polda Jambi's historical assessment of 2024.
TPS and DPT counts are Pemilu 2024 figures (the Pilkada 2024 counts per kabupaten were not
published in the sources found); Pilkada TPS hold up to 600 voters, so the real counts are lower.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from kerawanan.vocab import LEVELS

COLUMNS = ("code", "name", "polres", "tps_pemilu_2024", "dpt_pemilu_2024",
           "ikp_pilkada_2024_score", "ikp_pilkada_2024_category", "polda_baseline_2024")


@dataclass(frozen=True, slots=True)
class KabupatenContext:
    code: str               # kabupaten/kota code, e.g. "15.72"
    name: str
    polres: str             # the Polres that covers it (Polres Kerinci covers 15.01 and 15.72)
    tps: int                # Pemilu 2024 TPS count: an estimate for the Pilkada
    dpt: int                # Pemilu 2024 voters (DPT)
    ikp_score: float        # Bawaslu IKP Pilkada 2024, as published
    ikp_category: str       # as published (rendah / sedang / tinggi); cut-offs change per release
    polda_baseline: str     # kurang_rawan | rawan | sangat_rawan

    def baseline_level(self, *, critical_stage: bool) -> str:
        """Polda's baseline holds from the campaign to the recapitulation, i.e. the critical
        tahapan of the calendar; outside them every region is watched but not pre-rated."""
        return self.polda_baseline if critical_stage else LEVELS[0]

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "polres": self.polres, "tps": self.tps,
                "dpt": self.dpt, "ikp_score": self.ikp_score, "ikp_category": self.ikp_category,
                "polda_baseline": self.polda_baseline}


def parse_context(csv_text: str) -> dict[str, KabupatenContext]:
    """Rows of ``jambi_context.csv`` by kabupaten code; ``ValueError`` naming the bad row."""
    reader = csv.DictReader(io.StringIO(csv_text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"context: header must be {','.join(COLUMNS)}")
    contexts: dict[str, KabupatenContext] = {}
    for line, row in enumerate(reader, start=2):
        context = _read_row(row, f"context: line {line}")
        if context.code in contexts:
            raise ValueError(f"context: line {line}: kabupaten {context.code} appears twice")
        contexts[context.code] = context
    return contexts


def _read_row(row: dict, where: str) -> KabupatenContext:
    if None in row or any(value is None for value in row.values()):
        raise ValueError(f"{where}: expected {len(COLUMNS)} fields")
    code = row["code"].strip()
    parts = code.split(".")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError(f"{where}: {code!r} is not a kabupaten/kota code like 15.01")
    baseline = row["polda_baseline_2024"].strip()
    if baseline not in LEVELS:
        raise ValueError(f"{where}: polda baseline {baseline!r} is not one of {', '.join(LEVELS)}")
    for key in ("name", "polres", "ikp_pilkada_2024_category"):
        if not row[key].strip():
            raise ValueError(f"{where}: {key} is empty")
    return KabupatenContext(
        code=code, name=row["name"].strip(), polres=row["polres"].strip(),
        tps=_number(row, "tps_pemilu_2024", int, where),
        dpt=_number(row, "dpt_pemilu_2024", int, where),
        ikp_score=_number(row, "ikp_pilkada_2024_score", float, where),
        ikp_category=row["ikp_pilkada_2024_category"].strip(), polda_baseline=baseline)


def _number(row: dict, key: str, kind: type, where: str):
    try:
        value = kind(row[key].strip())
    except ValueError:
        raise ValueError(f"{where}: {key} {row[key]!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {key} must be a finite number, not negative")
    return value
