"""A test server's photos and partial uploads where its photo store keeps them (``sync_server.photos``:
files under ``PETA_MEDIA_DIR`` or rows of its database), for tests that must see them, or set a
partial up as a crash or the calendar left it."""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from sync_server.partials import PartialUploads
from sync_server.photos import store_kind
from sync_server.settings import Settings
from sync_server.storage import open_storage
from sync_server.storage.blobs import MediaBlobs, PartialRows
from sync_server.storage.files import MediaFiles


class ServerMedia:
    def __init__(self, server):
        self.server = server
        backend = SimpleNamespace(backend=getattr(server, "backend", "sqlite"))
        self.kind = store_kind(Settings(media_store=server.env.get("PETA_MEDIA_STORE") or None), backend)

    def stored(self, name: str) -> bool:
        """Whether the photo's bytes are in the store."""
        if self.kind == "directory":
            return MediaFiles(Path(self.server.env["PETA_MEDIA_DIR"])).exists(name)
        storage = open_storage(self.server.db)
        try:
            return MediaBlobs(storage.db).exists(name)
        finally:
            storage.close()

    def present(self, username: str, name: str) -> bool:
        """Whether ``username`` holds a partial upload of the photo (stale or not: nothing is deleted)."""
        if self.kind == "directory":
            return self._path(username, name).exists()
        storage = open_storage(self.server.db)
        try:
            with storage.db.reading() as conn:
                return PartialRows.get(conn, username, name) is not None
        finally:
            storage.close()

    def plant(self, username: str, name: str, data: bytes, *, age_seconds: float = 0.0) -> None:
        """A partial of ``data`` last written ``age_seconds`` ago (real time), held by no request."""
        written = time.time() - age_seconds
        if self.kind == "directory":
            path = self._path(username, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.utime(path, (written, written))
            return
        storage = open_storage(self.server.db)
        at = datetime.fromtimestamp(written, UTC)
        try:
            with storage.db.writing() as conn:
                PartialRows.hold(conn, username, name, "planted", at, at)
                assert PartialRows.append(conn, username, name, "planted", 0, data, at, at)
                PartialRows.release(conn, username, name, "planted")
        finally:
            storage.close()

    def _path(self, username: str, name: str) -> Path:
        return PartialUploads(MediaFiles(Path(self.server.env["PETA_MEDIA_DIR"]))).path(name, username)
