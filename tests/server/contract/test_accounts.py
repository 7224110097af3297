"""The accounts port: users, tokens, devices, enrolment and the credential lifecycle, on every backend.

Login limits have their own file (``test_limits.py``). "Two nodes" are two storages opened on the
same database: two server processes on one SQLite file, two server nodes on one PostgreSQL.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest

from kerawanan.errors import Conflict
from sync_server.storage import accounts, open_storage
from sync_server.storage.base import Device, User
from tests.server.contract.builders import NOW, OFFICER

HOUR = timedelta(hours=1)
POLRES = User(username="Polres.Kerinci", name="Kapolres Kerinci", role="supervisor", scope=("15.01",))


@contextmanager
def another_node(storage):
    """A second storage on the database of ``storage`` (its own connections, pool and locks)."""
    other = open_storage(getattr(storage, "url", None) or storage.path)
    try:
        yield other
    finally:
        other.close()


def refused(storage, user: User) -> Conflict:
    with pytest.raises(Conflict) as caught:
        storage.create_user(user, None, NOW)
    assert caught.value.status == 409
    return caught.value


def events(storage, limit: int = 1000) -> list[tuple[str, str, dict | None]]:
    return [(e.action, e.username, e.detail) for e in storage.account_events(limit=limit)]


# ---- users


def test_users_round_trip_and_names_are_unique(storage):
    assert storage.get_user(OFFICER.username) == OFFICER
    assert storage.get_user("nobody") is None
    assert refused(storage, OFFICER).code == "user.exists"


def test_names_are_canonical_and_look_alikes_are_refused(storage):
    created = storage.create_user(POLRES, "hash", NOW, actor="admin")
    assert created.username == "polres.kerinci"
    assert storage.get_user("POLRES.KERINCI") == created and storage.password_hash("Polres.Kerinci") == "hash"
    assert refused(storage, User("polres.kerinci", "Lain", "officer", ())).code == "user.exists"
    for lookalike in ("po1res.kerinci", "polres-kerinci", "poIres_kerinci"):
        assert refused(storage, User(lookalike, "Penyamar", "officer", ())).code == "user.lookalike"
    assert storage.get_user("po1res.kerinci") is None
    assert [e for e in events(storage) if e[1] == "polres.kerinci"] == [
        ("user.create", "polres.kerinci", {"role": "supervisor", "scope": ["15.01"]})]


def test_the_unique_key_is_the_last_word_and_its_error_becomes_409(storage, monkeypatch):
    """Were the check under the write lock ever skipped, the driver's IntegrityError (sqlite3's or
    psycopg's) still leaves the port as the app's 409, and the storage keeps working."""
    monkeypatch.setattr(accounts, "_refuse_taken", lambda *args: None)
    assert refused(storage, OFFICER).code == "user.exists"
    assert storage.create_user(POLRES, None, NOW).username == "polres.kerinci"
    assert [e[1] for e in events(storage)] == ["polres.kerinci", OFFICER.username]


def test_one_name_created_at_once_on_two_nodes_is_stored_once(storage):
    names = ["polsek.sungai.penuh", "POLSEK.SUNGAI.PENUH", "po1sek.sungai.penuh", "polsek-sungai-penuh"] * 3
    start, outcomes = threading.Barrier(len(names)), []

    def create(node, name):
        start.wait()
        try:
            outcomes.append(node.create_user(User(name, "Kapolsek", "supervisor", ("15.72",)), None, NOW).username)
        except Conflict as error:
            outcomes.append(error.code)

    with another_node(storage) as other:
        threads = [threading.Thread(target=create, args=(storage if i % 2 else other, name))
                   for i, name in enumerate(names)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    created = [o for o in outcomes if not o.startswith("user.")]
    assert len(outcomes) == len(names) and len(created) == 1
    assert set(outcomes) - set(created) <= {"user.exists", "user.lookalike"}
    assert storage.get_user(created[0]).name == "Kapolsek"
    assert [e[0] for e in events(storage) if e[1] != OFFICER.username] == ["user.create"]


# ---- tokens


def test_tokens_expire_and_revoke(storage):
    token_id = storage.add_token("h1", OFFICER.username, "login", created_at=NOW, expires_at=NOW + HOUR)
    grant = storage.find_token("h1", NOW)
    assert (grant.token_id, grant.user, grant.kind, grant.expires_at) == (token_id, OFFICER, "login", NOW + HOUR)
    assert storage.find_token("h1", NOW + HOUR - timedelta(microseconds=1)) is not None
    assert storage.find_token("h1", NOW + HOUR) is None
    storage.revoke_token(token_id, NOW)
    assert storage.find_token("h1", NOW) is None
    assert storage.find_token("unknown", NOW) is None


def test_token_ids_are_distinct_and_purge_drops_only_dead_login_tokens(storage):
    live = storage.add_token("live", OFFICER.username, "login", created_at=NOW, expires_at=NOW + 2 * HOUR)
    expired = storage.add_token("expired", OFFICER.username, "login", created_at=NOW, expires_at=NOW + HOUR)
    revoked = storage.add_token("revoked", OFFICER.username, "login", created_at=NOW, expires_at=NOW + 2 * HOUR)
    forever = storage.add_token("forever", OFFICER.username, "login", created_at=NOW)
    assert len({live, expired, revoked, forever}) == 4 and all(isinstance(i, int) for i in (live, forever))
    storage.revoke_token(revoked, NOW)
    assert storage.purge_tokens(NOW + HOUR) == 2
    assert storage.purge_tokens(NOW + HOUR) == 0
    assert storage.find_token("live", NOW + HOUR).token_id == live
    assert storage.find_token("forever", NOW + 1000 * HOUR).expires_at is None
    storage.revoke_token(live, NOW + HOUR)
    assert storage.find_token("live", NOW + HOUR) is None and storage.purge_tokens(NOW + HOUR) == 1


# ---- enrolment and devices


def enrol(storage, device_id: str, at=NOW, username: str = OFFICER.username) -> Device:
    storage.add_enrollment_code(username, f"code-{device_id}", created_by="admin", created_at=at,
                                expires_at=at + 72 * HOUR)
    (code,) = storage.enrollment_codes(username, at)
    device = Device(id=device_id, username=username, name=f"HP {device_id}", created_at=at)
    assert storage.enroll_device(code.id, device, f"token-{device_id}", at)
    return device


def test_enrollment_is_single_use_and_newest_code_only(storage):
    later = NOW + 72 * HOUR
    storage.add_enrollment_code(OFFICER.username, "old", created_by="admin", created_at=NOW, expires_at=later)
    storage.add_enrollment_code(OFFICER.username, "new", created_by="admin", created_at=NOW, expires_at=later)
    (code,) = storage.enrollment_codes(OFFICER.username, NOW)
    assert (code.code_hash, code.username, code.expires_at) == ("new", OFFICER.username, later)
    assert storage.enrollment_codes(OFFICER.username, later) == []          # expired
    device = Device(id="dev-1", username=OFFICER.username, name="HP", created_at=NOW)
    assert not storage.enroll_device(code.id, device, "device-hash", later)
    assert storage.enroll_device(code.id, device, "device-hash", NOW)
    assert not storage.enroll_device(code.id, Device("dev-2", OFFICER.username, "HP", NOW), "h2", NOW)
    assert storage.enrollment_codes(OFFICER.username, NOW) == []
    assert storage.get_device("dev-2") is None and storage.find_token("h2", NOW) is None
    grant = storage.find_token("device-hash", NOW + timedelta(days=999))
    assert (grant.kind, grant.device_id, grant.expires_at) == ("device", "dev-1", None)


def test_devices_enrol_sync_and_revoke(storage):
    enrol(storage, "dev-1")
    enrol(storage, "dev-2", at=NOW + HOUR)
    assert [d.id for d in storage.devices_of(OFFICER.username)] == ["dev-2", "dev-1"]
    assert storage.devices_of("nobody") == [] and storage.get_device("dev-x") is None
    storage.record_sync(OFFICER.username, "dev-1", NOW + 2 * HOUR)
    assert storage.get_device("dev-1").last_sync_at == NOW + 2 * HOUR
    assert storage.get_device("dev-2").last_sync_at is None
    assert storage.revoke_device("dev-1", NOW + 3 * HOUR, actor="polres") and not storage.revoke_device("dev-x", NOW)
    assert storage.find_token("token-dev-1", NOW + 3 * HOUR) is None
    assert storage.find_token("token-dev-2", NOW + 3 * HOUR).device_id == "dev-2"
    assert storage.get_device("dev-1") == Device("dev-1", OFFICER.username, "HP dev-1", NOW,
                                                 revoked_at=NOW + 3 * HOUR, last_sync_at=NOW + 2 * HOUR)
    assert events(storage, limit=1) == [("device.revoke", OFFICER.username,
                                         {"device_id": "dev-1", "password_cleared": True})]


def test_a_revoked_phone_clears_an_officers_password_but_not_a_supervisors(storage):
    storage.create_user(POLRES, "polres-hash", NOW)
    storage.set_password(OFFICER.username, "officer-hash", NOW, actor="admin", action="password.reset")
    enrol(storage, "dev-officer")
    enrol(storage, "dev-polres", username="polres.kerinci")
    assert storage.revoke_device("dev-officer", NOW) and storage.revoke_device("dev-polres", NOW)
    assert storage.password_hash(OFFICER.username) is None
    assert storage.password_hash("polres.kerinci") == "polres-hash"
    assert events(storage, limit=1)[0][2] == {"device_id": "dev-polres", "password_cleared": False}


# ---- the credential lifecycle


def logins(storage, *hashes: str) -> list[int]:
    return [storage.add_token(h, OFFICER.username, "login", created_at=NOW, expires_at=NOW + 8 * HOUR)
            for h in hashes]


def test_login_record_and_a_temporary_password_that_keeps_one_session(storage):
    assert storage.login_record("nobody") is None
    assert storage.login_record(OFFICER.username).password_hash is None
    kept, ended = logins(storage, "kept", "ended")
    enrol(storage, "dev-1")
    until = NOW + 24 * HOUR
    assert storage.set_password(OFFICER.username.upper(), "temp", NOW, actor="polres", action="password.reset",
                                temporary_until=until, keep_token=kept)
    record = storage.login_record(OFFICER.username)
    assert (record.password_hash, record.password_expires_at, record.user.must_change_password) == ("temp", until, True)
    assert storage.find_token("kept", NOW).token_id == kept and storage.find_token("ended", NOW) is None
    assert storage.find_token("token-dev-1", NOW) is not None            # devices are not login sessions
    assert events(storage, limit=1) == [("password.reset", OFFICER.username, {"sessions": 1})]
    assert storage.set_password(OFFICER.username, "own", NOW + HOUR, actor=OFFICER.username, action="password.change")
    record = storage.login_record(OFFICER.username)
    assert (record.password_hash, record.password_expires_at, record.user.must_change_password) == ("own", None, False)
    assert storage.find_token("kept", NOW + HOUR) is None                 # no keep_token: every session ends
    assert not storage.set_password("nobody", "x", NOW, actor="admin", action="password.reset")
    assert events(storage, limit=1) == [("password.change", OFFICER.username, {"sessions": 1})]


def test_disabling_ends_sessions_and_stops_devices_until_enabled(storage):
    logins(storage, "a", "b")
    enrol(storage, "dev-1")
    assert storage.set_disabled(OFFICER.username, True, NOW, actor="admin")
    assert storage.get_user(OFFICER.username).disabled_at == NOW
    assert storage.find_token("a", NOW) is None and storage.find_token("token-dev-1", NOW) is None
    assert storage.set_disabled(OFFICER.username, False, NOW + HOUR, actor="admin")
    assert storage.get_user(OFFICER.username).disabled_at is None
    assert storage.find_token("a", NOW + HOUR) is None                    # sessions stay ended
    assert storage.find_token("token-dev-1", NOW + HOUR).device_id == "dev-1"
    assert not storage.set_disabled("nobody", True, NOW, actor="admin")
    assert events(storage, limit=2) == [("user.enable", OFFICER.username, None),
                                        ("user.disable", OFFICER.username, {"sessions": 2})]


def test_revoke_sessions_counts_login_tokens_only(storage):
    logins(storage, "a", "b", "c")
    enrol(storage, "dev-1")
    assert storage.revoke_sessions(OFFICER.username, NOW, actor="admin") == 3
    assert storage.revoke_sessions(OFFICER.username, NOW, actor="admin") == 0
    assert storage.find_token("token-dev-1", NOW) is not None
    assert events(storage, limit=2) == [("sessions.revoke", OFFICER.username, {"sessions": 0}),
                                        ("sessions.revoke", OFFICER.username, {"sessions": 3})]


def test_account_events_page_newest_first(storage):
    for minute in range(5):
        storage.revoke_sessions(OFFICER.username, NOW + timedelta(minutes=minute), actor=f"admin{minute}")
    every = storage.account_events()
    assert [e.action for e in every] == ["sessions.revoke"] * 5 + ["user.create"]
    assert [e.actor for e in every] == ["admin4", "admin3", "admin2", "admin1", "admin0", "cli"]
    assert every[0].at == NOW + timedelta(minutes=4) and every[-1].detail == {"role": "officer", "scope": [OFFICER.scope[0]]}
    pages, before = [], None
    while page := storage.account_events(before=before, limit=4):
        pages.append([e.id for e in page])
        before = page[-1].id
    assert pages == [[e.id for e in every[:4]], [e.id for e in every[4:]]]
    assert [e.id for e in every] == sorted((e.id for e in every), reverse=True)
