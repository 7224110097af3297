"""A phone's sync killed between the server's answer and the outbox update (run as a subprocess).

``python -m tests.faults.engine_child OUTBOX_DIR SERVER_URL TOKEN OFFICER`` runs one sync pass of
the real engine whose push, once the server has answered, SIGKILLs this very process: the server
has committed, the phone never recorded it, exactly as when Android kills the app at that moment.
"""
from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime

from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine


class KilledAfterAnswer:
    """The real client; after the push answer arrives the process dies before returning it."""

    def __init__(self, client: SyncClient):
        self.client = client

    def push(self, reports):
        self.client.push(reports)
        os.kill(os.getpid(), signal.SIGKILL)

    def __getattr__(self, name):
        return getattr(self.client, name)


def main(folder: str, url: str, token: str, officer: str) -> None:
    outbox = Outbox(folder)
    SyncEngine(outbox, KilledAfterAnswer(SyncClient(url, token)), officer).sync_once(datetime.now(UTC))
    sys.exit("unreachable: the process should have been killed")


if __name__ == "__main__":
    main(*sys.argv[1:5])
