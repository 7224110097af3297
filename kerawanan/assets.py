"""The one place the core reads its shipped data files (read-only, from ``assets/``).

Everything else in ``kerawanan`` takes data as arguments; these loaders parse the shipped files
once and cache the result. ``PETA_ASSETS`` points at another asset folder (tests, a new election);
``PETA_CALENDAR`` at another tahapan calendar file (the next election, a re-vote).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

DEFAULT_CALENDAR = "tahapan_pilkada_2024.toml"   # PETA_CALENDAR names another file: a new election, a PSU
ASSET_DIR = Path(os.environ.get("PETA_ASSETS") or Path(__file__).resolve().parent.parent / "assets")


def asset_path(*parts: str) -> Path:
    return ASSET_DIR.joinpath(*parts)


def read_text(*parts: str) -> str:
    return asset_path(*parts).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def gazetteer():
    """The Jambi gazetteer with desa/kecamatan/kabupaten boundaries for ``locate_desa``."""
    from kerawanan.regions import load_gazetteer

    return load_gazetteer(
        read_text("regions", "jambi_wilayah.csv"),
        desa_geojson=read_text("regions", "jambi_desa.geojson"),
        kecamatan_geojson=read_text("regions", "jambi_kecamatan.geojson"),
        kabupaten_geojson=read_text("regions", "jambi_kabupaten.geojson"),
    )


@lru_cache(maxsize=1)
def calendar():
    """The tahapan calendar of the current election."""
    from kerawanan.tahapan import load_calendar

    return load_calendar(Path(os.environ.get("PETA_CALENDAR") or asset_path(DEFAULT_CALENDAR)).read_text(
        encoding="utf-8"))


@lru_cache(maxsize=1)
def scoring_config():
    """Weights, thresholds, deadlines, personnel patterns and per-kabupaten context."""
    from kerawanan.scoring_config import load_config

    return load_config(read_text("scoring.toml"), read_text("jambi_context.csv"))


@lru_cache(maxsize=1)
def strength():
    """Each Polres' strength for Pilkada security and what Polda can send (``jambi_strength.csv``;
    the shipped figures are examples, ``source`` = "contoh", to be set by Polda)."""
    from kerawanan.strength import parse_strength

    contexts = scoring_config().contexts.values()
    return parse_strength(read_text("jambi_strength.csv"), {context.polres for context in contexts})


@lru_cache(maxsize=1)
def vocabulary():
    """Labels and hints (id/en) of categories, threat stages, grades and levels."""
    from kerawanan.vocab import load_vocabulary

    return load_vocabulary(read_text("vocabulary.toml"))
