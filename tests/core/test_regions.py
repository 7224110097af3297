"""The gazetteer: codes, hierarchy, scope rule and name search, on the shipped Jambi data."""
from collections import Counter

import pytest

from kerawanan import assets
from kerawanan.errors import NotFound
from kerawanan.regions import (
    Region,
    in_scope,
    level_of,
    load_gazetteer,
    normalize_name,
    parent_code,
    parse_regions,
    tier_of,
)

# The 17 newer Tebo villages without coordinates (data README).
WITHOUT_COORDINATES = {
    "15.09.02.2018", "15.09.04.1009", "15.09.04.1010", "15.09.04.2011", "15.09.04.2012", "15.09.04.2013",
    "15.09.04.2014", "15.09.04.2015", "15.09.04.2016", "15.09.07.2007", "15.09.07.2008", "15.09.07.2009",
    "15.09.07.2010", "15.09.07.2011", "15.09.07.2012", "15.09.08.2010", "15.09.09.2006",
}
KABUPATEN = {
    "15.01": "Kabupaten Kerinci", "15.02": "Kabupaten Merangin", "15.03": "Kabupaten Sarolangun",
    "15.04": "Kabupaten Batanghari", "15.05": "Kabupaten Muaro Jambi",
    "15.06": "Kabupaten Tanjung Jabung Barat", "15.07": "Kabupaten Tanjung Jabung Timur",
    "15.08": "Kabupaten Bungo", "15.09": "Kabupaten Tebo", "15.71": "Kota Jambi", "15.72": "Kota Sungai Penuh",
}


@pytest.fixture(scope="module")
def gaz():
    return assets.gazetteer()


def csv_of(*rows: str) -> str:
    return "code,level,name,parent_code,lat,lon\n" + "".join(row + "\n" for row in rows)


SMALL = csv_of(
    "15,provinsi,Jambi,,-1.7,102.7",
    "15.01,kabupaten,Kabupaten Kerinci,15,-2.0,101.4",
    "15.01.01,kecamatan,Gunung Raya,15.01,-2.3,101.5",
    "15.01.01.2001,desa,Koto Baru,15.01.01,-2.31,101.51",
    "15.01.01.1002,kelurahan,Lempur,15.01.01,,",
)


# --- codes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, parent, level, tier", [
    ("15", None, "provinsi", "provinsi"),
    ("15.01", "15", "kabupaten", "kabupaten"),
    ("15.69", "15", "kabupaten", "kabupaten"),
    ("15.71", "15", "kota", "kabupaten"),
    ("15.72.07", "15.72", "kecamatan", "kecamatan"),
    ("15.72.07.2004", "15.72.07", "desa", "desa"),
    ("15.71.03.1005", "15.71.03", "kelurahan", "desa"),
])
def test_code_functions(code, parent, level, tier):
    assert parent_code(code) == parent
    assert level_of(code) == level
    assert tier_of(code) == tier


@pytest.mark.parametrize("bad", ["", "1", "15.1", "15.01.1", "15.01.01.201", "15.01.01.2001.1", "15-01",
                                 " 15", None, 15])
def test_malformed_codes_have_no_tier(bad):
    with pytest.raises(ValueError):
        tier_of(bad)


@pytest.mark.parametrize("code, scopes, expected", [
    ("15.01", ["15.01"], True),                   # equal
    ("15.01.05", ["15.01"], True),                # below, after a dot
    ("15.01.05.2035", ["15.01"], True),
    ("15.01.05.2035", ["15"], True),
    ("15.10.01", ["15.1"], False),                # 15.1 must not hold 15.10.x
    ("15.10", ["15.1"], False),
    ("15.1.3", ["15.1"], True),
    ("15.72.07.2004", ["15.01", "15.72"], True),  # Polres Kerinci holds both
    ("15.71.01", ["15.01", "15.72"], False),
    ("15.01", ["15.01.05"], False),               # above the scope is outside it
    ("15", ["15.01"], False),
    ("15.01", [], False),
    ("15.01.05", "15.01", True),                  # one scope given as a plain string
    ("15.01.05", ["15.01."], False),
    ("15.01.05", [""], False),
    (None, ["15"], False),
])
def test_scope_rule(code, scopes, expected):
    assert in_scope(code, scopes) is expected


# --- the shipped gazetteer ---------------------------------------------------------------------

def test_counts_per_level_match_the_data_readme(gaz):
    levels = Counter(region.level for region in gaz)
    assert levels == {"provinsi": 1, "kabupaten": 9, "kota": 2, "kecamatan": 144, "desa": 1414, "kelurahan": 171}
    assert len(gaz) == 1741
    assert len(gaz.regions("desa")) == 1585 and len(gaz.regions("kelurahan")) == 171
    assert len(gaz.regions("kabupaten")) == 11 and len(gaz.regions("kota")) == 2
    assert {r.code for r in gaz if r.lat is None} == WITHOUT_COORDINATES
    assert {r.code: r.name for r in gaz.children("15")} == KABUPATEN


def test_every_region_level_follows_from_its_code(gaz):
    for region in gaz:
        assert region.level == level_of(region.code)
        assert region.tier == tier_of(region.code)
        assert region.parent_code == parent_code(region.code)
        assert region.depth == len(region.code.split("."))


def test_every_desa_resolves_by_code_with_its_parents(gaz):
    desa = gaz.regions("desa")
    assert len(desa) == 1585
    for region in desa:
        assert gaz.get(region.code) is region and gaz.is_desa(region.code)
        ancestors = gaz.ancestors(region.code)
        assert [a.code for a in ancestors] == [region.code[:8], region.code[:5], "15"]
        assert [a.tier for a in ancestors] == ["kecamatan", "kabupaten", "provinsi"]
        assert gaz.parent(region.code) is ancestors[0]
        assert region in gaz.children(ancestors[0].code)


def test_children_and_desa_under_add_up(gaz):
    assert len(gaz.desa_under("15")) == 1585
    assert sum(len(gaz.desa_under(code)) for code in KABUPATEN) == 1585
    kecamatan = gaz.regions("kecamatan")
    assert sum(len(gaz.children(k.code)) for k in kecamatan) == 1585
    for k in kecamatan:
        assert gaz.desa_under(k.code) == gaz.children(k.code)
    assert [r.code for r in gaz.desa_under("15.72.07.2004")] == ["15.72.07.2004"]
    assert gaz.children("15.72.07.2004") == []
    under_kerinci = gaz.desa_under("15.01")
    assert under_kerinci == sorted(under_kerinci, key=lambda r: r.code)
    assert all(in_scope(r.code, ["15.01"]) for r in under_kerinci)


def test_unknown_codes(gaz):
    with pytest.raises(NotFound) as raised:
        gaz.get("15.99.01.2001")
    assert raised.value.status == 404 and raised.value.details == {"code": "15.99.01.2001"}
    assert "tidak dikenal" in raised.value.message
    assert gaz.find("15.99") is None and gaz.find(None) is None
    assert "15.99" not in gaz and 15 not in gaz and "15.01" in gaz
    for code in ("15.01.05", "15.01", "15", "15.99.01.2001", "", None, 1501):
        assert gaz.is_desa(code) is False
    with pytest.raises(NotFound):
        gaz.desa_under("15.1")
    with pytest.raises(NotFound):
        gaz.ancestors("nope")
    assert gaz.parent("15") is None and gaz.ancestors("15") == []


def test_the_example_report_desa_exists(gaz):
    region = gaz.get("15.72.07.2004")
    assert (region.name, region.level, region.title) == ("Dujung Sakti", "desa", "Desa Dujung Sakti")
    assert gaz.get("15.01").title == "Kabupaten Kerinci"
    assert gaz.get("15").title == "Provinsi Jambi"


# --- search ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Pekan Jum'at", "pekan jumat"),
    ("PEKAN  JUM\u2019AT ", "pekan jumat"),
    ("P\u00e9kan J\u00fcm'at", "pekan jumat"),
    ("Muaro-Bungo", "muaro bungo"),
    ("Kab. Kerinci", "kab kerinci"),
    ("  ", ""),
])
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


def codes(regions):
    return [region.code for region in regions]


def test_search_sungai_penuh_puts_the_kota_first(gaz):
    found = gaz.search("sungai penuh")
    assert codes(found)[:3] == ["15.72", "15.72.01", "15.72.01.1001"]  # kota, kecamatan, kelurahan
    assert "15.72.01.1003" in codes(found)                              # Pasar Sungai Penuh (word prefix)


def test_search_finds_a_desa_by_its_full_name(gaz):
    assert codes(gaz.search("renah kayu embun"))[0] == "15.72.05.2007"
    assert codes(gaz.search("Renah Kayu"))[0] == "15.72.05.2007"


def test_search_koto_baru_ranks_exact_names_first(gaz):
    found = gaz.search("koto baru", tiers=["desa"])
    names = [region.name for region in found]
    exact = [region for region in gaz.regions("desa") if region.name == "Koto Baru"]
    assert len(exact) == 5
    assert found[:5] == sorted(exact, key=lambda r: r.code)  # equal rank and tier: shorter name, then code
    assert names[5:] == ["Koto Baru Hiang", "Koto Baru Semurup", "Koto Baru Semerap",  # prefixes, shorter first
                         "Koto Dua Baru"]                                             # both words, loosely
    assert codes(gaz.search("koto baru"))[0] == "15.72.07"  # the kecamatan of that name, before its desa


def test_search_strips_kabupaten_and_kota_prefixes(gaz):
    assert codes(gaz.search("kerinci"))[0] == "15.01"
    assert codes(gaz.search("kab kerinci"))[0] == "15.01"
    assert codes(gaz.search("Kabupaten Kerinci"))[0] == "15.01"
    assert codes(gaz.search("kota jambi"))[0] == "15.71"
    assert codes(gaz.search("tebo"))[0] == "15.09"


def test_search_reads_a_leading_kind_word_against_titles(gaz):
    assert codes(gaz.search("kecamatan koto baru"))[0] == "15.72.07"
    assert codes(gaz.search("kec. koto baru"))[0] == "15.72.07"
    desa = gaz.search("desa koto baru")
    assert [r.title for r in desa[:5]] == ["Desa Koto Baru"] * 5 and desa[5].name == "Koto Baru Hiang"
    assert codes(gaz.search("kel sungai penuh"))[0] == "15.72.01.1001"
    assert codes(gaz.search("kelurahan murni")) == ["15.71.10.1002"]
    named_desa_baru = {"15.03.03.2024", "15.03.07.2003"}                 # desa whose *name* is "Desa Baru"
    assert named_desa_baru <= set(codes(gaz.search("desa baru", limit=10)))
    assert set(codes(gaz.search("desa"))) == named_desa_baru | {"15.06.10.2002"}  # not every desa


@pytest.mark.parametrize("query", ["pekan jumat", "Pekan Jum'at", "PEKAN JUM\u2019AT", "p\u00e9kan jum",
                                   "jumat"])
def test_search_ignores_case_accents_and_apostrophes(gaz, query):
    assert "15.08.08.2009" in codes(gaz.search(query))


def test_search_ignores_spaces_and_word_order_last(gaz):
    assert codes(gaz.search("sungai dalam")) == ["15.01.09.2030"]  # spelled "Sungaidalam"
    found = gaz.search("luar jambi")                                # "Jambi Luar Kota", words swapped
    assert codes(found) == ["15.05.01"]


def test_search_by_code_prefix(gaz):
    found = gaz.search("15.72.07", limit=100)
    assert codes(found)[0] == "15.72.07"
    assert codes(found) == sorted(codes(found)) and len(found) == 1 + len(gaz.children("15.72.07"))
    assert all(code.startswith("15.72.07") for code in codes(found))
    assert codes(gaz.search("15.72.07.2004")) == ["15.72.07.2004"]
    assert codes(gaz.search("15.7", tiers=["kabupaten"])) == ["15.71", "15.72"]
    assert gaz.search("16.01") == []


def test_search_respects_tiers_and_limit(gaz):
    assert all(r.tier == "desa" for r in gaz.search("sungai", tiers=["desa"], limit=50))
    assert all(r.level == "kelurahan" for r in gaz.search("sungai", tiers=["kelurahan"]))
    assert len(gaz.search("sungai", limit=7)) == 7
    assert gaz.search("sungai", limit=0) == []
    assert gaz.search("   ") == [] and gaz.search("'") == [] and gaz.search(None) == []
    assert gaz.search("zzqx") == []
    with pytest.raises(ValueError):
        gaz.search("sungai", tiers=["village"])


def test_short_queries_match_only_name_and_word_starts(gaz):
    found = gaz.search("ko", limit=500)
    assert found
    assert all(any(word.startswith("ko") for word in normalize_name(r.name).split()) for r in found)


def rank_of(region, query):
    """An independent statement of the ranking: exact, name prefix, word prefix, substring, loose."""
    names = [normalize_name(region.name)]
    names += [names[0].split(" ", 1)[1] for prefix in ("kabupaten ", "kota ") if names[0].startswith(prefix)]
    title = normalize_name(region.title)
    names += [title] if query.startswith(title.split()[0] + " ") else []
    for rank, test in enumerate([str.__eq__, str.startswith, lambda n, q: " " + q in n, str.__contains__]):
        if any(test(name, query) for name in names):
            return rank
    return 4


@pytest.mark.parametrize("query", ["koto", "sungai", "baru", "muara", "tanjung", "air hitam", "rantau"])
def test_search_results_are_ordered_by_rank_then_tier(gaz, query):
    found = gaz.search(query, limit=1000)
    keys = [(rank_of(r, query), ["provinsi", "kabupaten", "kecamatan", "desa"].index(r.tier)) for r in found]
    assert keys == sorted(keys)
    expected = {r.code for r in gaz if query in normalize_name(r.name)}
    assert expected <= set(codes(found))


def test_every_region_is_found_by_its_own_name_among_exact_matches(gaz):
    for region in gaz:
        found = gaz.search(region.name, tiers=[region.tier], limit=20)
        assert region in found
        assert all(rank_of(other, normalize_name(region.name)) == 0 for other in found[:found.index(region)])


# --- loading -----------------------------------------------------------------------------------

def test_load_without_geometry_still_works():
    gaz = load_gazetteer(SMALL)
    assert len(gaz) == 5 and gaz.is_desa("15.01.01.1002")
    assert gaz.get("15.01.01.1002") == Region("15.01.01.1002", "kelurahan", "Lempur", "15.01.01", None, None)
    assert gaz.locate_desa(-2.31, 101.51).desa_code == "15.01.01.2001"   # nearest point, no polygons


@pytest.mark.parametrize("text", [
    csv_of("15,provinsi,Jambi,,,", "15.01,kota,Kabupaten Kerinci,15,,"),        # level contradicts code
    csv_of("15,provinsi,Jambi,,,", "15.01,kabupaten,Kerinci,15.02,,"),         # parent contradicts code
    csv_of("15.01,kabupaten,Kerinci,15,,"),                                     # parent missing
    csv_of("15,provinsi,Jambi,,,", "15,provinsi,Jambi,,,"),                     # repeated
    csv_of("15,provinsi,Jambi,,-1.7,"),                                         # half a point
    csv_of("15,provinsi,,,,"),                                                  # no name
    csv_of("15.x,provinsi,Jambi,,,"),                                           # not a code
    "code,name\n15,Jambi\n",                                                    # columns missing
])
def test_bad_gazetteer_csv_is_refused(text):
    with pytest.raises(ValueError):
        parse_regions(text)
