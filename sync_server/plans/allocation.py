"""The proposed allocation of a unit's strength across its regions (``assets/penebalan.toml``).

Pure arithmetic: regions with their need and priority in, allocations and shortfalls out. The rule
in words lives in the asset's comments and in ``RULE_TEXT`` (what the plan screen and the PDF print).
"""
from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

from kerawanan.vocab import LEVELS

RULE_TEXT = ("Kebutuhan = penebalan dari rencana personel. Wilayah dilayani menurut prioritas "
             "(sangat rawan dulu, lalu rawan, lalu kurang rawan); dalam satu prioritas, bila sisa kekuatan "
             "tidak cukup, dibagi sebanding kebutuhan. Kekurangan = kebutuhan − alokasi.")


@dataclass(frozen=True, slots=True)
class Need:
    code: str
    priority: str           # a level
    need: int


@dataclass(frozen=True, slots=True)
class Allocation:
    code: str
    priority: str
    need: int
    allocated: int

    @property
    def shortfall(self) -> int:
        return max(0, self.need - self.allocated)


def load_rule(toml_text: str) -> tuple[str, ...]:
    """The priority order of ``penebalan.toml``; ``ValueError`` when it is not every level once."""
    try:
        order = tomllib.loads(toml_text).get("order")
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"penebalan: not valid TOML: {exc}") from exc
    if not isinstance(order, list) or sorted(order) != sorted(LEVELS):
        raise ValueError(f"penebalan: order must list each of {', '.join(LEVELS)} once")
    return tuple(order)


def allocate(needs: Sequence[Need], pool: int, order: Sequence[str]) -> tuple[list[Allocation], int]:
    """Allocations in the order of ``needs`` and what stays in reserve."""
    given: dict[str, int] = {}
    left = max(0, pool)
    for level in order:
        group = [need for need in needs if need.priority == level and need.need > 0]
        total = sum(need.need for need in group)
        if total <= left:
            given.update({need.code: need.need for need in group})
            left -= total
            continue
        shares = _shares(group, left, total)
        given.update(shares)
        left -= sum(shares.values())
    return [Allocation(need.code, need.priority, need.need, given.get(need.code, 0)) for need in needs], left


def _shares(group: list[Need], left: int, total: int) -> dict[str, int]:
    """``left`` shared in proportion to need, in whole officers (largest remainder)."""
    shares = {need.code: left * need.need // total for need in group}
    rest = left - sum(shares.values())
    ranked = sorted(group, key=lambda need: (-(left * need.need % total), -need.need, need.code))
    for need in ranked[:rest]:
        shares[need.code] += 1
    return shares
