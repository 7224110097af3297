"""Renderers never raise on stored data (issue 11): a value they cannot render goes out as its
stored text. Unit tests of the renderers the routes use; the routes themselves are tested through
a real server in ``test_poison_reads.py`` and ``test_poison_property.py``."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from sync_server.exports import render_reports_csv, wording
from sync_server.render import change_json_text, report_json_text, stored_time_z

UNCONVERTIBLE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T06:00:00+07:00"]
REVIEW = ("pending", None, None, None, None, None)
T0 = "2024-11-27T14:40:00.000000Z"


@pytest.mark.parametrize("text", UNCONVERTIBLE)
def test_a_stored_wire_time_that_cannot_be_converted_is_sent_as_stored(text):
    wire = json.dumps({"id": "r1", "observed_at": "2024-11-27T21:40:00+07:00", "recorded_at": text},
                      sort_keys=True, separators=(",", ":"))
    body = json.loads(report_json_text(wire, "88030417", None, T0, 7, REVIEW))
    assert body["recorded_at"] == text and body["observed_at"] == "2024-11-27T14:40:00Z"
    assert stored_time_z(text) == text


def test_stored_change_json_that_is_not_strict_json_is_sent_as_text():
    page = json.loads(change_json_text(3, "alert", '{"score":NaN}', T0, None))
    assert page["data"] == '{"score":NaN}' and page["created_at"] == "2024-11-27T14:40:00Z"


@pytest.mark.parametrize("text", [*UNCONVERTIBLE, "9999-12-31T20:00:00Z"])
def test_export_wording_has_no_wib_time_for_what_cannot_be_converted(text):
    assert wording.wib_text(text) == "" and wording.short_moment(text) == ""
    assert wording.as_wib(datetime(2024, 11, 27, 14, 40, tzinfo=UTC)).hour == 21


def test_the_csv_keeps_an_unconvertible_time_as_its_text_and_every_row():
    rows = [{"id": "r1", "observed_at": UNCONVERTIBLE[1], "received_at": T0},
            {"id": "r2", "observed_at": "2024-11-27T14:40:00Z", "received_at": T0}]
    table = list(csv.DictReader(io.StringIO("".join(render_reports_csv(rows)).removeprefix("\ufeff"))))
    assert [(row["id"], row["observed_at_wib"]) for row in table] == [
        ("r1", UNCONVERTIBLE[1]), ("r2", "2024-11-27 21:40:00")]
