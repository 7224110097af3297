"""The one arithmetic (``kerawanan.scorebook``): no lone-officer alarms, what counts less and why,
and an incremental book equal to one built from scratch."""
from __future__ import annotations

import bisect
import math
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.scorebook import REASONS, ScoreBook, window_start
from kerawanan.scoring import Observation, entry_of, level_for, outside_area, score_regions, weigh_reports
from kerawanan.tahapan import WIB
from kerawanan.tally import EMPTY, DesaTally, ParentSums, Tally
from kerawanan.weights import WINDOW_OFFSET_S, Entry, beyond_limits

CONFIG = assets.scoring_config()
NIGHT = datetime(2024, 11, 27, 21, 0, tzinfo=WIB)
DESA = "15.01.01.2001"               # Kerinci


def clash(n: int, officer: str = "jambi", **changes) -> Observation:
    fields = {"id": f"r{n:03d}", "desa_code": DESA, "category": "bentrok", "threat_stage": "GN",
              "observed_at": NIGHT - timedelta(minutes=n), "officer": officer, "source_reliability": "A",
              "info_credibility": 1}
    return Observation(**{**fields, **changes})


def levels(observations, at=NIGHT) -> dict[str, str]:
    return {code: level_for(region.score, region.tier, None, CONFIG, corroborated=region.corroborated)
            for code, region in score_regions(observations, at, CONFIG).items()}


def test_500_clashes_of_one_officer_from_another_polres_stay_rawan_at_the_desa_only():
    push = [clash(n, outside_area=True, observed_at=NIGHT - timedelta(seconds=n)) for n in range(500)]
    found = levels(push)
    assert found[DESA] == "rawan"
    assert {found[code] for code in ("15.01.01", "15.01", "15")} == {"kurang_rawan"}
    assert score_regions(push, NIGHT, CONFIG)[DESA].score == pytest.approx(
        CONFIG.per_officer * 27 * CONFIG.outside_area_factor, rel=1e-2)


def test_only_the_first_reports_of_an_officer_in_a_window_count():
    weights = weigh_reports([clash(n) for n in range(10)], NIGHT, CONFIG)
    counted = sorted(key for key, b in weights.items() if b.limit == 1.0)
    assert counted == ["r006", "r007", "r008", "r009"]                  # the oldest four
    assert weights["r000"].weight == 0 and weights["r000"].reasons == ("officer_limit",)
    assert "melebihi batas per petugas" in weights["r000"].describe()


def test_a_new_window_gives_a_new_allowance_and_a_confirmed_report_is_never_limited():
    start = window_start(NIGHT.timestamp(), CONFIG)
    assert datetime.fromtimestamp(start, WIB).strftime("%H:%M") == "00:00"
    late = [clash(n, observed_at=NIGHT - timedelta(hours=22) - timedelta(minutes=n)) for n in range(3)]
    today = [clash(10 + n) for n in range(4)]
    confirmed = clash(99, review="confirmed")
    weights = weigh_reports([*late, *today, confirmed], NIGHT, CONFIG)
    assert all(b.limit == 1.0 for b in weights.values())


def test_one_device_is_limited_across_officers():
    shared = [clash(n, officer=f"o{n}", device="phone") for n in range(6)]
    weights = weigh_reports(shared, NIGHT, CONFIG)
    assert [weights[f"r00{n}"].reasons for n in (0, 1)] == [("device_limit",)] * 2
    assert sum(b.limit for b in weights.values()) == CONFIG.per_device


def test_outside_the_officers_area_counts_less_until_confirmed():
    assert outside_area("15.01.01.2001", ["15.71.01.1001"]) and not outside_area("15.01.01.2001", ["15.01"])
    assert not outside_area("15.01.01.2001", [])
    own, away = clash(1), clash(1, outside_area=True)
    confirmed = clash(1, outside_area=True, review="confirmed")
    weight = {name: weigh_reports([obs], NIGHT, CONFIG)["r001"] for name, obs in
              (("own", own), ("away", away), ("confirmed", confirmed))}
    assert weight["away"].weight == pytest.approx(weight["own"].weight * CONFIG.outside_area_factor)
    assert weight["away"].reasons == ("outside_area",) and weight["confirmed"].weight == weight["own"].weight
    assert REASONS["outside_area"][0].startswith("di luar wilayah binaan")


def test_sangat_rawan_needs_a_second_officer_or_a_confirmation():
    three = [clash(n, officer=f"o{n}") for n in range(3)]
    alone = [clash(n) for n in range(3)]
    assert levels(three)[DESA] == "sangat_rawan"
    assert levels(alone)[DESA] == "rawan"
    assert levels([*alone[:2], clash(2, review="confirmed")])[DESA] == "sangat_rawan"
    assert level_for(1000, "provinsi", "sangat_rawan", CONFIG, corroborated=False) == "rawan"


def test_superseded_and_nihil_reports_never_count():
    fixed = clash(1, superseded=True)
    nihil = Observation("n1", DESA, "nihil", None, NIGHT, "jambi")
    assert entry_of(fixed) is None and entry_of(nihil) is None
    assert score_regions([fixed, nihil], NIGHT, CONFIG) == {}
    assert weigh_reports([fixed], NIGHT, CONFIG)["r001"].excluded == "superseded"


observations = st.lists(st.builds(
    lambda minutes, officer, device, outside, review, category: (minutes, officer, device, outside, review, category),
    st.integers(-600, 60 * 24 * 4), st.sampled_from(["a", "b", "c"]), st.sampled_from([None, "p1", "p2"]),
    st.booleans(), st.sampled_from(["pending", "pending", "confirmed", "rejected"]),
    st.sampled_from(["bentrok", "intimidasi"])), max_size=40)


@settings(max_examples=60, deadline=None)
@given(observations, st.lists(st.integers(0, 60 * 24 * 5), min_size=1, max_size=3), st.integers(0, 40))
def test_a_book_kept_incrementally_is_the_book_from_scratch(rows, minutes, split):
    built = [clash(n, observed_at=NIGHT - timedelta(minutes=m), officer=officer, device=device, outside_area=outside,
                   review=review, category=category, desa_code=DESA if n % 3 else "15.01.01.2002")
             for n, (m, officer, device, outside, review, category) in enumerate(rows)]
    entries = [entry for entry in map(entry_of, built) if entry is not None]
    book = ScoreBook(CONFIG)
    for at in minutes:                                   # evaluated between batches, at other times
        book.put(entries[:split])
        book.tallies_at((NIGHT + timedelta(minutes=at)).timestamp())
    book.put(entries[split:])
    book.drop([entry.id for entry in entries[::4]])
    fresh = ScoreBook(CONFIG)
    fresh.put([entry for n, entry in enumerate(entries) if n % 4])
    for at in minutes:
        epoch = (NIGHT + timedelta(minutes=at)).timestamp()
        mine = {code: t._replace(valid_from=0, valid_until=0) for code, t in book.tallies_at(epoch).items()
                if t.count}
        theirs = {code: t._replace(valid_from=0, valid_until=0)
                  for code, t in fresh.tallies_at(epoch).items() if t.count}
        assert mine == theirs


one_by_one = st.lists(st.tuples(
    st.integers(-60 * 24 * 3, 60 * 24),                   # observed, minutes from NIGHT
    st.sampled_from(["a", "b", "c"]), st.sampled_from(["bentrok", "intimidasi", "politik_uang"]),
    st.sampled_from(["pending", "pending", "confirmed"]),
    st.integers(-60 * 12, 60 * 24 * 2),                    # the book is brought to this minute after it
    st.booleans()),                                        # then a report put earlier is taken out
    min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(one_by_one)
def test_a_book_fed_one_report_at_a_time_weighs_each_as_from_scratch(steps):
    """A push of one report moves only its own category's corroboration (the book works out no
    other, ``DesaTally.dirty_kinds``): fed one report at a time, brought to another instant after
    each, with reports taken out between, every weight and factor is the one a fresh book gives."""
    book, kept = ScoreBook(CONFIG), {}
    for n, (minutes, officer, category, review, later, drop) in enumerate(steps):
        entry = entry_of(clash(n, officer=officer, category=category, review=review,
                               observed_at=NIGHT + timedelta(minutes=minutes)))
        book.put([entry])
        kept[entry.id] = entry
        if drop and len(kept) > 1:
            gone = sorted(kept)[n % len(kept)]
            book.drop([gone])
            del kept[gone]
        epoch = (NIGHT + timedelta(minutes=later)).timestamp()
        book.tallies_at(epoch)
        fresh = ScoreBook(CONFIG)
        fresh.put(kept.values())
        fresh.tallies_at(epoch)
        assert book.breakdowns(DESA, epoch) == fresh.breakdowns(DESA, epoch)
        assert book.tally(DESA).same_values(fresh.tally(DESA))


def _limits_one_by_one(entries, first, hi):
    """The rule of ``beyond_limits`` written plainly, report by report (the reference)."""
    size, found, seen = CONFIG.limit_window_hours * 3600.0, {}, {}
    for index, entry in enumerate(entries[:hi]):
        if entry.confirmed:
            continue
        window = math.floor((entry.epoch + WINDOW_OFFSET_S) / size)
        officer = seen.get((window, "o", entry.officer), 0)
        seen[window, "o", entry.officer] = officer + 1
        device = 0
        if entry.device is not None:
            device = seen.get((window, "d", entry.device), 0)
            seen[window, "d", entry.device] = device + 1
        if index >= first and (officer >= CONFIG.per_officer or device >= CONFIG.per_device):
            found[index] = "officer_limit" if officer >= CONFIG.per_officer else "device_limit"
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-3 * 86400, 3 * 86400), st.sampled_from(("a", "b")),
                          st.sampled_from((None, "d1", "d2")), st.booleans(),
                          st.sampled_from((0.0, 0.5, 0.9996, 0.999999))), max_size=40),
       st.integers(0, 40), st.integers(0, 40))
def test_limits_skip_only_windows_that_cannot_overflow(reports, first, hi):
    """Issue 12 (speed): windows holding no more reports than the smaller limit are skipped whole;
    the result is the plain rule's, window edges included."""
    midnight = window_start(NIGHT.timestamp(), CONFIG)
    entries = sorted(Entry(midnight + seconds + fraction, f"r{n:03d}", DESA, "bentrok", "GN", "A", 1, officer,
                           device, False, confirmed == 1 and n % 3 == 0)
                     for n, (seconds, officer, device, confirmed, fraction) in enumerate(reports))
    hi = min(hi, len(entries))
    first = min(first, hi)
    assert beyond_limits(entries, first, hi, CONFIG) == _limits_one_by_one(entries, first, hi)


@given(st.lists(st.integers(-40 * 86400, 86400), max_size=30), st.integers(0, 40),
       st.sampled_from((0.0, 0.25, 0.999999)), st.integers(-86400, 86400))
def test_a_desa_tallys_bounds_from_its_last_boundary_are_the_bisected_ones(seconds, low, fraction, moved):
    """Issue 12 (speed): ``bounds`` first tries where the expired reports ended last time (``low``,
    kept across inserts); whatever that hint, the answer is the one found by bisecting."""
    at = NIGHT.timestamp() + moved + fraction
    horizon = CONFIG.horizon_hours
    tally = DesaTally()
    tally.entries = sorted(Entry(NIGHT.timestamp() + second + fraction * (n % 2), f"r{n:03d}", DESA, "bentrok", "GN",
                                 "A", 1, "a") for n, second in enumerate(seconds))
    tally.low = min(low, len(tally.entries))
    hi = bisect.bisect_right(tally.entries, at, key=lambda entry: entry.epoch)
    lo = next((index for index in range(hi) if (at - tally.entries[index].epoch) / 3600.0 <= horizon), hi)
    assert tally.bounds(at, horizon) == (lo, hi)


WIDTH = 3
CHILDREN = ("15.01.01.2001", "15.01.01.2002", "15.01.01.2003", "15.01.01.2004")


def _plain_roll_up(children: list[Tally], needed: int) -> Tally:
    """A parent's tally written plainly from all its children, in code order (the reference)."""
    counted = [child for child in children if child.count]
    if not counted:
        return EMPTY
    mass = 0.0
    for child in counted:
        mass += child.mass
    backers = sorted(set().union(*(child.backers for child in counted)))
    columns = zip(*(child.categories for child in counted), strict=True)
    return Tally(counted[0].ref, mass, tuple(sum(column, 0.0) for column in columns),
                 sum(child.count for child in counted), frozenset().union(*(child.officers for child in counted)),
                 frozenset(backers[:needed]), sum(child.confirmed for child in counted),
                 min(child.first for child in counted), max(counted, key=lambda child: child.last).last,
                 max(counted, key=lambda child: child.last).last_stage, codes=counted[0].codes)


def _child(step: int, code: str, numbers) -> Tally:
    if numbers is None:                                  # a child whose reports no longer count
        return Tally(0.0, 0.0, (), 0, frozenset(), frozenset(), 0, None, None, None, codes=tuple("abc"))
    mass, categories, count, officers, backers, confirmed, first, last = numbers
    return Tally(0.0, mass, categories, count, frozenset(officers), frozenset(sorted(backers)[:2]), confirmed, first,
                 (last, f"{code}/{step}"), f"stage{step}", codes=tuple("abc"))


numbers = st.none() | st.tuples(
    st.sampled_from((0.0, 0.1, 0.2, 0.3, 1e-9, 7.5, 1e6)), st.tuples(*[st.sampled_from((0.0, 0.1, 0.7, 3.3))] * WIDTH),
    st.integers(1, 5), st.sets(st.sampled_from("pqrst"), min_size=1), st.sets(st.sampled_from("pqrst"), max_size=3),
    st.integers(0, 2), st.sampled_from((1.0, 2.0, 3.5)), st.sampled_from((4.0, 5.0, 6.5)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(CHILDREN), numbers), min_size=1, max_size=4), min_size=1,
                max_size=8))
def test_a_parents_sums_kept_child_by_child_are_its_childrens_plain_sums(steps):
    """Issue 12 (speed): a parent re-adds only what its changed children moved (their numbers copied
    into arrays, their officers counted); its tally is, bit for bit, the plain sums of all its children."""
    sums, tallies = ParentSums(WIDTH), {}
    for step, changes in enumerate(steps):
        for code, values in changes:
            tallies[code] = _child(step, code, values)
            sums.mark(code)
        assert sums.tally(tallies, 2) == _plain_roll_up([tallies[code] for code in sorted(tallies)], 2)
