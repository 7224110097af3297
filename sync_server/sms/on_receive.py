"""Gammu SMSD's RunOnReceive program: hand the received messages to the server.

    runonreceive = /usr/bin/env PETA_SMS_URL=http://127.0.0.1:8000/api/v1/sms/inbound \\
                   PETA_SMS_SECRET_FILE=/etc/peta-rawan/sms-secret /srv/peta/.venv/bin/python -m sync_server.sms.on_receive

SMSD sets ``SMS_MESSAGES`` and, per message, ``SMS_<n>_NUMBER`` and ``SMS_<n>_TEXT``; a message the
phone sent concatenated arrives as its parts plus ``DECODED_<n>_TEXT`` (the whole text), which is
used when present. Standard library only (it starts for every message). Exit 0 when the server
took them; 1 otherwise (SMSD logs it; the message stays in SMSD's inbox folder).
"""
from __future__ import annotations

import json
import os
import sys
import urllib.request
from collections.abc import Mapping

TIMEOUT = 30


def messages_from_env(env: Mapping[str, str]) -> list[dict[str, str]]:
    count = int(env.get("SMS_MESSAGES") or 0)
    decoded_parts = int(env.get("DECODED_PARTS") or 0)
    number = env.get("SMS_1_NUMBER", "")
    if decoded_parts and env.get("DECODED_1_TEXT") is not None:      # one long message, reassembled
        return [{"number": number, "text": env["DECODED_1_TEXT"]}]
    return [{"number": env.get(f"SMS_{n}_NUMBER", ""), "text": env.get(f"SMS_{n}_TEXT", "")}
            for n in range(1, count + 1)]


def post(url: str, secret: str, messages: list[dict[str, str]]) -> dict:
    request = urllib.request.Request(url, data=json.dumps({"messages": messages}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-SMS-Secret": secret})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:   # noqa: S310 (configured URL)
        return json.loads(response.read())


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    url = env.get("PETA_SMS_URL", "http://127.0.0.1:8000/api/v1/sms/inbound")
    secret = env.get("PETA_SMS_SECRET") or ""
    if not secret and env.get("PETA_SMS_SECRET_FILE"):
        with open(env["PETA_SMS_SECRET_FILE"], encoding="utf-8") as handle:
            secret = handle.read().strip()
    messages = messages_from_env(env)
    if not messages:
        return 0
    try:
        answer = post(url, secret, messages)
    except (OSError, ValueError) as error:
        print(f"peta on_receive: {error}", file=sys.stderr)
        return 1
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
