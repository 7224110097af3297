"""The media port: photo metadata and uploaders."""
from __future__ import annotations

from tests.server.contract.builders import NOW, OFFICER, parsed


def test_media_metadata_and_uploaders(storage):
    assert storage.add_media("ab" * 32, 10, "image/png", "u1", NOW)
    assert not storage.add_media("ab" * 32, 10, "image/png", "u2", NOW)
    assert storage.get_media("ab" * 32).size == 10 and storage.get_media("cd" * 32) is None
    assert storage.media_uploaded_by("ab" * 32, "u2") and not storage.media_uploaded_by("ab" * 32, "u3")
    cited = parsed(media=["ab" * 32])
    storage.store_reports(OFFICER.username, None, [cited], NOW)
    assert [r.id for r in storage.reports_citing_media("ab" * 32)] == [cited.id]
