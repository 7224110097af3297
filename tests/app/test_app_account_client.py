"""The account calls of ``SyncClient`` against the real sync server: what the admin screen sends and
reads back (reset → forced change, disable/enable, end sessions, who is being guessed)."""
from __future__ import annotations

import pytest

from field_app.errors import AuthRevoked, ServerRejected
from field_app.sync_client import SyncClient
from tests.server.helpers import PASSWORD, ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("account-client"), env={"PETA_EVALUATE_SECONDS": "0"})
    admin = SyncClient(process.url)
    admin.login("admin", PASSWORD)
    admin.create_user("polsek.uji", "Kapolsek Uji", "supervisor", ["15.72.07"], PASSWORD)
    yield process, admin
    process.stop()


def test_reset_then_the_forced_change_then_a_normal_session(server):
    process, admin = server
    reset = admin.reset_password("polsek.uji")
    assert admin.get_user("polsek.uji")["password_change_required"] is True
    user = SyncClient(process.url)
    assert user.login("polsek.uji", reset["temporary_password"])["password_change_required"] is True
    with pytest.raises(ServerRejected) as refused:
        user.list_alerts()
    assert refused.value.code == "auth.password_change_required"
    with pytest.raises(ServerRejected) as weak:
        user.change_password(reset["temporary_password"], "pendek")
    assert weak.value.code == "password.weak"
    user.change_password(reset["temporary_password"], "sandi-baru-Uji-2026")
    assert "items" in user.list_alerts()


def test_disable_enable_end_sessions_and_failures(server):
    process, admin = server
    user = SyncClient(process.url)
    for guess in ("salah-1", "salah-2"):
        with pytest.raises(AuthRevoked):
            user.login("polsek.uji", guess)
    assert any(f["account"] == "polsek.uji" and f["failures"] == 2 for f in admin.login_failures())
    user.login("polsek.uji", "sandi-baru-Uji-2026")
    assert admin.set_user_disabled("polsek.uji", True)["disabled_at"]
    with pytest.raises(AuthRevoked):
        user.me()
    assert admin.set_user_disabled("polsek.uji", False)["disabled_at"] is None
    user.login("polsek.uji", "sandi-baru-Uji-2026")
    assert admin.revoke_sessions("polsek.uji") == 1
    with pytest.raises(AuthRevoked):
        user.me()
