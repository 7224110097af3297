"""The binding codes of DESIGN.md and their words in assets/vocabulary.toml."""
from __future__ import annotations

import re

import pytest

from kerawanan import assets
from kerawanan.vocab import (
    CATEGORY_CODES,
    CREDIBILITY,
    KINDS,
    LEVELS,
    RELIABILITY,
    THREAT_STAGES,
    load_vocabulary,
)

# Copied from DESIGN.md, "Domain (binding codes)": a change there must be a change here.
DESIGN_CATEGORIES = (
    "politik_uang", "netralitas", "hoaks_sara", "intimidasi", "ancaman_penyelenggara", "bentrok",
    "pengerahan_massa", "pelanggaran_kampanye", "logistik", "gangguan_tps", "data_pemilih",
    "konflik_laten", "senjata_premanisme", "bencana", "inisiatif_damai", "informasi_umum", "nihil",
)
DESIGN_CATEGORY_LABELS = {
    "politik_uang": "Politik uang",
    "netralitas": "Netralitas ASN / aparat / kepala desa / penyelenggara",
    "hoaks_sara": "Hoaks, ujaran kebencian, politisasi SARA",
    "intimidasi": "Intimidasi / ancaman terhadap pemilih atau pendukung",
    "ancaman_penyelenggara": "Ancaman atau serangan terhadap penyelenggara dan kantornya",
    "bentrok": "Bentrok antar pendukung",
    "pengerahan_massa": "Pengerahan massa, unjuk rasa, blokade",
    "pelanggaran_kampanye": "Pelanggaran kampanye, perusakan APK",
    "logistik": "Gangguan logistik pemilihan",
    "gangguan_tps": "Gangguan di TPS dan rekapitulasi",
    "data_pemilih": "Masalah data pemilih",
    "konflik_laten": "Konflik laten (lahan, adat, antar-desa)",
    "senjata_premanisme": "Senjata tajam, premanisme",
    "bencana": "Bencana atau cuaca mengganggu tahapan",
    "inisiatif_damai": "Inisiatif damai",
    "informasi_umum": "Informasi umum",
    "nihil": "Laporan nihil: situasi aman terkendali",
}


@pytest.fixture(scope="module")
def toml_text() -> str:
    return assets.read_text("vocabulary.toml")


@pytest.fixture(scope="module")
def vocabulary(toml_text):
    return load_vocabulary(toml_text)


def test_codes_are_exactly_those_of_the_design():
    assert CATEGORY_CODES == DESIGN_CATEGORIES
    assert THREAT_STAGES == ("PG", "AG", "GN")
    assert RELIABILITY == ("A", "B", "C", "D", "E", "F")
    assert CREDIBILITY == (1, 2, 3, 4, 5, 6)
    assert LEVELS == ("kurang_rawan", "rawan", "sangat_rawan")


def test_category_labels_are_the_design_labels(vocabulary):
    assert {term.code: term.label_id for term in vocabulary.terms("category")} == DESIGN_CATEGORY_LABELS


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_term_has_four_short_one_line_texts(vocabulary, kind):
    terms = vocabulary.terms(kind)
    assert tuple(term.code for term in terms) == KINDS[kind]
    for term in terms:
        for text in (term.label_id, term.label_en, term.hint_id, term.hint_en):
            assert text.strip() and "\n" not in text and len(text) <= 120, (kind, term.code, text)
        assert term.label_id != term.label_en and term.hint_id != term.hint_en


def test_the_words_an_officer_reads(vocabulary):
    assert "serangan fajar" in vocabulary.category("politik_uang").hint_id
    assert vocabulary.threat_stage("PG").label_id == "Potensi Gangguan"
    assert vocabulary.threat_stage("AG").label_id == "Ambang Gangguan"
    assert vocabulary.threat_stage("GN").label_id == "Gangguan Nyata"
    assert vocabulary.reliability("A").label_id == "Sumber selalu dapat dipercaya"
    assert vocabulary.reliability("F").label_id == "Tidak dapat dinilai"
    assert vocabulary.credibility(1).label_id == "Dikonfirmasi sumber lain"
    assert vocabulary.credibility(6).label_id == "Tidak dapat dinilai"
    assert [vocabulary.level(code).label_id for code in LEVELS] == ["Kurang Rawan", "Rawan", "Sangat Rawan"]


def test_terms_speak_either_language(vocabulary):
    term = vocabulary.category("bentrok")
    assert term.label() == "Bentrok antar pendukung" and term.label("en") == "Clashes between supporters"
    assert term.hint("en") == term.hint_en and term.hint("id") == term.hint_id


def test_unknown_codes_raise_key_error(vocabulary):
    with pytest.raises(KeyError):
        vocabulary.category("siaga")
    with pytest.raises(KeyError):
        vocabulary.credibility(7)


def test_the_shipped_loader_gives_the_same_vocabulary(vocabulary):
    assert assets.vocabulary().category("logistik") == vocabulary.category("logistik")


def drop_section(text: str, header: str) -> str:
    """The TOML text without one ``[header]`` table."""
    pattern = re.compile(rf"^\[{re.escape(header)}\]\n(?:(?!\[).*\n)*", re.MULTILINE)
    trimmed, count = pattern.subn("", text)
    assert count == 1
    return trimmed


def test_loader_rejects_a_missing_category(toml_text):
    with pytest.raises(ValueError, match="bencana"):
        load_vocabulary(drop_section(toml_text, "category.bencana"))


def test_loader_rejects_a_missing_credibility(toml_text):
    with pytest.raises(ValueError, match="credibility"):
        load_vocabulary(drop_section(toml_text, "credibility.6"))


@pytest.mark.parametrize(("extra", "match"), [
    ('[category.siaga]\nlabel_id = "Siaga"\nlabel_en = "Alert"\nhint_id = "x"\nhint_en = "x"\n', "siaga"),
    ('[threat_stage.XX]\nlabel_id = "a"\nlabel_en = "a"\nhint_id = "x"\nhint_en = "x"\n', "XX"),
    ('[weights]\nbentrok = 3\n', "weights"),
])
def test_loader_rejects_extra_codes_and_tables(toml_text, extra, match):
    with pytest.raises(ValueError, match=match):
        load_vocabulary(toml_text + "\n" + extra)


def test_loader_rejects_empty_text(toml_text):
    emptied = toml_text.replace('label_en = "Vote buying"', 'label_en = "  "')
    assert emptied != toml_text
    with pytest.raises(ValueError, match="politik_uang.*label_en"):
        load_vocabulary(emptied)


def test_loader_rejects_a_missing_or_unknown_text_key(toml_text):
    renamed = toml_text.replace('hint_en = "Money, food parcels', 'hint_eng = "Money, food parcels')
    assert renamed != toml_text
    with pytest.raises(ValueError, match="politik_uang"):
        load_vocabulary(renamed)


def test_loader_rejects_broken_toml():
    with pytest.raises(ValueError, match="TOML"):
        load_vocabulary("[category.politik_uang\n")
