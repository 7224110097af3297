"""Peta Rawan field app: the officer's side of the system.

This package holds the non-UI layer: the local outbox (SQLite), the one HTTP seam
(``sync_client``), the sync engine and its background loop, PIN unlock, photo shrinking, the
string catalogue and plain view-models. The Flet screens sit on top of the view-models; nothing
here imports ``flet``.
"""

__version__ = "0.1.0"
