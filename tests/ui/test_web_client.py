"""The supervisor's first load (issue 14.4): ``python -m field_app`` serves the Flutter client's big
files gzipped, kept for a year where the URL names the build, revalidated (304) everywhere else.

A real app process on a free port, asked over raw HTTP (the bytes as they travel, not decoded).
"""
from __future__ import annotations

import gzip
import http.client
import re
from urllib.parse import urlsplit

import pytest

from field_app.web_client import package_web_dir
from tests.server.helpers import wait_until
from tests.ui.e2e_support import FieldApp

WEB = package_web_dir()
BIG = ("main.dart.js", "canvaskit/chromium/canvaskit.wasm", "canvaskit/chromium/canvaskit.js")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    started = FieldApp(tmp_path_factory.mktemp("web-client"), "http://127.0.0.1:9").start()
    yield started
    started.stop()


def fetch(app, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(app.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def tag(app) -> str:
    status, headers, body = fetch(app, "/flutter_bootstrap.js")
    assert status == 200 and headers["cache-control"] == "no-cache"
    found = re.search(rb'"mainJsPath":"main\.dart\.js\?v=([^"]+)"', body)
    assert found, "the bootstrap does not ask for main.dart.js by version"
    tag = found.group(1).decode()
    assert f'"_v/{tag}/canvaskit/"'.encode() in body
    return tag


def versioned(tag: str, rel: str) -> str:
    return f"/main.dart.js?v={tag}" if rel == "main.dart.js" else f"/_v/{tag}/{rel}"


@pytest.mark.parametrize("rel", BIG)
def test_big_files_go_gzipped_and_are_kept_for_a_year(app, tag, rel):
    raw = (WEB / rel).read_bytes()
    path = versioned(tag, rel)
    assert wait_until(lambda: fetch(app, path, **{"Accept-Encoding": "gzip, br"})[1].get("content-encoding")
                      == "gzip", seconds=180, step=0.5), f"{rel} never went out gzipped"
    status, headers, body = fetch(app, path, **{"Accept-Encoding": "gzip, br"})
    assert status == 200 and gzip.decompress(body) == raw
    assert len(body) < 0.45 * len(raw)
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "accept-encoding" in headers["vary"].lower()
    assert headers["content-type"].startswith("application/wasm" if rel.endswith(".wasm") else "text/javascript")
    assert headers["cross-origin-embedder-policy"] == "require-corp"       # Flet's isolation headers kept


def test_a_browser_without_gzip_gets_the_same_bytes_plain(app, tag):
    status, headers, body = fetch(app, versioned(tag, "main.dart.js"))
    assert status == 200 and "content-encoding" not in headers
    assert body == (WEB / "main.dart.js").read_bytes()


def test_files_not_named_by_version_are_revalidated_with_a_304(app, tag):
    font = "/assets/fonts/MaterialIcons-Regular.otf"
    status, headers, _ = fetch(app, font, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["cache-control"] == "no-cache" and headers["etag"]
    again, again_headers, body = fetch(app, font, **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert again == 304 and body == b"" and again_headers["etag"] == headers["etag"]
    stale, stale_headers, _ = fetch(app, f"/_v/not-this-build/{BIG[1]}")
    assert stale == 200 and stale_headers["cache-control"] == "no-cache"      # an old tag is never kept


def test_the_page_itself_is_revalidated_and_nothing_outside_the_client_is_served(app):
    status, headers, body = fetch(app, "/", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["cache-control"] == "no-cache" and headers["content-type"].startswith("text/html")
    assert b"flutter_bootstrap.js" in (gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body)
    _, _, sneaked = fetch(app, "/_v/x/../../../../etc/passwd")
    assert b"root:" not in sneaked
