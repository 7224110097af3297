"""Answers to tasks, kept on the phone until the server has them — the outbox of "Diterima" and
"what was done".

An answer is committed locally (with its id minted here, so a resend is a receipt on the server,
never a second line in the alert's history) before any network call, and goes through the same
states as a report: ``waiting -> sending -> sent | attention`` (back to ``waiting`` on a transport
failure). The sync engine sends them after the reports (``SyncEngine._push_tasks``).

A "what was done" may carry a photo (shrunk and stored like a report's: ``Outbox.store_photo``). It
is registered in the outbox's ``media`` table under the answer's id, so it travels the reports'
photo path: uploaded just before its answer, or — while "kirim foto nanti (Wi-Fi)" holds photos —
after it, with the held photos of the reports (the answer's words never wait).
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from field_app.database import Database, parse_time, time_text

ACTIONS = ("acknowledge", "report")
MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class TaskAnswer:
    id: str
    officer: str
    alert_id: str
    action: str                   # acknowledge | report
    note: str | None
    media: tuple[str, ...]
    state: str                    # waiting | sending | sent | attention
    attempts: int
    created_at: datetime
    sent_at: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "action": self.action}
        if self.note:
            body["note"] = self.note
        if self.media:
            body["media"] = list(self.media)
        return body


class TaskQueue:
    def __init__(self, database: Database, photo_path: Callable[[str], Path]):
        self._database = database
        self._photo_path = photo_path                # where the outbox keeps a stored photo

    def add(self, officer: str, alert_id: str, action: str, *, now: datetime, note: str | None = None,
            media: tuple[str, ...] = ()) -> str:
        """Queue an answer; a second "Diterima" for the same alert is the first one (one tap too many)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown task action {action!r}")
        with self._database.atomic() as db:
            if action == "acknowledge":
                earlier = list(db.query("SELECT id FROM task_answers WHERE officer = ? AND alert_id = ? "
                                        "AND action = 'acknowledge'", (officer, alert_id)))
                if earlier:
                    return earlier[0]["id"]
            answer_id = str(uuid.uuid4())
            db["task_answers"].insert({
                "id": answer_id, "officer": officer, "alert_id": alert_id, "action": action,
                "note": (note or "").strip()[:MAX_NOTE] or None, "media": json.dumps(list(media)),
                "state": "waiting", "attempts": 0, "created_at": time_text(now)})
            if media:
                db["media"].insert_all([{"report_id": answer_id, "sha256": sha256, "officer": officer,
                                         "path": str(self._photo_path(sha256)), "state": "waiting"}
                                        for sha256 in dict.fromkeys(media)], replace=True)
        return answer_id

    def for_alert(self, officer: str, alert_id: str) -> list[TaskAnswer]:
        rows = self._database.query("SELECT * FROM task_answers WHERE officer = ? AND alert_id = ? "
                                    "ORDER BY created_at, rowid", (officer, alert_id))
        return [_answer(row) for row in rows]

    def pending(self, officer: str) -> int:
        rows = self._database.query("SELECT count(*) AS n FROM task_answers WHERE officer = ? "
                                    "AND state IN ('waiting', 'sending')", (officer,))
        return rows[0]["n"]

    def acknowledged(self, officer: str) -> set[str]:
        """Alerts whose task this officer has acknowledged on this phone (sent or not yet)."""
        rows = self._database.query("SELECT DISTINCT alert_id FROM task_answers WHERE officer = ? "
                                    "AND action = 'acknowledge'", (officer,))
        return {row["alert_id"] for row in rows}

    # ------------------------------------------------------------ the sync engine

    def claim(self, officer: str, limit: int = 20) -> list[TaskAnswer]:
        with self._database.atomic() as db:
            rows = list(db.query("SELECT * FROM task_answers WHERE officer = ? AND state = 'waiting' "
                                 "ORDER BY created_at, rowid LIMIT ?", (officer, limit)))
            for row in rows:
                db.execute("UPDATE task_answers SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
                           (row["id"],))
        return [_answer({**row, "state": "sending", "attempts": row["attempts"] + 1}) for row in rows]

    def mark_sent(self, answer_id: str, *, at: datetime) -> None:
        with self._database.atomic() as db:
            db.execute("UPDATE task_answers SET state = 'sent', sent_at = ?, error_code = NULL, "
                       "error_message = NULL WHERE id = ?", (time_text(at), answer_id))

    def mark_attention(self, answer_id: str, *, code: str, message: str) -> None:
        with self._database.atomic() as db:
            db.execute("UPDATE task_answers SET state = 'attention', error_code = ?, error_message = ? "
                       "WHERE id = ?", (code, message, answer_id))

    def release(self, answer_ids: list[str], *, code: str | None = None, message: str | None = None) -> None:
        with self._database.atomic() as db:
            for answer_id in answer_ids:
                db.execute("UPDATE task_answers SET state = 'waiting', error_code = ?, error_message = ? "
                           "WHERE id = ? AND state = 'sending'", (code, message, answer_id))

    def requeue_sending(self, officer: str) -> None:
        with self._database.atomic() as db:
            db.execute("UPDATE task_answers SET state = 'waiting' WHERE officer = ? AND state = 'sending'",
                       (officer,))


def _answer(row: dict[str, Any]) -> TaskAnswer:
    return TaskAnswer(id=row["id"], officer=row["officer"], alert_id=row["alert_id"], action=row["action"],
                      note=row["note"], media=tuple(json.loads(row["media"] or "[]")), state=row["state"],
                      attempts=row["attempts"], created_at=parse_time(row["created_at"]),
                      sent_at=parse_time(row["sent_at"]), error_code=row["error_code"],
                      error_message=row["error_message"])
