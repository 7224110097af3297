"""The binding codes of the domain and their words for people.

The codes (categories, PG/AG/GN, Admiralty grades, alert levels) are part of the wire contract
and live here as constants. Their labels and hints, in Bahasa Indonesia and English, live in
``assets/vocabulary.toml`` so wording can change without code; ``load_vocabulary`` checks that
the file names exactly the codes below.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass

CATEGORY_CODES: tuple[str, ...] = (
    "politik_uang",
    "netralitas",
    "hoaks_sara",
    "intimidasi",
    "ancaman_penyelenggara",
    "bentrok",
    "pengerahan_massa",
    "pelanggaran_kampanye",
    "logistik",
    "gangguan_tps",
    "data_pemilih",
    "konflik_laten",
    "senjata_premanisme",
    "bencana",
    "inisiatif_damai",
    "informasi_umum",
    "nihil",
)
# Laporan nihil: "situasi aman terkendali" in the officer's desa today. It has no threat stage (absent
# or null on the wire), may have empty facts, weighs nothing in the score and counts as the desa being
# heard from (DESIGN, report wire format).
NIHIL = "nihil"
STAGELESS_CATEGORIES: tuple[str, ...] = (NIHIL,)   # a tuple: `in` must not hash what a client sent
THREAT_STAGES: tuple[str, ...] = ("PG", "AG", "GN")
RELIABILITY: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
CREDIBILITY: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
LEVELS: tuple[str, ...] = ("kurang_rawan", "rawan", "sangat_rawan")  # ordered low -> high

# TOML table name -> the codes it must hold, in order.
KINDS: dict[str, tuple] = {
    "category": CATEGORY_CODES,
    "threat_stage": THREAT_STAGES,
    "reliability": RELIABILITY,
    "credibility": CREDIBILITY,
    "level": LEVELS,
}
TEXT_KEYS = ("label_id", "label_en", "hint_id", "hint_en")


@dataclass(frozen=True, slots=True)
class Term:
    """One code with its label and one-line hint in both languages."""

    code: str | int
    label_id: str
    label_en: str
    hint_id: str
    hint_en: str

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id

    def hint(self, lang: str = "id") -> str:
        return self.hint_en if lang == "en" else self.hint_id


class Vocabulary:
    """Terms by kind and code. Lookups of unknown codes raise ``KeyError``."""

    def __init__(self, terms: dict[str, dict[str | int, Term]]):
        self._terms = terms

    def terms(self, kind: str) -> tuple[Term, ...]:
        """All terms of one kind (``"category"``, ``"threat_stage"``, …) in their binding order."""
        return tuple(self._terms[kind].values())

    def category(self, code: str) -> Term:
        return self._terms["category"][code]

    def threat_stage(self, code: str) -> Term:
        return self._terms["threat_stage"][code]

    def reliability(self, letter: str) -> Term:
        return self._terms["reliability"][letter]

    def credibility(self, number: int) -> Term:
        return self._terms["credibility"][number]

    def level(self, code: str) -> Term:
        return self._terms["level"][code]


def load_vocabulary(toml_text: str) -> Vocabulary:
    """Parse ``vocabulary.toml``; ``ValueError`` unless its codes are exactly the binding ones."""
    try:
        document = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"vocabulary: not valid TOML: {exc}") from exc
    extra = set(document) - set(KINDS) - {"quick_order"}      # quick_order: the app's grid order per tahapan
    if extra:
        raise ValueError(f"vocabulary: unknown tables {sorted(extra)}")
    return Vocabulary({kind: _read_kind(kind, codes, document.get(kind))
                       for kind, codes in KINDS.items()})


def _read_kind(kind: str, codes: tuple, table: object) -> dict[str | int, Term]:
    if not isinstance(table, dict):
        raise ValueError(f"vocabulary: table [{kind}] is missing")
    by_text = {str(code): code for code in codes}
    missing = sorted(set(by_text) - set(table))
    extra = sorted(set(table) - set(by_text))
    if missing or extra:
        raise ValueError(f"vocabulary: [{kind}] codes differ from the binding ones: "
                         f"missing {missing}, unknown {extra}")
    return {code: _read_term(kind, code, table[text]) for text, code in by_text.items()}


def _read_term(kind: str, code: str | int, entry: object) -> Term:
    where = f"vocabulary: [{kind}.{code}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table")
    if set(entry) != set(TEXT_KEYS):
        raise ValueError(f"{where} must have exactly the keys {', '.join(TEXT_KEYS)}")
    for key in TEXT_KEYS:
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ValueError(f"{where}.{key} must be non-empty text")
    return Term(code, *(entry[key].strip() for key in TEXT_KEYS))
