"""``SyncClient``'s transport in a browser: the browser's own ``fetch``, waited for through JSPI.

Same contract as ``sync_client.RequestsTransport``: an answer of any status is returned (the client
maps error bodies); no answer at all (offline, refused, timed out, aborted) raises
``TransportError``. Redirects are not followed (a captive portal's redirect is not our server).
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import js  # type: ignore[import-not-found]
from pyodide.code import run_js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, to_js  # type: ignore[import-not-found]

from field_app.sync_client import TransportError
from field_app.web.browser import wait_for

FETCH = run_js("""(async (method, url, headers, body, ms) => {
  const response = await fetch(url, {method, headers, body, redirect: "manual", cache: "no-store",
                                      signal: AbortSignal.timeout(ms)});
  const data = new Uint8Array(await response.arrayBuffer());
  const status = response.type === "opaqueredirect" ? 302 : response.status;
  return {status, headers: Array.from(response.headers.entries()), data};
})""")


class Headers(dict):
    """Response headers by lower-case name, looked up in any case (as ``requests`` allows)."""

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())


class FetchResponse:
    def __init__(self, method: str, status: int, headers: Headers, content: bytes):
        self.request = SimpleNamespace(method=method)
        self.status_code = status
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        return json.loads(self.content)


class FetchTransport:
    def request(self, method: str, url: str, *, headers: dict[str, str], params: dict | None = None,
                json_body: Any = None, data: bytes | None = None,
                timeout: tuple[float, float] = (5.0, 20.0)) -> FetchResponse:
        if params:
            url = f"{url}?{urlencode(params)}"
        body = data
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json", **headers}
        milliseconds = int(sum(timeout) * 1000)
        js_headers = to_js(headers, dict_converter=js.Object.fromEntries)
        try:
            answer = wait_for(FETCH(method, url, js_headers, to_js(body) if body is not None else None,
                                    milliseconds))
        except (JsException, RuntimeError) as exc:     # Failed to fetch, TimeoutError, no JSPI
            raise TransportError(type(exc).__name__) from exc
        pairs = answer.headers.to_py()
        return FetchResponse(method, int(answer.status), Headers((k.lower(), v) for k, v in pairs),
                             answer.data.to_bytes())

    def close(self) -> None:
        """Nothing held between requests."""
