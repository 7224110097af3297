"""Error amplification: a small push full of unknown keys gets a small answer (issue 11 §3).

Each invalid report shows at most ``MAX_FIELD_ERRORS`` field errors (names cut short), the whole
answer at most ``MAX_DETAIL_BYTES`` of them; where detail was dropped, ``truncated`` is true."""
from __future__ import annotations

import gzip
import json

from sync_server.intake import MAX_DETAIL_BYTES, MAX_FIELD_ERRORS
from tests.server.helpers import assert_error, report

UNKNOWN_KEYS = 300


def poisoned(count: int = 500) -> bytes:
    unknown = {f"k{n:04d}": 0 for n in range(UNKNOWN_KEYS)}
    return json.dumps({"reports": [{**report(), **unknown} for _ in range(count)]}).encode()


def test_a_27_kb_gzip_push_full_of_unknown_keys_gets_a_small_answer(api, world):
    officer = world.officer()
    body = gzip.compress(poisoned(), compresslevel=9)
    assert len(body) < 40_000                                   # the 27 KB gzip'd push
    response = api.post("/api/v1/sync/push", token=officer.token, content=body,
                        headers={"Content-Type": "application/json", "Content-Encoding": "gzip",
                                 "Accept-Encoding": "identity"})
    assert response.status_code == 200, response.text[:500]
    assert len(response.content) < MAX_DETAIL_BYTES + 500 * 300   # it was 10.5 MB
    answer = response.json()
    assert answer["truncated"] is True
    results = answer["results"]
    assert len(results) == 500 and {result["status"] for result in results} == {"invalid"}
    assert all(len(result["error"]["fields"]) <= MAX_FIELD_ERRORS for result in results)
    assert all(result["error"]["truncated"] is True for result in results)
    assert results[-1]["error"]["fields"] == {}                  # past the answer's budget
    assert results[0]["error"]["code"] == "report.invalid" and results[0]["error"]["fields"]


def test_a_push_envelope_full_of_unknown_keys_gets_a_short_422(api, world):
    officer = world.officer()
    body = {"reports": [], **{f"x{n}" * 20: 1 for n in range(5000)}}
    error = assert_error(api.post("/api/v1/sync/push", token=officer.token, json=body), 422)
    assert len(error["details"]["fields"]) == MAX_FIELD_ERRORS and error["details"]["truncated"] is True


def test_a_few_errors_are_shown_whole(api, world):
    officer = world.officer()
    answer = api.push(officer.token, [report(category="tidak_ada", threat_stage="ZZ")])
    assert "truncated" not in answer
    error = answer["results"][0]["error"]
    assert "truncated" not in error and len(error["fields"]) == 2
