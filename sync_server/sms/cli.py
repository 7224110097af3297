"""The SMS subcommands of ``python -m sync_server`` (docs/sms.md):

    sms-contact --username U --phone +62… [--event sangat_rawan …] [--quiet 22-05]
    sms-log [--limit N]             # every message in and out, newest first
    sms-refusals                    # refused incoming messages by reason
    sms-notify                      # one pass over new alert events (the server runs it every few seconds)
"""
from __future__ import annotations

import argparse
import json
from contextlib import contextmanager

from kerawanan import assets
from kerawanan.errors import InvalidInput
from sync_server.settings import Settings
from sync_server.sms.contacts import contact_json, parse_contact
from sync_server.sms.notify import EVENT_KINDS
from sync_server.sms.service import SmsService
from sync_server.storage import open_storage


@contextmanager
def _service(settings: Settings):
    storage = open_storage(settings.db_path)
    try:
        gazetteer = assets.gazetteer()
        yield SmsService(storage, settings.sms, settings.quotas, settings.clock(), gazetteer, assets.calendar())
    finally:
        storage.close()


def sms_contact(args: argparse.Namespace, settings: Settings) -> int:
    body = {"phone": args.phone, "events": args.event or list(EVENT_KINDS)}
    if args.quiet:
        body["quiet"] = args.quiet
    with _service(settings) as sms:
        user = sms.storage.get_user(args.username)
        if user is None:
            raise InvalidInput(f"Pengguna {args.username} tidak ada.", code="user.unknown",
                               message_en=f"No user {args.username}.")
        contact = parse_contact(user.username, body)
        sms.store.set_contact(contact, sms.clock())
    print(json.dumps(contact_json(contact), ensure_ascii=False))
    return 0


def sms_log(args: argparse.Namespace, settings: Settings) -> int:
    with _service(settings) as sms:
        for entry in sms.store.entries(limit=args.limit):
            reason = f" ({entry.reason})" if entry.reason else ""
            print(f"{entry.at.isoformat(timespec='seconds')} {entry.direction:3} {entry.number:16} "
                  f"{entry.username or '-':14} {entry.kind:7} {entry.state}{reason}: {entry.text[:80]}")
    return 0


def sms_refusals(args: argparse.Namespace, settings: Settings) -> int:
    with _service(settings) as sms:
        counts = sms.store.refusals()
    for reason, count in counts.items():
        print(f"{reason}\t{count}")
    print(f"total\t{sum(counts.values())}")
    return 0


def sms_notify(args: argparse.Namespace, settings: Settings) -> int:
    with _service(settings) as sms:
        sent = sms.notify()
    print(f"{sent} SMS")
    return 0


def _contact_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True)
    parser.add_argument("--phone", required=True, help="e.g. +6281234567890")
    parser.add_argument("--event", action="append", choices=EVENT_KINDS, help="repeat; default all")
    parser.add_argument("--quiet", metavar="HH-HH", help="quiet hours WIB, e.g. 22-05 (sangat_rawan still goes)")


COMMANDS = [
    ("sms-contact", "set a user's SMS number, events and quiet hours", _contact_arguments, sms_contact),
    ("sms-log", "every SMS in and out, newest first",
     lambda p: p.add_argument("--limit", type=int, default=50), sms_log),
    ("sms-refusals", "refused incoming SMS counted by reason", lambda p: None, sms_refusals),
    ("sms-notify", "one pass: tell people about new alert events by SMS", lambda p: None, sms_notify),
]
