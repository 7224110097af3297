"""Storage behind a small interface (``base.Storage``); SQLite is the default backend."""
from sync_server.storage.base import Storage
from sync_server.storage.sqlite import SqliteStorage, open_storage

__all__ = ["SqliteStorage", "Storage", "open_storage"]
