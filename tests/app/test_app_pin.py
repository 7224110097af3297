"""PIN unlock offline: a slow salted hash, lockout with a growing wait; token stores."""
from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest

from field_app.errors import PinLocked
from field_app.pin import (
    ITERATIONS,
    FileTokenStore,
    MemoryTokenStore,
    PinLock,
    check_pin_format,
    lock_seconds,
)
from kerawanan.errors import InvalidInput
from tests.app.builders import NOW, OFFICER, OTHER_OFFICER


@pytest.fixture
def pins(outbox) -> PinLock:
    return PinLock(outbox.meta, iterations=1_000)      # fast for tests; the default is checked below


def test_the_default_hash_is_slow_enough():
    assert ITERATIONS >= 200_000


def test_the_pin_is_never_stored_only_a_salted_hash(outbox):
    PinLock(outbox.meta).set_pin(OFFICER, "274916")
    record = outbox.meta.get(OFFICER, "pin")
    assert "274916" not in str(record)
    assert record["algo"] == "pbkdf2_sha256" and record["iterations"] >= 200_000 and len(record["salt"]) == 32


def test_the_right_pin_unlocks_and_a_wrong_one_does_not(pins):
    pins.set_pin(OFFICER, "274916")
    assert pins.check(OFFICER, "274916", NOW) is True
    assert pins.check(OFFICER, "274917", NOW) is False
    assert pins.tries_left(OFFICER) == 4


def test_each_officer_has_their_own_pin(pins):
    pins.set_pin(OFFICER, "274916")
    pins.set_pin(OTHER_OFFICER, "583920")
    assert pins.check(OTHER_OFFICER, "583920", NOW) and not pins.check(OTHER_OFFICER, "274916", NOW)


def test_five_wrong_pins_lock_even_the_right_one_out(pins):
    pins.set_pin(OFFICER, "274916")
    for _ in range(4):
        assert pins.check(OFFICER, "000001", NOW) is False
    with pytest.raises(PinLocked) as caught:
        pins.check(OFFICER, "000001", NOW)
    assert caught.value.seconds_left == 30
    with pytest.raises(PinLocked):
        pins.check(OFFICER, "274916", NOW + timedelta(seconds=29))
    assert pins.check(OFFICER, "274916", NOW + timedelta(seconds=30)) is True
    assert pins.tries_left(OFFICER) == 5


def test_the_wait_grows_with_every_further_wrong_pin(pins):
    pins.set_pin(OFFICER, "274916")
    now, waits = NOW, []
    for _ in range(9):
        try:
            pins.check(OFFICER, "000001", now)
        except PinLocked as exc:
            waits.append(exc.seconds_left)
            now = exc.until
    assert waits == [30, 60, 120, 240, 480]
    assert [lock_seconds(n) for n in (4, 5, 6, 12, 40)] == [0, 30, 60, 3600, 3600]


@pytest.mark.parametrize("pin, code", [("12345", "pin.format"), ("123456789", "pin.format"),
                                       ("12a456", "pin.format"), ("١٢٣٤٥٦", "pin.format"),
                                       ("111111", "pin.weak"), ("123456", "pin.weak"), ("876543", "pin.weak")])
def test_weak_or_malformed_pins_are_refused(pin, code):
    with pytest.raises(InvalidInput) as caught:
        check_pin_format(pin)
    assert caught.value.code == code


def test_no_pin_set_never_unlocks(pins):
    assert pins.check(OFFICER, "274916", NOW) is False and not pins.has_pin(OFFICER)


def test_memory_token_store():
    store = MemoryTokenStore()
    store.set(OFFICER, "tok")
    assert store.get(OFFICER) == "tok" and store.get(OTHER_OFFICER) is None
    store.delete(OFFICER)
    assert store.get(OFFICER) is None


def test_file_token_store_survives_restart_and_is_private(tmp_path):
    path = tmp_path / "tokens.json"
    FileTokenStore(path).set(OFFICER, "tok-1")
    FileTokenStore(path).set(OTHER_OFFICER, "tok-2")
    again = FileTokenStore(path)
    assert (again.get(OFFICER), again.get(OTHER_OFFICER)) == ("tok-1", "tok-2")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again.delete(OFFICER)
    assert FileTokenStore(path).get(OFFICER) is None
