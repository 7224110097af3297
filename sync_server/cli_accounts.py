"""The account subcommands of ``python -m sync_server`` (thin skins over ``sync_server.accounts``):

    set-password --username U [--password P]   # without --password: a one-time password, changed at login
    disable-user --username U                  # every token, phone and the password stop at once
    enable-user --username U
    revoke-sessions --username U               # every login session ends; phones keep working
    login-failures                             # who is being guessed, from which address

Each writes its line in the account audit with actor ``cli``; exit 0, or 1 with one line on stderr.
"""
from __future__ import annotations

import argparse
from contextlib import contextmanager
from datetime import timedelta

from kerawanan.errors import InvalidInput
from sync_server import accounts
from sync_server.settings import Settings
from sync_server.storage import open_storage
from sync_server.storage.base import User
from sync_server.storage.ports import Storage

ACTOR = "cli"


@contextmanager
def _opened(settings: Settings):
    storage = open_storage(settings.db_path)
    try:
        yield storage
    finally:
        storage.close()


def _user(storage: Storage, username: str) -> User:
    user = storage.get_user(username)
    if user is None:
        raise InvalidInput(f"Pengguna {username} tidak ada.", code="user.unknown", message_en=f"No user {username}.")
    return user


def set_password(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.clock()()
    with _opened(settings) as storage:
        user = _user(storage, args.username)
        if args.password is None:
            temporary, expires_at = accounts.reset_password(storage, user, now, actor=ACTOR,
                                                            hours=settings.enrollment_code_hours)
            print(f"{user.username}: kata sandi sementara / one-time password {temporary} "
                  f"(ganti saat masuk / change at login; berlaku sampai / valid until "
                  f"{expires_at.isoformat(timespec='minutes')})")
            return 0
        accounts.set_password(storage, user.username, args.password, now, actor=ACTOR, action="password.set")
    print(f"{user.username}: kata sandi diganti, sesi login diakhiri / password set, login sessions ended")
    return 0


def disable_user(args: argparse.Namespace, settings: Settings) -> int:
    return _set_disabled(args, settings, True)


def enable_user(args: argparse.Namespace, settings: Settings) -> int:
    return _set_disabled(args, settings, False)


def _set_disabled(args: argparse.Namespace, settings: Settings, disabled: bool) -> int:
    with _opened(settings) as storage:
        user = _user(storage, args.username)
        accounts.set_disabled(storage, user, disabled, settings.clock()(), actor=ACTOR)
    state = "dinonaktifkan / disabled" if disabled else "diaktifkan / enabled"
    print(f"{user.username}: {state}")
    return 0


def revoke_sessions(args: argparse.Namespace, settings: Settings) -> int:
    with _opened(settings) as storage:
        user = _user(storage, args.username)
        count = storage.revoke_sessions(user.username, settings.clock()(), actor=ACTOR)
    print(f"{user.username}: {count} sesi login diakhiri / login sessions ended")
    return 0


def login_failures(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.clock()()
    with _opened(settings) as storage:
        rows = storage.login_limits(now - timedelta(seconds=settings.failure_window_seconds))
    for key, state in rows:
        waiting = f" tunggu/wait until {state.blocked_until.isoformat(timespec='seconds')}" if (
            state.blocked_until and state.blocked_until > now) else ""
        print(f"{key.kind:7} {key.account or '-':24} {key.address:39} {state.failures:5}{waiting}")
    return 0


def _username(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True)


COMMANDS = [
    ("set-password", "set a user's password, or without --password give a one-time password",
     lambda p: (_username(p), p.add_argument("--password", help="the new password (policy: docs/api.md)")),
     set_password),
    ("disable-user", "disable a user: tokens, phones and password stop at once", _username, disable_user),
    ("enable-user", "enable a disabled user", _username, enable_user),
    ("revoke-sessions", "end every login session of a user (phones keep working)", _username, revoke_sessions),
    ("login-failures", "recent failed logins per account and address", lambda p: None, login_failures),
]
