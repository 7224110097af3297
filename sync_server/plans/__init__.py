"""Rencana penebalan (issue 13.4): strength figures set by an admin, plans saved as versioned
decisions, and the sitrep archive produced on a schedule (issue 13.7) — their tables, store and rule."""
