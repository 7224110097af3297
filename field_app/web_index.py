"""Web mode's ``index.html`` with the lost-link banner: the app's own words when the app server is gone.

In web mode the page keeps one WebSocket to the app server (``python -m field_app``); when it
closes, Flet's Flutter client swaps the screen for its English "Working..." boot screen and
reconnects. The Python side cannot say anything then — it is the side that is gone — so the words
live in the page: ``field_app/web/link_banner.js``, inlined into Flet's ``index.html`` before
``</head>`` (before Flutter starts), watches Flet's socket and covers the page at once with
"Koneksi ke server aplikasi terputus — menyambung ulang…" until the server speaks on a new socket.

``LinkBanner`` is an ASGI layer over Flet's app: every ``text/html`` answer (the index, also served
for the app's routes) gets the script; the new length replaces the old, and Flet's ``ETag`` is
dropped (it names the file without the script).
"""
from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCRIPT = Path(__file__).resolve().parent / "web" / "link_banner.js"
HEAD_END = b"</head>"
DROPPED = (b"content-length", b"etag")


def script_tag() -> bytes:
    return b"<script>\n" + SCRIPT.read_bytes() + b"</script>\n"


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
