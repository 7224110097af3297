"""The supervisors' and admins' screens: login, then a shell with the alert board, map, review, coverage,
trends, exports and (admins) administration.

Supervisors and admins land on the alert board after login (the router's default registry maps
both roles to ``SupervisorShell``).
"""
from __future__ import annotations

from field_app.views.supervisor.login import SUPERVISOR_ROLES, SupervisorLogin, SupervisorSession
from field_app.views.supervisor.shell import SupervisorShell


def register() -> None:
    """Put the shell in the router's registry for supervisors and admins (idempotent)."""
    from field_app.views import router

    router.shell_for("officer")             # the defaults first, so the officer shell stays registered
    router.register_shell("supervisor", SupervisorShell)
    router.register_shell("admin", SupervisorShell)


__all__ = ["SUPERVISOR_ROLES", "SupervisorLogin", "SupervisorSession", "SupervisorShell",
           "register"]
