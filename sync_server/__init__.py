"""Peta Rawan sync server: HTTP API v1, storage, auth and scope, CLI (``python -m sync_server``).

A shell around the ``kerawanan`` core: routes parse, call the core, persist, respond.
"""
from sync_server.version import VERSION as __version__

__all__ = ["__version__"]
