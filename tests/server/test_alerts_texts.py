"""The alert storage writes a region's top categories with its own JSON writer (``_pairs_json``: a
pass writes a few hundred) and remembers time texts between passes (``_Texts``). Both must write the
very text ``json.dumps`` and ``to_db`` write: readers, exports and the other backend parse it."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from sync_server.storage import alerts
from sync_server.storage.connection import to_db

weights = st.one_of(st.floats(), st.floats(min_value=0, max_value=1e6), st.integers(-5, 5))
pairs = st.lists(st.tuples(st.text(), weights), max_size=4).map(tuple)


@given(pairs)
def test_top_categories_json_is_json_dumps(top):
    assert alerts._pairs_json(top) == json.dumps(top)


def test_top_categories_json_of_stored_and_computed_numbers():
    top = (("bentrok", 31.123456789012345), ("hoaks_sara", 1e-07), ("logistik", 2.0), ("x\"é", 0.5))
    assert alerts._pairs_json(top) == json.dumps(top)
    assert alerts._pairs_json(tuple(map(tuple, json.loads(json.dumps(top))))) == json.dumps(top)
    assert alerts._pairs_json(()) == "[]"


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])))
def test_remembered_time_texts_are_to_db(moment):
    texts = alerts._Texts()
    assert texts[moment] == texts[moment] == to_db(moment)
    assert texts[None] is None


def test_remembered_time_texts_are_forgotten_now_and_then(monkeypatch):
    monkeypatch.setattr(alerts, "TEXTS_KEPT", 3)
    texts = alerts._Texts()
    start = datetime(2024, 11, 27, tzinfo=UTC)
    for minutes in range(10):
        moment = start + timedelta(minutes=minutes)
        assert texts[moment] == to_db(moment)
        assert len(texts) <= 3
