"""The storage methods behind quotas and the media sweep, run on every backend of the contract
suite (``tests/server/contract/``)."""
from __future__ import annotations

from datetime import timedelta

from tests.server.contract.builders import NOW, OFFICER, parsed

HOUR = timedelta(hours=1)


def test_photo_bytes_since_count_each_uploaders_photos(storage):  # noqa: F811
    assert storage.photo_bytes_since(OFFICER.username, NOW) == (0, None)
    storage.add_media("a" * 64, 100, "image/jpeg", OFFICER.username, NOW)
    storage.add_media("b" * 64, 50, "image/jpeg", OFFICER.username, NOW + HOUR)
    storage.add_media("b" * 64, 50, "image/jpeg", "someone-else", NOW + HOUR)       # a second uploader
    assert storage.photo_bytes_since(OFFICER.username, NOW) == (150, NOW)
    assert storage.photo_bytes_since(OFFICER.username, NOW + timedelta(minutes=1)) == (50, NOW + HOUR)
    assert storage.photo_bytes_since("someone-else", NOW) == (50, NOW + HOUR)
    assert type(storage.photo_bytes_since(OFFICER.username, NOW)[0]) is int    # not PostgreSQL's NUMERIC sum


def test_report_counts_times_and_stored_ids(storage):  # noqa: F811
    first, second = parsed(), parsed()
    storage.store_reports(OFFICER.username, None, [first], received_at=NOW)
    storage.store_reports(OFFICER.username, None, [second], received_at=NOW + HOUR)
    assert storage.count_reports_since(OFFICER.username, NOW, 10) == 2
    assert storage.count_reports_since(OFFICER.username, NOW + timedelta(minutes=1), 10) == 1
    assert storage.count_reports_since(OFFICER.username, NOW, 1) == 1                  # counted up to the cap
    assert storage.count_reports_since("someone-else", NOW, 10) == 0
    assert storage.nth_report_time_since(OFFICER.username, NOW, 1) == NOW
    assert storage.nth_report_time_since(OFFICER.username, NOW + timedelta(minutes=1), 1) == NOW + HOUR
    assert storage.nth_report_time_since(OFFICER.username, NOW, 3) is None
    assert storage.stored_report_ids([first.id, "not-stored", second.id]) == {first.id, second.id}
    assert storage.stored_report_ids([]) == set()
    many = [f"not-stored-{n}" for n in range(700)] + [second.id]    # asked in chunks
    assert storage.stored_report_ids(many) == {second.id}


def test_report_times_are_in_arrival_order_not_push_order(storage):  # noqa: F811
    late, early = parsed(), parsed()
    storage.store_reports(OFFICER.username, None, [late], received_at=NOW + HOUR)
    storage.store_reports(OFFICER.username, None, [early], received_at=NOW)     # a node whose clock is behind
    assert [storage.nth_report_time_since(OFFICER.username, NOW, n) for n in (1, 2)] == [NOW, NOW + HOUR]
    assert storage.nth_report_time_since(OFFICER.username, NOW + HOUR, 1) == NOW + HOUR     # since is inclusive
    assert storage.count_reports_since(OFFICER.username, NOW + HOUR, 10) == 1


def test_only_uncited_photos_older_than_the_cutoff_are_forgotten(storage):  # noqa: F811
    cited, old, young = "a" * 64, "b" * 64, "c" * 64
    for sha256, at in ((cited, NOW), (old, NOW), (young, NOW + HOUR)):
        assert storage.add_media(sha256, 10, "image/jpeg", OFFICER.username, at)
    storage.store_reports(OFFICER.username, None, [parsed(media=[cited])], received_at=NOW)
    assert storage.media_uploaders(old) == {OFFICER.username}
    assert storage.forget_uncited_media(NOW + timedelta(minutes=30)) == [old]
    assert storage.get_media(old) is None and storage.media_uploaders(old) == set()
    assert storage.get_media(cited) is not None and storage.get_media(young) is not None
    assert storage.forget_uncited_media(NOW + timedelta(minutes=30)) == []
