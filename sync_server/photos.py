"""Where photo bytes live (``PETA_MEDIA_STORE``): one small interface, two stores.

``directory`` (the default on an SQLite file): content-addressed files under ``PETA_MEDIA_DIR``
(``storage.files``) and partial uploads beside them (``sync_server.partials``); several server nodes
may share it over a network file system. ``database`` (the default on a ``postgresql://`` URL): the
bytes in the database itself (``storage.blobs``), partial uploads as rows (``sync_server.partials_db``),
so the nodes share nothing on disk. Photo metadata (who uploaded what, who cites it) is in the
database either way (``storage.media``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kerawanan.errors import InvalidInput
from sync_server.partials import PartialUploads
from sync_server.partials_db import DbPartialUploads
from sync_server.settings import Settings
from sync_server.storage.blobs import MediaBlobs
from sync_server.storage.files import MediaFiles

STORES = ("directory", "database")


class PhotoStore(Protocol):
    kind: str

    def exists(self, sha256: str) -> bool: ...
    def read(self, sha256: str) -> bytes: ...
    def write(self, sha256: str, data: bytes) -> None: ...   # the caller checked the hash; idempotent
    def remove(self, sha256: str) -> None: ...
    def partial_uploads(self, settings: Settings, now: Callable[[], float],
                        room: Callable[[int], None] | None = None) -> PartialUploads | DbPartialUploads: ...


class DirectoryPhotos(MediaFiles):
    kind = "directory"

    def partial_uploads(self, settings: Settings, now: Callable[[], float],
                        room: Callable[[int], None] | None = None) -> PartialUploads:
        return PartialUploads(self, max_age=settings.media_grace_seconds, now=now, quotas=settings.quotas, room=room)


class DatabasePhotos(MediaBlobs):
    kind = "database"

    def partial_uploads(self, settings: Settings, now: Callable[[], float],
                        room: Callable[[int], None] | None = None) -> DbPartialUploads:
        return DbPartialUploads(self, max_age=settings.media_grace_seconds, now=now, quotas=settings.quotas,
                                room=room)


def store_kind(settings: Settings, storage: Any) -> str:
    """``PETA_MEDIA_STORE``, else ``database`` on PostgreSQL and ``directory`` on SQLite."""
    kind = settings.media_store or ("database" if getattr(storage, "backend", "sqlite") == "postgresql"
                                    else "directory")
    if kind not in STORES:
        raise InvalidInput(f"PETA_MEDIA_STORE harus salah satu dari {', '.join(STORES)}, bukan {kind!r}.",
                           code="settings.media_store",
                           message_en=f"PETA_MEDIA_STORE must be one of {', '.join(STORES)}, not {kind!r}.")
    return kind


def open_photo_store(settings: Settings, storage: Any) -> PhotoStore:
    """The store ``settings`` choose for ``storage``'s server (the database store needs its ``db``)."""
    if store_kind(settings, storage) == "database":
        return DatabasePhotos(storage.db)
    return DirectoryPhotos(settings.media_path)
