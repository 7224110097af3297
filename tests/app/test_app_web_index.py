"""Web mode's page script settings (``field_app.web_index``): how often the page asks whether the app
server still answers. The browser side is tests/ui/test_e2e_app_server_lost.py."""
from __future__ import annotations

import pytest

from field_app.web_index import PROBE_MARK, SCRIPT, probe_seconds, script_tag, with_banner


def test_the_probe_interval_defaults_to_ten_seconds_and_reaches_the_page(monkeypatch):
    monkeypatch.delenv("PETA_LINK_PROBE_SECONDS", raising=False)
    assert probe_seconds() == 10.0
    tag = script_tag()
    assert PROBE_MARK in SCRIPT.read_bytes()                      # the script has the mark ...
    assert PROBE_MARK not in tag and b"const PROBE_MS = 10000;" in tag   # ... the page the number


def test_the_probe_interval_is_taken_from_the_environment(monkeypatch):
    monkeypatch.setenv("PETA_LINK_PROBE_SECONDS", " 2.5 ")
    assert probe_seconds() == 2.5
    assert b"const PROBE_MS = 2500;" in script_tag()


@pytest.mark.parametrize("text", ["sepuluh", "0", "0.1", "601", "-3", "nan"])
def test_a_probe_interval_that_makes_no_sense_stops_the_app_with_its_name(monkeypatch, text):
    monkeypatch.setenv("PETA_LINK_PROBE_SECONDS", text)
    with pytest.raises(SystemExit, match="PETA_LINK_PROBE_SECONDS"):
        probe_seconds()


def test_the_script_goes_before_the_head_ends():
    assert with_banner(b"<html><head><title>x</title></head><body></body></html>", b"<s/>") == (
        b"<html><head><title>x</title><s/></head><body></body></html>")
    assert with_banner(b"no head here", b"<s/>") == b"no head here"
