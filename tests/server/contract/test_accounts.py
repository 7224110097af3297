"""The accounts port: users, tokens, devices, enrolment, credentials, login limits."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kerawanan.errors import Conflict
from sync_server.storage.base import Device
from tests.server.contract.builders import NOW, OFFICER


def test_users_round_trip_and_names_are_unique(storage):
    assert storage.get_user(OFFICER.username) == OFFICER
    assert storage.get_user("nobody") is None
    with pytest.raises(Conflict):
        storage.create_user(OFFICER, None, NOW)


def test_tokens_expire_and_revoke(storage):
    token_id = storage.add_token("h1", OFFICER.username, "login", created_at=NOW,
                                 expires_at=NOW + timedelta(hours=1))
    grant = storage.find_token("h1", NOW)
    assert (grant.token_id, grant.user, grant.kind) == (token_id, OFFICER, "login")
    assert storage.find_token("h1", NOW + timedelta(hours=1)) is None
    storage.revoke_token(token_id, NOW)
    assert storage.find_token("h1", NOW) is None
    assert storage.find_token("unknown", NOW) is None


def test_enrollment_is_single_use_and_newest_code_only(storage):
    later = NOW + timedelta(hours=72)
    storage.add_enrollment_code(OFFICER.username, "old", created_by="admin", created_at=NOW, expires_at=later)
    storage.add_enrollment_code(OFFICER.username, "new", created_by="admin", created_at=NOW, expires_at=later)
    (code,) = storage.enrollment_codes(OFFICER.username, NOW)
    assert code.code_hash == "new"
    device = Device(id="dev-1", username=OFFICER.username, name="HP", created_at=NOW)
    assert storage.enroll_device(code.id, device, "device-hash", NOW)
    assert not storage.enroll_device(code.id, Device("dev-2", OFFICER.username, "HP", NOW), "h2", NOW)
    assert storage.enrollment_codes(OFFICER.username, NOW) == []
    grant = storage.find_token("device-hash", NOW + timedelta(days=999))
    assert (grant.kind, grant.device_id, grant.expires_at) == ("device", "dev-1", None)
    assert storage.revoke_device("dev-1", NOW) and not storage.revoke_device("dev-x", NOW)
    assert storage.find_token("device-hash", NOW) is None
    assert storage.get_device("dev-1").revoked_at == NOW
    assert [d.id for d in storage.devices_of(OFFICER.username)] == ["dev-1"]
    assert storage.devices_of("nobody") == []

