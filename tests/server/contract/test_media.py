"""The media port (photo metadata, uploaders, what cites a photo) and both photo stores
(``sync_server.photos``: ``directory`` files, ``database`` rows), with their partial uploads, on every
backend of ``contract/conftest.py``. A second store over the same database plays a second server node."""
from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kerawanan.errors import Conflict, InvalidInput, RateLimited, UnsupportedMediaType
from sync_server.partials_db import HOLD_SECONDS
from sync_server.photos import DatabasePhotos, DirectoryPhotos, open_photo_store, store_kind
from sync_server.quotas import exceeded
from sync_server.routes.media import SNIFF_BYTES, sniff
from sync_server.settings import Quotas, Settings
from sync_server.storage import open_storage
from sync_server.storage.base import AlertEvent
from sync_server.uploads import Span
from tests.server.contract.builders import NOW, OFFICER, parsed
from tests.server.contract.test_alerts import alert, event

GRACE = 3600.0
SETTINGS = Settings(media_grace_seconds=GRACE, quotas=Quotas(partials=2, partial_bytes=300_000))


def jpeg(size: int = 100_000) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- metadata

def test_media_metadata_and_uploaders(storage):
    assert storage.add_media("ab" * 32, 10, "image/png", "u1", NOW)
    assert not storage.add_media("ab" * 32, 10, "image/png", "u2", NOW)
    info = storage.get_media("ab" * 32)
    assert (info.size, info.mime, info.created_at) == (10, "image/png", NOW) and storage.get_media("cd" * 32) is None
    assert storage.media_uploaded_by("ab" * 32, "u2") and not storage.media_uploaded_by("ab" * 32, "u3")
    assert storage.media_uploaders("ab" * 32) == {"u1", "u2"} and storage.media_uploaders("cd" * 32) == set()
    cited = parsed(media=["ab" * 32])
    storage.store_reports(OFFICER.username, None, [cited], NOW)
    assert [r.id for r in storage.reports_citing_media("ab" * 32)] == [cited.id]


def test_uncited_photos_past_the_grace_period_are_forgotten_cited_and_young_ones_stay(storage):
    old, young = NOW - timedelta(hours=2), NOW
    uncited, by_report, by_task, by_acknowledgement, fresh = ("1" * 64, "2" * 64, "3" * 64, "4" * 64, "5" * 64)
    for name in (uncited, by_report, by_task, by_acknowledgement):
        storage.add_media(name, 10, "image/jpeg", OFFICER.username, old)
    storage.add_media(fresh, 10, "image/jpeg", OFFICER.username, young)
    storage.store_reports(OFFICER.username, None, [parsed(media=[by_report])], NOW)
    answered = alert()
    with storage.alert_batch() as batch:
        batch.save_alert(answered, [event(answered)])
    for kind, cited in (("task_report", by_task), ("task_acknowledge", by_acknowledgement)):
        bumped = replace(answered, version=answered.version + 1)
        line = event(bumped, kind, actor=OFFICER.username, data={"task_id": kind, "media": [cited]})
        assert storage.update_alert(bumped, answered.version, line, [])
        answered = bumped
    # Only a task *answer* cites (an acknowledgement carries no photo, so its "media" means nothing).
    assert sorted(storage.forget_uncited_media(NOW - timedelta(hours=1))) == sorted([uncited, by_acknowledgement])
    assert storage.get_media(uncited) is None and storage.media_uploaders(uncited) == set()
    for kept in (by_report, by_task, fresh):
        assert storage.get_media(kept) is not None and storage.media_uploaded_by(kept, OFFICER.username)
    assert storage.forget_uncited_media(NOW - timedelta(hours=1)) == []


def test_a_task_answer_citing_several_photos_keeps_each(storage):
    photos = [f"{digit}" * 64 for digit in "6789"]
    for name in photos:
        storage.add_media(name, 10, "image/jpeg", OFFICER.username, NOW - timedelta(days=30))
    answered = alert()
    with storage.alert_batch() as batch:
        batch.save_alert(answered, [event(answered),
                                    AlertEvent(alert_id=answered.id, version=1, at=NOW, actor=OFFICER.username,
                                               event="task_report", note="Sudah dicek.",
                                               data={"task_id": "t1", "media": photos[:3]})])
    assert storage.forget_uncited_media(NOW) == [photos[3]]


# ---------------------------------------------------------------- the two photo stores

@pytest.fixture(params=("directory", "database"))
def photos(request, storage, tmp_path):
    """A photo store of each kind over ``storage``'s database (files under ``tmp_path``)."""
    settings = replace(SETTINGS, media_dir=tmp_path / "media", media_store=request.param)
    return open_photo_store(settings, storage)


@contextmanager
def second_node(storage, photos) -> Iterator[object]:
    """The same photo store as another server node sees it: its own connections to the same database."""
    other = open_storage(getattr(storage, "url", None) or storage.path)
    try:
        yield (DatabasePhotos(other.db) if photos.kind == "database" else DirectoryPhotos(photos.root))
    finally:
        other.close()


def test_the_store_is_chosen_by_setting_else_by_backend(storage, tmp_path):
    default = "database" if storage.backend == "postgresql" else "directory"
    assert store_kind(Settings(), storage) == default
    assert open_photo_store(Settings(media_dir=tmp_path, media_store="directory"), storage).kind == "directory"
    assert open_photo_store(Settings(media_store="database"), storage).kind == "database"
    with pytest.raises(InvalidInput) as refused:
        open_photo_store(Settings(media_store="s3"), storage)
    assert refused.value.code == "settings.media_store"


def test_photo_bytes_round_trip_and_go(photos, storage):
    data = jpeg()
    assert not photos.exists(sha(data))
    photos.write(sha(data), data)
    photos.write(sha(data), data)                                  # idempotent
    assert photos.exists(sha(data)) and photos.read(sha(data)) == data
    with second_node(storage, photos) as other:
        assert other.read(sha(data)) == data
    photos.remove(sha(data))
    assert not photos.exists(sha(data))
    with pytest.raises(FileNotFoundError):
        photos.read(sha(data))
    photos.remove(sha(data))                                       # gone already: nothing to do


class Clock:
    def __init__(self) -> None:
        self.at = NOW.timestamp()

    def __call__(self) -> float:
        return self.at


def uploads(photos, clock: Clock, **quotas):
    return photos.partial_uploads(replace(SETTINGS, quotas=replace(SETTINGS.quotas, **quotas)), clock)


def verifier(name: str):
    def verify(head: bytes, digest: str) -> None:
        sniff(head)
        if digest != name:
            raise InvalidInput("hash", code="media.hash_mismatch")
    return verify


async def _pieces(data: bytes, size: int = 16_384):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def send(store, owner: str, name: str, photo: bytes, start: int, end: int, *, keep: bool = True):
    """One request carrying ``photo[start:end]``: the Progress (or None when ``keep`` is False: the
    request's node died after its bytes were kept, before it stored the photo)."""
    partial = store.open(name, owner, Span(start, end - 1, len(photo)))
    try:
        if not partial.full:
            assert asyncio.run(partial.receive(_pieces(photo[start:end]), sniff, SNIFF_BYTES)) is None
        if not keep:
            getattr(partial, "_flush", lambda: None)()            # the database store keeps its pieces
            return None
        return partial.keep(verifier(name))
    finally:
        partial.close()


def test_an_upload_cut_on_one_node_resumes_on_another(photos, storage):
    clock, photo = Clock(), jpeg(200_000)
    name = sha(photo)
    first = uploads(photos, clock)
    assert first.state(name, OFFICER.username) == (None, False)
    assert send(first, OFFICER.username, name, photo, 0, 70_000).offset == 70_000
    assert first.offset(name, "someone.else") is None                 # one account's partial, no one else's
    with second_node(storage, photos) as other:
        resumed = uploads(other, clock)
        assert resumed.state(name, OFFICER.username) == (70_000, False)
        done = send(resumed, OFFICER.username, name, photo, 70_000, len(photo))
        assert (done.offset, done.complete) == (len(photo), True)
        assert other.read(name) == photo
    assert photos.read(name) == photo and first.offset(name, OFFICER.username) is None


def test_a_partial_holding_every_byte_is_stored_by_the_next_request(photos):
    clock, photo = Clock(), jpeg()
    name = sha(photo)
    store = uploads(photos, clock)
    assert send(store, OFFICER.username, name, photo, 0, len(photo), keep=False) is None
    assert store.offset(name, OFFICER.username) == len(photo) and not photos.exists(name)
    done = send(store, OFFICER.username, name, photo, len(photo) - 100, len(photo))    # the repeat of the last chunk
    assert done.complete and photos.read(name) == photo


def test_a_partial_is_held_by_one_request_at_a_time(photos, storage):
    clock, photo = Clock(), jpeg()
    name, owner = sha(photo), OFFICER.username
    store = uploads(photos, clock)
    send(store, owner, name, photo, 0, 30_000)
    holding = store.open(name, owner, Span(30_000, 39_999, len(photo)))
    try:
        assert store.state(name, owner) == (30_000, True)
        with second_node(storage, photos) as other, pytest.raises(Conflict) as busy:
            uploads(other, clock).open(name, owner, Span(30_000, 39_999, len(photo)))
        assert (busy.value.code, busy.value.details) == ("media.upload_in_progress", {"offset": 30_000})
    finally:
        holding.close()
    assert store.state(name, owner) == (30_000, False)
    with pytest.raises(Conflict) as early:
        store.open(name, owner, Span(50_000, 59_999, len(photo)))
    assert (early.value.code, early.value.details) == ("media.offset_mismatch", {"offset": 30_000})


def test_a_hold_whose_node_died_lapses_in_the_database_store(storage):
    photos = open_photo_store(replace(SETTINGS, media_store="database"), storage)
    clock, photo, owner = Clock(), jpeg(), OFFICER.username
    name = sha(photo)
    send(uploads(photos, clock), owner, name, photo, 0, 30_000)
    uploads(photos, clock).open(name, owner, Span(30_000, 39_999, len(photo)))     # never closed: the node died
    later = photos.partial_uploads(SETTINGS, clock)
    later.real_time = lambda: NOW.timestamp() + 10 ** 10                           # far past every hold
    assert later.state(name, owner) == (30_000, False)
    assert HOLD_SECONDS <= 60                                                     # a resume waits at most a minute
    later.open(name, owner, Span(30_000, 39_999, len(photo))).close()


def test_a_bad_hash_or_type_at_the_end_discards_the_partial(photos):
    clock, photo = Clock(), jpeg()
    store, wrong = uploads(photos, clock), sha(b"another photo")
    send(store, OFFICER.username, wrong, photo, 0, 50_000)
    with pytest.raises(InvalidInput):
        send(store, OFFICER.username, wrong, photo, 50_000, len(photo))
    assert store.offset(wrong, OFFICER.username) is None and not photos.exists(wrong)
    gif = b"GIF89a" + os.urandom(5_000)
    send(store, OFFICER.username, sha(gif), gif, 0, 4)                            # too short to judge yet
    with pytest.raises(UnsupportedMediaType):
        send(store, OFFICER.username, sha(gif), gif, 4, len(gif))
    assert store.offset(sha(gif), OFFICER.username) is None


def test_a_body_longer_than_its_range_keeps_nothing_of_that_request(photos):
    clock, photo = Clock(), jpeg()
    name = sha(photo)
    store = uploads(photos, clock)
    send(store, OFFICER.username, name, photo, 0, 20_000)
    partial = store.open(name, OFFICER.username, Span(20_000, 39_999, len(photo)))
    try:
        with pytest.raises(InvalidInput):
            asyncio.run(partial.receive(_pieces(photo[20_000:45_000], 5_000), sniff, SNIFF_BYTES))
    finally:
        partial.close()
    assert store.offset(name, OFFICER.username) == 20_000


def test_partials_past_the_accounts_quota_are_refused(photos):
    clock, owner = Clock(), OFFICER.username
    store = uploads(photos, clock)
    first, second, third = jpeg(250_000), jpeg(150_000), jpeg(50_000)
    send(store, owner, sha(first), first, 0, 100_000)
    send(store, owner, sha(second), second, 0, 100_000)
    with pytest.raises(RateLimited) as many:                                      # 3 > 2 partials
        store.open(sha(third), owner, Span(0, 9_999, len(third)))
    assert many.value.code == "quota.partials" and many.value.details["held"] == 2
    assert uploads(photos, clock).offset(sha(third), owner) is None
    with pytest.raises(RateLimited):                                              # 200 KB + 150 KB > 300 KB
        store.open(sha(first), owner, Span(100_000, 249_999, len(first))).close()
    refused = []

    def room(size: int) -> None:
        refused.append(size)
        raise exceeded("photo_bytes", retry_after=60, limit=1)

    fussy = photos.partial_uploads(SETTINGS, clock, room=room)
    with pytest.raises(RateLimited) as bytes_quota:
        fussy.open(sha(first), owner, Span(100_000, 109_999, len(first)))
    assert bytes_quota.value.code == "quota.photo_bytes" and refused == [100_000 + 100_000 + 10_000]


def test_the_sweep_deletes_stale_partials_and_keeps_young_and_held_ones(photos, storage):
    clock, owner = Clock(), OFFICER.username
    stale, held, young = jpeg(), jpeg(), jpeg()
    store = uploads(photos, clock, partials=5)
    for photo in (stale, held):
        send(store, owner, sha(photo), photo, 0, 20_000)
    holding = store.open(sha(held), owner, Span(20_000, 29_999, len(held)))     # a request streams, slowly
    try:
        _age(photos, owner, sha(stale), sha(held))
        clock.at += GRACE + 60                                                    # past the grace period for both
        send(store, owner, sha(young), young, 0, 20_000)
        with second_node(storage, photos) as other:
            assert uploads(other, clock).sweep() == 1
        assert store.offset(sha(stale), owner) is None
    finally:
        holding.close()
    assert store.offset(sha(young), owner) == 20_000
    assert store.offset(sha(held), owner) is None                                 # looked at once free: stale


def _age(photos, owner: str, *names: str) -> None:
    """Files carry the real time of their last write; make them as old as the test clock's start."""
    if photos.kind == "directory":
        store = photos.partial_uploads(SETTINGS, Clock())
        for name in names:
            os.utime(Path(store.path(name, owner)), (NOW.timestamp(), NOW.timestamp()))
