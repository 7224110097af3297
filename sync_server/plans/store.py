"""Plans, strength figures, the sitrep archive and leases (tables of step 13), on either backend.

Portable SQL through ``db.writing()`` / ``db.reading()`` (``storage.connection`` or
``storage.pg.connection``): upserts are ``ON CONFLICT``; ``sitrep_files.pdf`` is a BLOB / BYTEA."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kerawanan.errors import Conflict
from sync_server.storage.connection import from_db, to_db


class PlanStore:
    def __init__(self, db: Any):      # either backend's Database
        self.db = db

    # ---- strength figures (an admin's, over the shipped file)
    def strength_figures(self) -> dict[str, dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT unit, available, polda_bko, brimob, source, updated_by, updated_at "
                                "FROM strength_figures").fetchall()
        return {row[0]: {"available": row[1], "polda_bko": row[2], "brimob": row[3], "source": row[4],
                         "updated_by": row[5], "updated_at": from_db(row[6])} for row in rows}

    def set_strength(self, unit: str, figures: dict[str, Any], before: dict[str, Any] | None, actor: str,
                     at: datetime) -> None:
        with self.db.writing() as conn:
            conn.execute("INSERT INTO strength_figures (unit, available, polda_bko, brimob, source, updated_by, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit) DO UPDATE SET "
                         "available = excluded.available, polda_bko = excluded.polda_bko, brimob = excluded.brimob, "
                         "source = excluded.source, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                         (unit, figures["available"], figures["polda_bko"], figures["brimob"], figures["source"],
                          actor, to_db(at)))
            conn.execute("INSERT INTO strength_history (unit, at, actor, figures_before, figures_after) "
                         "VALUES (?, ?, ?, ?, ?)", (unit, to_db(at), actor, _json(before), _json(figures)))

    def strength_history(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT unit, at, actor, figures_before, figures_after FROM strength_history "
                                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [{"unit": row[0], "at": from_db(row[1]), "actor": row[2],
                 "before": json.loads(row[3]) if row[3] else None, "after": json.loads(row[4])} for row in rows]

    # ---- plans
    def current_version(self, unit_key: str) -> int:
        with self.db.reading() as conn:
            row = conn.execute("SELECT version FROM plans WHERE unit_key = ?", (unit_key,)).fetchone()
        return row[0] if row else 0

    def save_plan(self, unit_key: str, unit_name: str, base_version: int | None, body: dict[str, Any],
                  actor: str, note: str, at: datetime) -> int:
        """Version n+1 of the unit's plan; ``Conflict`` when ``base_version`` is not the current one."""
        with self.db.writing() as conn:
            row = conn.execute("SELECT version FROM plans WHERE unit_key = ?", (unit_key,)).fetchone()
            current = row[0] if row else 0
            if base_version is not None and base_version != current:
                raise Conflict("Rencana ini sudah diubah orang lain; muat ulang dulu.",
                               message_en="The plan was changed by someone else; reload it first.",
                               details={"current_version": current})
            version = current + 1
            if row is None:
                conn.execute("INSERT INTO plans (unit_key, unit_name, version, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?)", (unit_key, unit_name, version, to_db(at), to_db(at)))
            else:
                conn.execute("UPDATE plans SET version = ?, unit_name = ?, updated_at = ? WHERE unit_key = ?",
                             (version, unit_name, to_db(at), unit_key))
            conn.execute("INSERT INTO plan_versions (unit_key, version, at, actor, note, body) VALUES (?, ?, ?, ?, ?, ?)",
                         (unit_key, version, to_db(at), actor, note, _json(body)))
        return version

    def plan_version(self, unit_key: str, version: int | None = None) -> dict[str, Any] | None:
        """A saved version (default: the current one) with who saved it and when."""
        sql = ("SELECT version, at, actor, note, body FROM plan_versions WHERE unit_key = ? "
               + ("AND version = ?" if version is not None else "ORDER BY version DESC LIMIT 1"))
        with self.db.reading() as conn:
            row = conn.execute(sql, (unit_key, version) if version is not None else (unit_key,)).fetchone()
        if row is None:
            return None
        return {"version": row[0], "saved_at": from_db(row[1]), "saved_by": row[2], "note": row[3],
                **json.loads(row[4])}

    def plan_history(self, unit_key: str) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT version, at, actor, note FROM plan_versions WHERE unit_key = ? "
                                "ORDER BY version DESC", (unit_key,)).fetchall()
        return [{"version": row[0], "saved_at": from_db(row[1]), "saved_by": row[2], "note": row[3]} for row in rows]

    def current_plans(self) -> list[dict[str, Any]]:
        """The current version of every unit's plan (a wider unit's allocation is a narrower one's pool)."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT v.unit_key, v.body FROM plans p JOIN plan_versions v "
                                "ON v.unit_key = p.unit_key AND v.version = p.version").fetchall()
        return [{"unit_key": row[0], **json.loads(row[1])} for row in rows]

    # ---- the sitrep archive
    def save_sitrep(self, unit_key: str, slot: str, unit_name: str, pdf: bytes, at: datetime) -> bool:
        """Keep a produced sitrep; False when that unit's slot was already produced."""
        with self.db.writing() as conn:
            done = conn.execute("INSERT INTO sitrep_files (unit_key, slot, unit_name, produced_at, size, pdf) "
                                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                (unit_key, slot, unit_name, to_db(at), len(pdf), bytes(pdf)))
        return done.rowcount == 1

    def has_sitrep(self, unit_key: str, slot: str) -> bool:
        with self.db.reading() as conn:
            return conn.execute("SELECT 1 FROM sitrep_files WHERE unit_key = ? AND slot = ?",
                                (unit_key, slot)).fetchone() is not None

    def sitreps(self, limit: int = 200) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT unit_key, slot, unit_name, produced_at, size FROM sitrep_files "
                                "ORDER BY slot DESC, unit_key LIMIT ?", (limit,)).fetchall()
        return [{"unit": row[0], "slot": row[1], "unit_name": row[2], "produced_at": from_db(row[3]), "size": row[4]}
                for row in rows]

    def sitrep_pdf(self, unit_key: str, slot: str) -> bytes | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT pdf FROM sitrep_files WHERE unit_key = ? AND slot = ?",
                               (unit_key, slot)).fetchone()
        return bytes(row[0]) if row else None

    # ---- leases: one holder at a time across the server's processes
    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold ``name`` until ``until`` unless another holder's lease still runs at ``now``."""
        with self.db.writing() as conn:
            row = conn.execute("SELECT holder, until FROM leases WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] != holder and from_db(row[1]) > now:
                return False
            conn.execute("INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) "
                         "DO UPDATE SET holder = excluded.holder, until = excluded.until", (name, holder, to_db(until)))
        return True


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
