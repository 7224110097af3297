"""A user's SMS contact as the admin sets it (route and CLI): phone, the events wanted, quiet hours."""
from __future__ import annotations

import re

from kerawanan.errors import InvalidInput
from sync_server.sms.config import parse_hours
from sync_server.sms.gateway import clean_number
from sync_server.sms.notify import EVENT_KINDS
from sync_server.sms.store import Contact
from sync_server.validation import Fields

EVENT_RE = re.compile("|".join(EVENT_KINDS))
QUIET_RE = re.compile(r"([01][0-9]|2[0-3])-([01][0-9]|2[0-3])")


def parse_contact(username: str, body: object) -> Contact:
    """``{"phone", "events"?: [...], "quiet"?: "22-05"|null}``; events default to all."""
    fields = Fields(body, required=("phone",), optional=("events", "quiet"))
    phone = fields.text("phone", max_length=24)
    events = fields.text_list("events", max_items=len(EVENT_KINDS), pattern=EVENT_RE) \
        if fields.body.get("events") != [] else []
    quiet = fields.text("quiet", max_length=5, pattern=QUIET_RE)
    if phone is not None:
        try:
            phone = clean_number(phone)
        except InvalidInput:
            fields.fail("phone", "format", "Nomor telepon: angka, boleh diawali +, 6–20 digit.",
                        "Phone: digits, optionally after +, 6-20 of them.")
    fields.raise_if_invalid()
    if quiet is not None:
        parse_hours(quiet)
    return Contact(username=username, phone=phone, events=tuple(EVENT_KINDS if events is None else events),
                   quiet=quiet)


def contact_json(contact: Contact) -> dict:
    return {"username": contact.username, "phone": contact.phone, "events": list(contact.events),
            "quiet": contact.quiet}
