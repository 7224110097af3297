"""Usernames: one canonical spelling, and the look-alike fold that keeps impostor names out.

- A username is compared case-insensitively and stored lower-cased (``canonical``): ``POLRES.X``
  and ``polres.x`` are the same account.
- ``skeleton`` folds what a reader could mistake for one another — ``0``/``o``, ``1``/``l``/``i``,
  ``5``/``s``, ``8``/``b``, ``rn``/``m``, ``vv``/``w``, ``cl``/``d`` and the separators ``.``/``-``/``_`` —
  so that ``po1resta.jambi`` is refused beside ``polresta.jambi``. The fold is used only to refuse a
  new name; logging in compares canonical names exactly.
"""
from __future__ import annotations

import re

_CHARACTERS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "!": "l", "5": "s", "8": "b",
                             "-": ".", "_": "."})
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_SEPARATORS = re.compile(r"\.+")


def canonical(username: str) -> str:
    """The stored spelling of ``username``: lower case (surrounding text is left as typed)."""
    return username.lower()


def skeleton(username: str) -> str:
    """What ``username`` looks like: equal skeletons are names a reader could confuse."""
    text = canonical(username)
    for pair, single in _PAIRS:
        text = text.replace(pair, single)
    text = text.translate(_CHARACTERS)
    return _SEPARATORS.sub(".", text).strip(".")
