"""Schema step 15, on both backends: which engine pass last wrote the region states.

Every pass of the alert engine writes one row here, in the transaction that writes its states: the
engine's id (new for every engine) and the change number after the pass. An engine that finds its
own last pass here knows that nobody else wrote a state since, and trusts its memory of the levels
without reading them back (``sync_server.alerts.memory``: one row instead of a level per target
region); anything else (another server process, ``evaluate`` in the CLI, a restored backup) sends it
to the levels as stored. ``SQLITE`` and ``POSTGRES`` are the same step in each dialect.
"""
from __future__ import annotations

SQLITE = """
CREATE TABLE states_stamp (                  -- the engine pass that last wrote region_states
    id INTEGER PRIMARY KEY CHECK (id = 1),   -- one row
    writer TEXT NOT NULL,                    -- the engine's id
    seq INTEGER NOT NULL                     -- the change number after that pass
);
"""

POSTGRES = """
CREATE TABLE states_stamp (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    writer TEXT NOT NULL,
    seq BIGINT NOT NULL
);
"""
