"""Small builders shared by the contract files."""
from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, settings

from kerawanan import assets
from kerawanan.report import parse_report
from sync_server.storage.base import User
from tests.server.helpers import DESA_A, report

NOW = datetime(2024, 11, 28, 1, 0, tzinfo=UTC)
OFFICER = User(username="88030417", name="Bhabin", role="officer", scope=(DESA_A,))
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parsed(**overrides):
    return parse_report(report(**overrides), now=NOW, gazetteer=assets.gazetteer(), calendar=assets.calendar())
