"""Coordination of server nodes: which one runs the background singletons, and how the others hear of
changes and of finished alert passes.

The singletons are the alert engine's passes (the pump and the periodic full pass), the media sweep
and the sitrep schedule. ``leads()`` says whether this process runs them now.

- ``Solo`` (SQLite, the embedded default): one file is one machine, every worker process leads.
  Its engine passes are serialised by SQLite's one writer, as they always were; there is nothing to
  tell another node.
- ``PgCoordination`` (``storage/pg/coordination.py``, several nodes on one PostgreSQL): the node
  holding a session advisory lock on a dedicated connection leads; the others try to take it every
  second, so one of them leads within a few seconds of the holder's death (its connection closes,
  the lock goes with it). Nodes wake each other with LISTEN/NOTIFY: a push on a follower tells the
  leader (``peta_changes``), the leader tells everyone the change number each pass covered
  (``peta_evaluated``), so an alert reader on any node waits for the pass covering every push
  answered before its read, as on one node.

Two engines running at once (a leader that has not yet noticed its lock connection died) are safe:
every engine pass reads what the others wrote under the one write lock, as SQLite's workers do.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Coordination(Protocol):
    several_nodes: bool     # other server nodes may run beside this one (what runs where depends on it)

    def start(self, *, on_lead: Callable[[], None], on_changes: Callable[[bool], None],
              on_evaluated: Callable[[int], None]) -> None:
        """Begin: ``on_lead()`` when this node becomes the leader (rebuild state, catch up);
        ``on_changes(urgent)`` on the leader when another node stored something (``urgent``: a reader
        waits); ``on_evaluated(seq)`` when a pass anywhere covered every change up to ``seq``."""

    def leads(self) -> bool:
        """Whether this node runs the singletons now (a cheap glance, no I/O)."""

    def changed(self, *, urgent: bool = False) -> None:
        """A follower stored something (``urgent``: a reader waits for it): the leader should evaluate."""

    def evaluated(self, seq: int) -> None:
        """The leader's pass covered every change up to ``seq``: tell every node."""

    def evaluated_seq(self) -> int:
        """The highest change number a pass is known to have covered (0: none heard of yet)."""

    def wait_evaluated(self, seq: int, timeout: float) -> bool:
        """Wait until a pass covering ``seq`` is announced; False when ``timeout`` ran out first."""

    def close(self) -> None:
        """Stop; a leader lets go of the lead at once."""


class Solo:
    """One machine (SQLite): every process leads; no other node to tell."""

    several_nodes = False

    def start(self, *, on_lead: Callable[[], None], on_changes: Callable[[bool], None],
              on_evaluated: Callable[[int], None]) -> None:
        pass

    def leads(self) -> bool:
        return True

    def changed(self, *, urgent: bool = False) -> None:
        pass

    def evaluated(self, seq: int) -> None:
        pass

    def evaluated_seq(self) -> int:
        return 0

    def wait_evaluated(self, seq: int, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass


def coordination_for(storage: Any) -> Coordination:
    """``PgCoordination`` over a PostgreSQL storage, else ``Solo`` (psycopg is imported only then)."""
    if getattr(storage, "backend", None) == "postgresql":
        from sync_server.storage.pg.coordination import PgCoordination

        return PgCoordination(storage.url, storage.db)
    return Solo()


def always() -> bool:
    """``leads`` of a lone process (the default of the singletons' loops)."""
    return True
