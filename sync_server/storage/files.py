"""Content-addressed photo files: ``<media dir>/ab/cd/abcd…`` named by their SHA-256.

A file appears only complete: it is written to a temporary name, fsynced, then renamed (or, for a
resumable upload, its fsync'd partial file is renamed into place: ``adopt``).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class MediaFiles:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def write(self, sha256: str, data: bytes) -> None:
        """Store ``data`` under its hash (the caller has checked the hash); idempotent."""
        target = self.path(sha256)
        if target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        fsync_dir(target.parent)

    def adopt(self, sha256: str, source: Path) -> None:
        """Move ``source`` (complete, checked, fsync'd, on the same file system) into place under its
        hash; when the photo is already stored, ``source`` is deleted instead. Idempotent."""
        target = self.path(sha256)
        if target.is_file():
            Path(source).unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        fsync_dir(target.parent)

    def remove(self, sha256: str) -> None:
        """Delete the photo's file (the garbage collector; its row is already gone)."""
        self.path(sha256).unlink(missing_ok=True)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
