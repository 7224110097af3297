"""Web mode's ``index.html`` with the lost-link banner: the app's own words when the app server is gone.

In web mode the page keeps one WebSocket to the app server (``python -m field_app``); when it
closes, Flet's Flutter client swaps the screen for its English "Working..." boot screen and
reconnects. The Python side cannot say anything then — it is the side that is gone — so the words
live in the page: ``field_app/web/link_banner.js``, inlined into Flet's ``index.html`` before
``</head>`` (before Flutter starts), watches Flet's socket and covers the page at once with
"Koneksi ke server aplikasi terputus — menyambung ulang…" until the server speaks on a new socket.

A server that hangs (stopped, its event loop blocked) closes no socket, and the screen would stay as
it was, looking live — a commander reading a frozen board. So the page also asks ``GET /_peta/link``
every ``PETA_LINK_PROBE_SECONDS`` (default 10); when two in a row (the second asked at once) get no
answer within as long, with nothing else from the server meanwhile and no network change in the
browser, it covers the page with "Server aplikasi tidak menjawab — layar ini mungkin tidak terbaru"
until the server answers again (a hang is told within three intervals; a network blip is not one).

``LinkBanner`` is an ASGI layer over Flet's app: it answers the probe itself (204, never cached: in
the same process and event loop as Flet's sessions, so it is silent exactly when they are); every
``text/html`` answer (the index, also served for the app's routes) gets the script; the new length
replaces the old, and Flet's ``ETag`` is dropped (it names the file without the script).
"""
from __future__ import annotations

import os
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCRIPT = Path(__file__).resolve().parent / "web" / "link_banner.js"
HEAD_END = b"</head>"
DROPPED = (b"content-length", b"etag")
PROBE_PATH = "/_peta/link"
PROBE_SECONDS = 10.0
PROBE_MARK = b"__PETA_PROBE_MS__"


def probe_seconds() -> float:
    """``PETA_LINK_PROBE_SECONDS``: how often the page asks, and how long it waits for the answer."""
    text = os.environ.get("PETA_LINK_PROBE_SECONDS", "").strip()
    try:
        seconds = float(text) if text else PROBE_SECONDS
    except ValueError:
        raise SystemExit(f"PETA_LINK_PROBE_SECONDS={text!r}: give seconds, e.g. 10") from None
    if not 0.2 <= seconds <= 600:
        raise SystemExit(f"PETA_LINK_PROBE_SECONDS={text!r}: between 0.2 and 600 seconds")
    return seconds


def script_tag(seconds: float | None = None) -> bytes:
    milliseconds = round(1000 * (probe_seconds() if seconds is None else seconds))
    return b"<script>\n" + SCRIPT.read_bytes().replace(PROBE_MARK, str(milliseconds).encode()) + b"</script>\n"


def with_banner(html: bytes, tag: bytes) -> bytes:
    """``html`` with ``tag`` just before ``</head>`` (unchanged when there is no head)."""
    at = html.find(HEAD_END)
    return html if at < 0 else html[:at] + tag + html[at:]


class LinkBanner:
    def __init__(self, app: ASGIApp):
        self.app = app
        self.tag = script_tag()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if scope["path"] == PROBE_PATH:
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": b""})
            return
        held: dict[str, Message] = {}
        body: list[bytes] = []

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200 and _is_html(message):
                    held["start"] = message           # wait for the whole page
                    return
            elif "start" in held:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = with_banner(b"".join(body), self.tag)
                start = held["start"]
                headers = [(key, value) for key, value in start.get("headers", []) if key.lower() not in DROPPED]
                await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
                message = {"type": "http.response.body", "body": page}
            await send(message)

        await self.app(scope, receive, sending)


def _is_html(message: Message) -> bool:
    return any(key.lower() == b"content-type" and value.startswith(b"text/html")
               for key, value in message.get("headers", []))
