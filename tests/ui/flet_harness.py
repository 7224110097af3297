"""Run a Flet app in-process, with no browser and no Flutter: a real Session over a recording Connection.

Verified with flet 1.0.5 (``/work/shared/notes/flet-1.0.md`` section 3b); it uses flet internals, so
the flet version is pinned. Every message is msgpack-encoded like the real transports do (without
that, page updates send nothing). Method calls the app makes on the client (GPS, secure storage,
file picker…) are answered by ``responders``: ``{"get_current_position": lambda args: {...}}``; a
call nobody answers gets ``None`` back.
"""
from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page, context
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

Responder = Callable[[Any], Any]


class RecordingConnection(Connection):
    def __init__(self, responders: dict[str, Responder] | None = None):
        super().__init__()
        self.loop = asyncio.get_running_loop()
        self.executor = ThreadPoolExecutor(max_workers=4)
        self.pubsubhub = PubSubHub(loop=self.loop, executor=self.executor)
        self.sent: list[Message] = []
        self.calls: list[tuple[str, Any]] = []
        self.responders = dict(responders or {})
        self.session: Session | None = None

    def send_message(self, message: Message) -> None:
        msgpack.packb([message.action, message.body], default=configure_encode_object_for_msgpack(BaseControl))
        self.sent.append(message)
        if message.action == MessageAction.INVOKE_METHOD:
            self._answer(message.body)

    def _answer(self, body: Any) -> None:
        self.calls.append((body.name, body.args))
        responder = self.responders.get(body.name)
        if responder is None and body.name in self.responders:
            return                                       # registered as None: never answer (a hang)
        try:
            result, error = (responder(body.args) if responder else None), None
        except Exception as exc:                         # the client reports an error
            result, error = None, str(exc)
        self.loop.call_soon(self.session.handle_invoke_method_results, body.control_id, body.call_id, result, error)

    def sent_props(self, since: int = 0) -> list[tuple[Any, Any]]:
        """(prop, value) of every 'replace' op sent to the client since message number ``since``."""
        return [(op[2], op[3]) for m in self.sent[since:] if m.action == MessageAction.PATCH_CONTROL
                for op in m.body.patch[1:] if len(op) == 4]

    def sent_values(self, since: int = 0) -> list[Any]:
        """Every string that reached the client since ``since``: in replace ops and in added controls."""
        found: list[Any] = []
        for message in self.sent[since:]:
            if message.action == MessageAction.PATCH_CONTROL:
                for op in message.body.patch[1:]:
                    _strings(op[-1], found)
        return found


def _strings(value: Any, found: list[Any]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, BaseControl):
        for name in ("value", "label", "text", "error", "error_text", "tooltip"):
            _strings(getattr(value, name, None), found)
        for name in ("content", "controls", "title", "subtitle", "actions", "destinations", "tabs", "leading",
                     "icon", "options"):
            _strings(getattr(value, name, None), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _strings(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)


class HeadlessApp:
    def __init__(self, main: Callable, *, width: int = 412, height: int = 915, web: bool = True,
                 responders: dict[str, Responder] | None = None):
        self.main, self.width, self.height, self.web = main, width, height, web
        self.responders = responders

    async def start(self) -> HeadlessApp:
        self.conn = RecordingConnection(self.responders)
        self.session = Session(self.conn)
        self.conn.session = self.session
        self.session.apply_page_patch({"route": "/", "width": self.width, "height": self.height, "web": self.web,
                                       "platform": "linux"})
        self.conn.send_message(Message(MessageAction.REGISTER_CLIENT, RegisterClientResponseBody(
            session_id=self.session.id, page_patch=self.session.get_page_patch(), error="")))
        _context_page.set(self.page)
        context.reset_auto_update()
        result = self.main(self.page)
        if inspect.isawaitable(result):
            await result
        await self.session.after_event(self.page)
        await self.settle()
        return self

    @property
    def page(self):
        return self.session.page

    @property
    def mark(self) -> int:
        return len(self.conn.sent)

    # ------------------------------------------------------------ finding controls

    def find(self, key: str) -> Any:
        for control in list(self.session.index.values()):
            if getattr(control, "key", None) == key:
                return control
        raise LookupError(key)

    def has(self, key: str) -> bool:
        try:
            self.find(key)
        except LookupError:
            return False
        return True

    def keys(self, prefix: str = "") -> list[str]:
        return sorted({str(c.key) for c in list(self.session.index.values())
                       if isinstance(getattr(c, "key", None), str) and str(c.key).startswith(prefix)})

    def texts(self) -> list[str]:
        """Every Text value on the page now (visible or not)."""
        return [c.value for c in list(self.session.index.values())
                if type(c).__name__ == "Text" and isinstance(c.value, str)]

    # ------------------------------------------------------------ events, as the client sends them

    async def event(self, key: str, name: str, data: Any = None, value: Any = None, *, settle: int = 20) -> None:
        control = self.find(key)
        if value is not None:                              # the client syncs the prop before the event
            self.session.apply_patch(control._i, {"value": value})
        await self.session.dispatch_event(control._i, name, data)
        await self.settle(settle)

    async def type(self, key: str, text: str) -> None:
        await self.event(key, "change", text, text)

    async def select(self, key: str, option: str) -> None:
        await self.event(key, "select", option, option)

    async def click(self, key: str, *, settle: int = 20) -> None:
        await self.event(key, "click", settle=settle)

    async def settle(self, rounds: int = 20) -> None:
        """Let the event loop run what is ready now (the callbacks and tasks a handler left behind),
        ``rounds`` times over; no clock. Work that ends later (a thread, a timer) is ``wait_for``'s."""
        for _ in range(rounds):
            await asyncio.sleep(0)

    async def wait_for(self, check: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
        """Poll ``check`` while background work (threads, run_task) finishes."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        """Close the session as the server does when a browser goes away (the page gets ``on_close``)."""
        self.session.close()
        await self.settle()
        self.conn.executor.shutdown(wait=False)
