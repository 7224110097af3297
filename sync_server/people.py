"""People by rank, name and post, never by username: "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti".

The ONE renderer of a person on alerts, history lines, reviews, the rekap and exports. A user's
``name`` carries the rank ("Brigpol Reza Pratama"); the post is read from the scope, so it is
never out of date: an officer is the Bhabin of the first desa they serve, a supervisor the Polsek
(kecamatan), Polres (kabupaten, from the context file: Polres Kerinci holds 15.01 and 15.72) or
Polda (province) of their scope. The engine's ``system`` is "sistem". An unknown username (a
deleted account) is shown as itself.

Renderers ADD ``*_name`` keys beside the binding ones (``owner`` → ``owner_name``, ``actor`` →
``actor_name``, ``officer`` → ``officer_name``); nothing is renamed.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sync_server.storage.base import User

SYSTEM = "system"
SYSTEM_NAME = "sistem"
ROLES = ("officer", "supervisor", "admin")
EVENT_PEOPLE = ("from_owner", "to_owner", "missed_by", "assignee", "by")


class People:
    """Who each username is, for one rendering (built per request from storage's users)."""

    def __init__(self, users: Iterable[User], gazetteer: Any, config: Any):
        self.users = {user.username: user for user in users}
        self.gazetteer = gazetteer
        self.config = config

    @classmethod
    def of(cls, storage: Any, gazetteer: Any, config: Any) -> People:
        return cls((user for role in ROLES for user in storage.users_with_role(role)), gazetteer, config)

    def post(self, user: User) -> str:
        """The post a person holds, from their role and scope: "Bhabin Desa Dujung Sakti"."""
        if user.role == "admin":
            return "Admin"
        if not user.scope:
            return ""
        if user.role == "officer":
            return "Bhabin " + self._title(user.scope[0])
        depth = min(code.count(".") + 1 for code in user.scope)
        widest = [code for code in user.scope if code.count(".") + 1 == depth]
        if depth == 1:
            return "Polda " + self._name(widest[0])
        if depth == 2:
            units = dict.fromkeys(self._polres(code) for code in widest)
            return ", ".join(units)
        return "Polsek " + " & ".join(self._name(code) for code in widest[:2])

    def name(self, username: str | None) -> str | None:
        """ "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti"; None for None."""
        if username is None:
            return None
        if username == SYSTEM:
            return SYSTEM_NAME
        user = self.users.get(username)
        if user is None:
            return username
        post = self.post(user)
        return f"{user.name}, {post}" if post else user.name

    # ---- adding names to rendered objects
    def alert(self, body: dict[str, Any]) -> dict[str, Any]:
        body["owner_name"] = self.name(body.get("owner"))
        body["assignee_name"] = self.name(body.get("assignee"))
        return body

    def event(self, body: dict[str, Any]) -> dict[str, Any]:
        body["actor_name"] = self.name(body.get("actor"))
        body["owner_name"] = self.name(body.get("owner"))
        data = body.get("data")
        if isinstance(data, dict):
            for key in EVENT_PEOPLE:
                if isinstance(data.get(key), str):
                    data[f"{key}_name"] = self.name(data[key])
        return body

    def report(self, body: dict[str, Any]) -> dict[str, Any]:
        body["officer_name"] = self.name(body.get("officer"))
        body["desa_name"] = self._title(str(body.get("desa_code") or ""))
        review = body.get("review")
        if isinstance(review, dict):
            review["by_name"] = self.name(review.get("by"))
        return body

    def officer(self, user: User, last_sync: str | None) -> dict[str, Any]:
        """An officer as the assign picker lists them."""
        return {"username": user.username, "name": user.name, "post": self.post(user),
                "label": self.name(user.username), "scope": list(user.scope), "last_sync_at": last_sync}

    # ---- places
    def _title(self, code: str) -> str:
        region = self.gazetteer.find(code)
        return region.title if region else code

    def _name(self, code: str) -> str:
        region = self.gazetteer.find(code)
        return region.name if region else code

    def _polres(self, code: str) -> str:
        context = self.config.context(code)
        return context.polres if context is not None else "Polres " + self._name(code)
