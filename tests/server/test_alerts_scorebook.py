"""The engine's ReportFeed over the core's ScoreBook: incremental equals from scratch (bit for bit),
and the server weighs stored rows exactly as the core's batch functions weigh observations."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.scoring import Observation, parse_grade, score_regions, weigh_reports
from sync_server.alerts.scorebook import ReportFeed
from sync_server.storage.base import ScoringRow

CONFIG = assets.scoring_config()
T0 = datetime(2024, 11, 27, 14, 40, tzinfo=UTC)
DESA = ("15.72.07.2001", "15.72.07.2004", "15.72.02.2004", "15.71.01.1004")
SCOPES = {"a": ("15.72.07.2001",), "b": ("15.72.07.2004", "15.72.02.2004"), "c": ("15.71.01.1004",)}
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
    device_id=st.sampled_from((None, "d1", "d2")),
    stage=st.just("kampanye"),
    superseded_by=st.sampled_from((None, None, None, "later")),
)
times = st.lists(st.integers(-5 * 24, 40 * 24).map(lambda h: T0.timestamp() + 3600 * h), min_size=1, max_size=4)


def observation(row: ScoringRow) -> Observation:
    reliability, credibility = (parse_grade(row.grade) if row.grade else
                                (row.source_reliability, row.info_credibility))
    return Observation(row.id, row.desa_code, row.category, row.threat_stage,
                       datetime.fromtimestamp(row.observed_epoch, UTC), row.officer, reliability, credibility,
                       row.review, row.device_id, row.desa_code not in SCOPES[row.officer],
                       row.superseded_by is not None, row.stage)


def fresh(all_rows: list[ScoringRow]) -> ReportFeed:
    """A fresh engine's book: the storage's full read (each report once), taken in as a stream."""
    feed = ReportFeed(CONFIG, SCOPES)
    feed.load(iter(all_rows), 0)
    return feed


def latest(all_rows: list[ScoringRow]) -> list[ScoringRow]:
    """The current state of each report (a later row with the same id is a review)."""
    return list({row.id: row for row in all_rows}.values())


def values(feed: ReportFeed, at: float) -> dict:
    return {code: (t.ref, t.mass, t.categories, t.count, t.officers, t.backers, t.confirmed, t.first, t.last,
                   t.score_at(at, H)) for code, t in feed.book.tallies_at(at).items() if t.count}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(st.lists(rows, max_size=25), min_size=1, max_size=5), moments=times,
       reviews=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(("rejected", "confirmed", "duplicate",
                                                                           "superseded"))), max_size=5))
def test_incremental_equals_from_scratch_bit_for_bit(batches, moments, reviews):
    feed = ReportFeed(CONFIG, SCOPES)
    seen: list[ScoringRow] = []
    for index, batch in enumerate(batches):
        batch = [row._replace(id=f"r{len(seen) + n}") for n, row in enumerate(batch)]   # ids never repeat
        seen += batch
        feed.apply(batch, index)
        feed.book.tallies_at(moments[index % len(moments)])
    if seen:
        changed = [seen[n % len(seen)]._replace(review=review) if review != "superseded" else
                   seen[n % len(seen)]._replace(superseded_by="x") for n, review in reviews]
        seen += changed
        feed.apply(changed, 99)
    for at in moments:
        assert values(feed, at) == values(fresh(latest(seen)), at)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(rows, max_size=40), moments=times)
def test_an_empty_book_applied_rows_with_repeated_ids_keeps_each_reports_last_row(batch, moments):
    batch = [row._replace(id=f"r{n % 7}") for n, row in enumerate(batch)]      # ids repeat: reviews
    feed = ReportFeed(CONFIG, SCOPES)
    feed.apply(batch, 3)
    assert feed.seq == 3
    for at in moments:
        assert values(feed, at) == values(fresh(latest(batch)), at)


def test_load_takes_a_full_read_into_an_empty_book_only():
    row = ScoringRow("r1", DESA[0], "bentrok", "GN", T0.timestamp(), "a", "A", 1, "pending", None, None,
                     "kampanye", None)
    with pytest.raises(ValueError, match="more than once"):
        ReportFeed(CONFIG, SCOPES).load(iter([row, row._replace(review="confirmed")]), 1)
    feed = fresh([row])
    assert feed.book.entry("r1") is not None
    with pytest.raises(ValueError, match="empty book"):
        feed.load(iter([row._replace(id="r2")]), 2)
    assert feed.book.entry("r2") is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(rows, max_size=60, unique_by=lambda row: row.id), moments=times)
def test_the_server_weighs_rows_as_the_core_weighs_observations(batch, moments):
    feed = fresh(batch)
    for at in moments:
        moment = datetime.fromtimestamp(at, UTC)
        core = score_regions([observation(row) for row in batch], moment, CONFIG)
        tallies = feed.book.tallies_at(at)
        assert {code for code, tally in tallies.items() if tally.count} == set(core)
        for code, region in core.items():
            tally = tallies[code]
            assert tally.score_at(at, H) == region.score          # the same book: the same bits
            assert (tally.count, len(tally.officers)) == (region.report_count, region.officer_count)
            assert tally.corroborated(CONFIG.corroboration_min_officers) == region.corroborated


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(rows, max_size=40, unique_by=lambda row: row.id), moments=times)
def test_the_lines_of_an_explanation_add_up_to_the_score(batch, moments):
    feed = fresh(batch)
    for at in moments:
        tallies = feed.book.tallies_at(at)
        core = weigh_reports([observation(row) for row in batch], datetime.fromtimestamp(at, UTC), CONFIG)
        for desa in DESA:
            lines = feed.book.breakdowns(desa, at)
            assert {entry.id: weight for entry, weight in feed.book.weights(desa, at)} == {
                entry.id: b.weight for entry, b in lines if b.excluded is None}
            assert {entry.id: b for entry, b in lines} == {
                entry.id: core[entry.id] for entry, _ in lines}
            if desa in tallies and tallies[desa].count:
                total = sum(b.weight for _, b in lines if b.excluded is None)
                assert total == pytest.approx(tallies[desa].score_at(at, H), rel=1e-12, abs=1e-12)


def test_a_rejected_report_leaves_the_book_and_a_confirmation_brings_it_back():
    start = T0.timestamp()
    row = ScoringRow("x", DESA[0], "bentrok", "GN", start, "a", "A", 1, "pending", None)
    feed = fresh([row])
    assert feed.book.tallies_at(start)[DESA[0]].count == 1
    assert feed.apply([row._replace(review="rejected")], 5) == {DESA[0]}
    assert feed.book.tallies_at(start)[DESA[0]].count == 0 and feed.book.tallies_at(start)["15"].count == 0
    feed.apply([row._replace(review="confirmed", grade="E5")], 6)
    assert feed.book.tallies_at(start)[DESA[0]].score_at(start, H) == pytest.approx(3 * 9 * 0.4 * 0.4)
    assert feed.seq == 6 and len(feed.book) == 1


def test_a_superseded_report_stops_counting_and_nihil_never_counts():
    start = T0.timestamp()
    first = ScoringRow("x", DESA[0], "bentrok", "GN", start, "a", "A", 1, "pending", None)
    fix = ScoringRow("y", DESA[0], "intimidasi", "AG", start + 60, "a", "A", 1, "pending", None)
    nihil = ScoringRow("n", DESA[0], "nihil", "", start, "a", None, None, "pending", None)
    feed = fresh([first, nihil])
    assert feed.book.tallies_at(start + 60)[DESA[0]].count == 1
    feed.apply([fix, first._replace(superseded_by="y")], 7)
    tally = feed.book.tallies_at(start + 60)[DESA[0]]
    assert tally.count == 1 and list(tally.by_category()) == ["intimidasi"]
    assert tally.score_at(start + 60, H) == pytest.approx(2.0 * 3)


def test_follow_learns_the_areas_only_when_a_delta_names_a_new_officer():
    from sync_server.storage.base import ScoringDelta
    asked: list[int] = []

    def areas():
        asked.append(1)
        return {**SCOPES, "d": (DESA[0],)}

    feed = fresh([])
    known = ScoringRow("k", DESA[0], "bentrok", "GN", T0.timestamp(), "a", "A", 1, "pending", None)
    assert feed.follow(ScoringDelta(rows=[known], seq=4), areas) == {DESA[0]} and asked == []
    stranger = known._replace(id="s", officer="d", desa_code=DESA[2])
    assert feed.follow(ScoringDelta(rows=[stranger], seq=5), areas) == {DESA[2]} and asked == [1]
    assert feed.seq == 5
    assert feed.book.entry("s").outside is True               # learnt: d's area is another desa
