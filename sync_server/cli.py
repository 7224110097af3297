"""``python -m sync_server`` / ``peta-server``: a thin skin over the server's library.

Every subcommand takes ``--db PATH`` (default ``$PETA_DB``, else ``./var/peta_rawan.db``): an SQLite
file, or a ``postgresql://`` URL (several server nodes on one database). It exits 0 on success,
non-zero with a one-line message on stderr otherwise; a message names a URL without its password. A subcommand is a
``(name, help, add_arguments, run)`` entry in ``COMMANDS``; later features append theirs.
"Now" is ``settings.clock()``: the real time, the instant in ``$PETA_CLOCK_FILE``, or the replay of
``$PETA_REPLAY``.
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from kerawanan import assets
from kerawanan.errors import InvalidInput, KerawananError, Unavailable
from kerawanan.moments import parse_moment
from sync_server import accounts, cli_accounts
from sync_server.auth import Authenticator
from sync_server.settings import Settings
from sync_server.sms import cli as sms_cli
from sync_server.storage import open_storage


def _migrated(settings: Settings):
    """The database created or brought to the current schema (an SQLite file's folder made first)."""
    if not settings.on_postgres:
        Path(settings.db_path).parent.mkdir(parents=True, exist_ok=True)
    return open_storage(settings.db_path, migrate=True)


def init(args: argparse.Namespace, settings: Settings) -> int:
    storage = _migrated(settings)
    try:
        count = storage.load_regions(assets.gazetteer().regions())
        version = storage.schema_version()
    finally:
        storage.close()
    print(f"{settings.db_label}: skema versi {version}, {count} wilayah / schema v{version}, {count} regions")
    return 0


def _add_user_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True, help="officers: the NRP")
    parser.add_argument("--name", required=True)
    parser.add_argument("--role", required=True, choices=("officer", "supervisor", "admin"))
    parser.add_argument("--scope", required=True, action="append", help="region code; repeat for more")
    parser.add_argument("--password", help="default: officers none (enroll with a code), others random")


def create_user(args: argparse.Namespace, settings: Settings) -> int:
    password = args.password
    generated = password is None and args.role != "officer"
    if generated:
        password = secrets.token_urlsafe(12)
    body = {"username": args.username, "name": args.name, "role": args.role, "scope": args.scope}
    if password is not None:
        body["password"] = password
    user, password = accounts.parse_new_user(body, assets.gazetteer())
    with _storage(settings) as storage:
        accounts.create_user(storage, user, password, settings.clock()())
    print(f"{user.role} {user.username} ({user.name}), wilayah/scope {','.join(user.scope)}")
    if generated:
        print(f"kata sandi / password: {password}")
    return 0


def enrollment_code(args: argparse.Namespace, settings: Settings) -> int:
    with _storage(settings) as storage:
        officer = storage.get_user(args.username)
        if officer is None:
            raise InvalidInput(f"Pengguna {args.username} tidak ada.", code="user.unknown",
                               message_en=f"No user {args.username}.")
        accounts.require_officer(officer)
        code, expires_at = Authenticator(storage, settings, settings.clock()).issue_enrollment_code(
            officer, by="cli")
    print(f"{code}  (berlaku sampai / valid until {expires_at.isoformat(timespec='minutes')})")
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """uvicorn in this process, or ``--workers N`` processes sharing the database (their writes are
    serialised by SQLite's write lock, or by PostgreSQL's advisory write lock)."""
    import uvicorn

    from sync_server.app import create_app
    from sync_server.connections import HeaderDeadline

    app = create_app(settings)          # also checks the database before anything listens
    _quiet_driver_logs(False)
    options = {"host": settings.host, "port": settings.port, "log_level": args.log_level,
               "access_log": args.log_level == "debug",
               # The client address keys the login rate limit: X-Forwarded-For only from configured proxies.
               "proxy_headers": settings.forwarded_allow_ips is not None,
               "forwarded_allow_ips": settings.forwarded_allow_ips,
               # Slow clients: headers within PETA_HEADER_SECONDS, idle keep-alive closed after 5 s.
               "http": HeaderDeadline, "timeout_keep_alive": 5}
    if args.workers > 1:
        app.state.services.storage.close()
        os.environ["PETA_DB"] = str(settings.db_path)
        if settings.media_dir is not None or not settings.on_postgres:
            os.environ["PETA_MEDIA_DIR"] = str(settings.media_path)
        uvicorn.run("sync_server.app:app_from_env", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(app, **options)
    return 0


def seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.seeding import seed_demo as run_seed

    storage = _migrated(settings)
    try:
        storage.load_regions(assets.gazetteer().regions())
        now = settings.clock()()
        anchor = None if args.hours_ago is None else now - timedelta(hours=args.hours_ago)
        outcome = run_seed(storage, now=now, anchor=anchor)
    finally:
        storage.close()
    print(outcome.table())
    for problem in outcome.problems:
        print(problem, file=sys.stderr)
    return 1 if outcome.problems else 0


def demo_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Push the demo's reports as the clock (a replay) reaches them; stops on SIGTERM/SIGINT."""
    import signal
    import threading

    from sync_server.seeding import feed_demo

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    feed_demo(lambda: open_storage(settings.db_path, migrate=True), settings.clock(), stop,
              poll_seconds=args.poll, report=lambda line: print(line, flush=True))
    return 0


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """One full aggregation/escalation pass at ``--at`` (default: now), from scratch."""
    from sync_server.alerts.service import AlertService

    at = _instant("--at", args.at) if args.at else settings.clock()()
    with _storage(settings) as storage:
        service = AlertService(storage, assets.scoring_config(), assets.calendar(), assets.gazetteer(),
                               settings.clock())
        outcome = service.evaluate(at)
    print(outcome.line())
    return 0


def _instant(option: str, text: str) -> datetime:
    moment = parse_moment(text)             # offset within ±14:00, convertible to UTC
    if moment is None:
        raise InvalidInput(f"{option}: harus waktu ISO-8601 dengan zona waktu, mis. 2024-11-28T06:00+07:00.",
                           message_en=f"{option}: must be an ISO-8601 time with a timezone, "
                                      "e.g. 2024-11-28T06:00+07:00.")
    return moment


def backup(args: argparse.Namespace, settings: Settings) -> int:
    """SQLite: an online copy of the file. PostgreSQL: ``pg_dump``'s custom format (``pg_restore`` reads it)."""
    target = Path(args.to)
    if not settings.on_postgres and target.resolve() == Path(settings.db_path).resolve():
        raise InvalidInput("Tujuan cadangan sama dengan basis data.", message_en="Backup target is the database.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".partial")
    with _storage(settings) as storage:
        storage.backup(temporary)
    temporary.replace(target)
    print(f"cadangan / backup: {target}")
    return 0


class _storage:
    """``with _storage(settings) as storage:`` — an initialised database, closed afterwards."""

    def __init__(self, settings: Settings):
        self.storage = open_storage(settings.db_path)

    def __enter__(self):
        return self.storage

    def __exit__(self, *exc: object) -> None:
        self.storage.close()


_QUIET = logging.NullHandler()

Command = tuple[str, str, Callable[[argparse.ArgumentParser], None],
                Callable[[argparse.Namespace, Settings], int]]

COMMANDS: list[Command] = [
    ("init", "create/migrate the database, load the gazetteer", lambda p: None, init),
    ("create-user", "create an officer, supervisor or admin", _add_user_arguments, create_user),
    ("enrollment-code", "print a one-time enrollment code for an officer",
     lambda p: p.add_argument("--username", required=True), enrollment_code),
    ("serve", "run the HTTP API", lambda p: (
        p.add_argument("--host"), p.add_argument("--port", type=int),
        p.add_argument("--workers", type=int, default=1, help="server processes (default 1)"),
        p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info",
                                                               "debug"))), serve),
    ("seed-demo", "demo accounts and the demo scenario; prints the logins", lambda p: p.add_argument(
        "--hours-ago", type=float, help="voting night this many hours before now (default: the scenario's "
        "last report lands just before now)"), seed_demo),
    ("demo-feed", "push the demo's reports as the (replay) clock reaches them", lambda p: p.add_argument(
        "--poll", type=float, default=60.0, help="longest wait between checks, seconds"), demo_feed),
    ("evaluate", "one aggregation/escalation pass at a given time (default: now)", lambda p: p.add_argument(
        "--at", metavar="ISO-8601", help="evaluation time with a timezone, e.g. 2024-11-28T06:00+07:00"),
     evaluate),
    ("backup", "online backup: a copy of the SQLite file, or pg_dump's custom format for PostgreSQL", lambda p: p.add_argument("--to", required=True, metavar="FILE"), backup),
]


COMMANDS += cli_accounts.COMMANDS
COMMANDS += sms_cli.COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peta-server", description="Peta Rawan sync server")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text, add_arguments, run in COMMANDS:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", help="SQLite database file or postgresql:// URL (default: $PETA_DB, "
                                      "else ./var/peta_rawan.db)")
        add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env(db_path=args.db, host=getattr(args, "host", None),
                                 port=getattr(args, "port", None))
    if settings.on_postgres:
        _quiet_driver_logs()
    try:
        return args.run(args, settings)
    except KerawananError as error:
        message = _one_line(error, settings)
    except (OSError, *_driver_errors()) as error:
        message = f"{settings.db_label}: {_first_line(error)}" if _is_driver_error(error) else str(error)
    print(f"peta-server {args.command}: {_scrubbed(message, settings)}", file=sys.stderr)
    return 1


def _one_line(error: KerawananError, settings: Settings) -> str:
    fields = getattr(error, "fields_en", None) or {}
    detail = "; ".join(f"{path}: {message}" for path, message in fields.items())
    text = f"{error.message_en} {detail}".strip()
    if isinstance(error, Unavailable) and error.__cause__ is not None:     # which database, and why
        text = f"{settings.db_label}: {text} ({_first_line(error.__cause__)})"
    return " ".join(text.split())


def _driver_errors() -> tuple[type[Exception], ...]:
    """The database drivers' own error classes; psycopg's only when it is loaded (a PostgreSQL URL)."""
    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error, psycopg.Error) if psycopg else (sqlite3.Error,)


def _is_driver_error(error: BaseException) -> bool:
    return isinstance(error, _driver_errors())


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _scrubbed(message: str, settings: Settings) -> str:
    """``message`` with no trace of the URL's password (a driver may quote what it was given)."""
    if not settings.on_postgres:
        return message
    from urllib.parse import unquote

    from sync_server.storage.postgres import url_password

    message = message.replace(str(settings.db_path), settings.db_label)
    password = url_password(str(settings.db_path)) or ""
    for secret in sorted({password, unquote(password)} - {""}, key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


def _quiet_driver_logs(quiet: bool = True) -> None:
    """While a command opens the database, the connection pool's retry warnings stay off stderr (the
    command says what failed in one line); ``serve`` turns them back on for its log once it is up."""
    logger = logging.getLogger("psycopg")
    if quiet:
        logger.addHandler(_QUIET)
    else:
        logger.removeHandler(_QUIET)
