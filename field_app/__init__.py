"""Peta Rawan field app: officers offline on the phone; supervisors in web mode.

Layers: the local outbox (SQLite), the one HTTP seam (``sync_client``), the sync engine and its
background loop, PIN unlock, photo shrinking, the string catalogue and plain view-models — none
of these import ``flet``. The Flet screens (``views/``, ``main.py``) sit on top of the view-models.
"""

__version__ = "0.1.0"
