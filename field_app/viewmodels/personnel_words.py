"""What a supervisor reads of a region's personnel plan (alert detail, the map's region panel).

Plain words from the server's personnel object (``docs/api.md``, alert ``personnel``): the
reinforcement and the TPS it is for, marked *perkiraan* (TPS per desa are estimated); the standing
plan from Polda's baseline when there is one; and, for a Polres or Polda, strength beside the need
with the shortfall, marked as examples while the figures are.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Translate = Callable[..., str]


def personnel_lines(personnel: Mapping[str, Any] | None, t: Translate) -> list[str]:
    """The lines to show, most important first; none without a plan."""
    if not personnel:
        return []
    p = personnel
    tps, reinforcement = int(p.get("tps") or 0), int(p.get("reinforcement") or 0)
    if reinforcement > 0:
        reinforced = min(int(p.get("reinforced_tps") or 0), tps)
        lines = [t("sv.personnel.reinforce", n=reinforcement, x=reinforced, y=tps)]
        if p.get("standing"):
            lines.append(t("sv.personnel.parts", reports=int(p.get("from_reports") or 0),
                           standing=int(p.get("from_baseline") or 0)))
    else:
        lines = [t("sv.personnel.none", y=tps)]
    lines.append(t("sv.personnel.total", recommended=p.get("recommended"), baseline=p.get("baseline"),
                   reinforcement=reinforcement, pattern=p.get("pattern")))
    return lines + strength_lines(p.get("strength"), t)


def strength_lines(strength: Mapping[str, Any] | None, t: Translate) -> list[str]:
    if not strength:
        return []
    if strength.get("kind") == "polda":
        line = t("sv.personnel.polda", unit=strength.get("unit"), needed=strength.get("needed"),
                 bko=strength.get("polda_bko"), brimob=strength.get("brimob"), gap=strength.get("gap"))
    else:
        line = t("sv.personnel.polres", unit=strength.get("unit"), needed=strength.get("needed"),
                 available=strength.get("available"), gap=strength.get("gap"))
    return [line + (f" ({t('sv.personnel.example')})" if strength.get("example") else "")]
