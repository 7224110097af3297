"""The in-memory ScoreBook: incremental equals from scratch (bit for bit), and it is the core's
arithmetic (``kerawanan.scoring``)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.scoring import Observation, parse_grade, score_regions, weigh_reports
from sync_server.alerts.scorebook import ScoreBook, ancestors, combine, tally_desa
from sync_server.storage.base import ScoringRow, ScoringSnapshot

CONFIG = assets.scoring_config()
T0 = datetime(2024, 11, 27, 14, 40, tzinfo=UTC)
DESA = ("15.72.07.2001", "15.72.07.2004", "15.72.02.2004", "15.71.01.1004")
H = CONFIG.half_life_hours

rows = st.builds(
    ScoringRow,
    id=st.uuids().map(str),
    desa_code=st.sampled_from(DESA),
    category=st.sampled_from(("bentrok", "gangguan_tps", "politik_uang", "inisiatif_damai")),
    threat_stage=st.sampled_from(("PG", "AG", "GN")),
    observed_epoch=st.integers(-40 * 24 * 60, 3 * 24 * 60).map(lambda m: T0.timestamp() + 60 * m),
    officer=st.sampled_from(("a", "b", "c")),
    source_reliability=st.sampled_from((None, "A", "B", "F")),
    info_credibility=st.sampled_from((None, 1, 2, 6)),
    review=st.sampled_from(("pending", "pending", "confirmed", "rejected", "duplicate")),
    grade=st.sampled_from((None, None, "C3")),
    seq=st.just(0),                  # stored before the book's change number: a review may follow
)
times = st.lists(st.integers(-5 * 24, 40 * 24).map(lambda h: T0.timestamp() + 3600 * h), min_size=1, max_size=4)


def observation(row: ScoringRow) -> Observation:
    reliability, credibility = (parse_grade(row.grade) if row.grade else
                                (row.source_reliability, row.info_credibility))
    return Observation(row.id, row.desa_code, row.category, row.threat_stage,
                       datetime.fromtimestamp(row.observed_epoch, UTC), row.officer, reliability, credibility,
                       row.review)


def fresh(all_rows: list[ScoringRow]) -> ScoreBook:
    book = ScoreBook(CONFIG)
    book.load(all_rows, 0)
    return book


def latest(all_rows: list[ScoringRow]) -> list[ScoringRow]:
    """The current state of each report (a later row with the same id is a review)."""
    return list({row.id: row for row in all_rows}.values())


def values(book: ScoreBook, at: float) -> dict:
    return {code: (t.ref, t.mass, t.categories, t.count, t.officers, t.first, t.last, t.score_at(at, H))
            for code, t in book.tallies_at(at).items() if t.count}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(st.lists(rows, max_size=25), min_size=1, max_size=5), moments=times,
       reviews=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(("rejected", "confirmed", "duplicate"))),
                        max_size=5))
def test_incremental_equals_from_scratch_bit_for_bit(batches, moments, reviews):
    book = ScoreBook(CONFIG)
    seen: list[ScoringRow] = []
    for index, batch in enumerate(batches):
        batch = [row._replace(id=f"r{len(seen) + n}") for n, row in enumerate(batch)]   # ids never repeat
        seen += batch
        book.apply(batch, index)
        book.tallies_at(moments[index % len(moments)])
    if seen:
        changed = [seen[n % len(seen)]._replace(review=review) for n, review in reviews]
        seen += changed
        book.apply(changed, 99)
    for at in moments:
        assert values(book, at) == values(fresh(latest(seen)), at)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(rows, max_size=60, unique_by=lambda row: row.id), moments=times)
def test_the_book_is_the_cores_arithmetic(batch, moments):
    book = fresh(batch)
    for at in moments:
        moment = datetime.fromtimestamp(at, UTC)
        core = score_regions([observation(row) for row in batch], moment, CONFIG)
        tallies = book.tallies_at(at)
        for code, region in core.items():
            tally = tallies[code]
            assert tally.score_at(at, H) == pytest.approx(region.score, rel=1e-12, abs=1e-12)
            assert (tally.count, len(tally.officers)) == (region.report_count, region.officer_count)
            assert datetime.fromtimestamp(tally.first, UTC) == region.first_observed_at
            assert [code for code, _ in tally.top_at(at, H)] == list(region.top_categories)
        assert {code for code, tally in tallies.items() if tally.count} == set(core)


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(rows, max_size=40, unique_by=lambda row: row.id), moments=times)
def test_weights_of_the_explanation_are_exactly_the_cores(batch, moments):
    book = fresh(batch)
    for at in moments:
        for desa in DESA:
            mine = dict(book.weights_at(desa, at))
            core = weigh_reports([observation(row) for row in batch if row.desa_code == desa],
                                 datetime.fromtimestamp(at, UTC), CONFIG)
            assert mine == {key: b.weight for key, b in core.items() if b.excluded is None}


def test_a_tally_is_valid_exactly_while_its_set_of_reports_holds():
    start = T0.timestamp()
    batch = [ScoringRow(f"r{i}", DESA[0], "bentrok", "GN", start + 3600 * i, "a", "B", 2, "pending", None)
             for i in range(3)]
    book = fresh(batch)
    records = book._records[DESA[0]]
    tally = tally_desa(records, start + 1800, CONFIG)        # only r0 counts
    assert tally.count == 1
    assert tally.valid_from == start and tally.valid_until == start + 3600
    horizon = 30 * 86400
    expired = tally_desa(records, start + horizon + 1800, CONFIG)   # r0 past the 30-day horizon
    assert expired.count == 2
    assert start + horizon < expired.valid_from < start + horizon + 1
    assert start + horizon + 3599 < expired.valid_until < start + horizon + 3600


def test_decay_factors_out_of_the_sum():
    start = T0.timestamp()
    batch = [ScoringRow("x", DESA[0], "bentrok", "GN", start, "a", "A", 1, "pending", None)]
    tally = fresh(batch).tallies_at(start)[DESA[0]]
    assert tally.score_at(start, H) == 27.0
    assert tally.score_at(start + 72 * 3600, H) == pytest.approx(13.5)
    assert tally.score_at(start + 144 * 3600, H) == pytest.approx(6.75)


def test_parents_sum_their_children_and_ancestors_are_listed():
    start = T0.timestamp()
    batch = [ScoringRow(f"r{i}", desa, "bentrok", "GN", start - 3600 * i, "a", "A", 1, "pending", None)
             for i, desa in enumerate(DESA)]
    tallies = fresh(batch).tallies_at(start)
    kecamatan = tallies["15.72.07"]
    assert kecamatan.score_at(start, H) == pytest.approx(
        tallies[DESA[0]].score_at(start, H) + tallies[DESA[1]].score_at(start, H))
    assert tallies["15"].count == 4 and tallies["15.72"].count == 3
    assert ancestors("15.72.07.2001") == ["15.72.07", "15.72", "15"]
    assert combine([], H).count == 0


def test_a_rejected_report_leaves_the_book_and_a_confirmation_brings_it_back():
    start = T0.timestamp()
    row = ScoringRow("x", DESA[0], "bentrok", "GN", start, "a", "A", 1, "pending", None)
    book = fresh([row])
    assert book.tallies_at(start)[DESA[0]].count == 1
    assert book.apply([row._replace(review="rejected")], 5) == {DESA[0]}
    assert book.tallies_at(start)[DESA[0]].count == 0 and book.tallies_at(start)["15"].count == 0
    book.apply([row._replace(review="confirmed", grade="E5")], 6)
    assert book.tallies_at(start)[DESA[0]].score_at(start, H) == pytest.approx(3 * 9 * 0.4 * 0.4)
    assert book.seq == 6 and len(book) == 1




@settings(max_examples=30, deadline=None)
@given(batch=st.lists(rows, max_size=40, unique_by=lambda row: row.id), moments=times)
def test_a_book_read_back_from_its_cache_is_the_same_book(batch, moments):
    book = fresh(batch)
    snapshot = ScoringSnapshot(desa={desa: book.export(desa) for desa in DESA}, seq=3)
    again = ScoreBook(CONFIG)
    again.load_snapshot(snapshot)
    assert again.seq == 3 and len(again) == len(book)
    for at in moments:
        assert values(again, at) == values(book, at)
