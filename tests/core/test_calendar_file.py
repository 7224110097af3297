"""A new election (or a re-vote) is a new calendar file named by PETA_CALENDAR, not new code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kerawanan import assets

ROOT = Path(__file__).resolve().parents[2]


def test_peta_calendar_names_the_calendar_the_system_uses(tmp_path):
    original = assets.asset_path(assets.DEFAULT_CALENDAR).read_text(encoding="utf-8")
    psu = original.replace('election = "pilkada_2024"', 'election = "psu_kerinci_2025"').replace(
        'label_id = "Pemungutan dan penghitungan suara"', 'label_id = "Pemungutan suara ulang"')
    assert psu != original
    path = tmp_path / "tahapan_psu.toml"
    path.write_text(psu, encoding="utf-8")
    code = ("from kerawanan import assets; c = assets.calendar(); "
            "print(c.get('pemungutan_suara').label('id'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PETA_CALENDAR": str(path)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Pemungutan suara ulang"
