""""Kirim lewat SMS" on the outbox: offered for a waiting report once the link has been down for a
while, it opens the phone's SMS composer with the signed PR1 text the server decodes back."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from field_app.sync_engine import LAST_SYNC_KEY
from field_app.viewmodels import OutboxList
from kerawanan import assets, sms_codec
from tests.app.builders import NOW, OFFICER, report, save_reports, uuid_for

KEY = bytes(range(32))
DEVICE = "3f2a9c1e-0b7d-4e55-9a61-1c2d3e4f5a6b"
GATEWAY = "+628110000001"
DESA_CODES = tuple(sorted(region.code for region in assets.gazetteer().regions("desa")))


def enrolled(outbox, **record) -> None:
    outbox.meta.set(OFFICER, "enrollment", {"device_id": DEVICE, "sms_key": KEY.hex(), "sms_number": GATEWAY,
                                            "user": {"username": OFFICER}, **record})


def decoded(urls: list[str]) -> sms_codec.Decoded:
    parts = []
    for url in urls:
        split = urlsplit(url)
        assert (split.scheme, split.path) == ("sms", GATEWAY) and split.query.startswith("body=")
        parts.append(sms_codec.parse_part(unquote(split.query[len("body="):])))
    body, sig = sms_codec.join_parts(parts)
    assert sms_codec.verify(KEY, parts[0], body, sig)
    return sms_codec.decode_body(body, DESA_CODES)


def every_part(screen: OutboxList, report_id: str) -> list[str]:
    urls = [screen.next_sms(report_id)]
    while report_id in screen.sms_queue:
        urls.append(screen.next_sms(report_id))
    return urls


def test_offered_only_after_the_link_has_been_down_a_while(outbox, clock):
    enrolled(outbox)
    save_reports(outbox, 1, now=clock())
    screen = OutboxList(outbox, OFFICER, clock=clock)
    assert not screen.items[0].can_sms                       # just saved: the sync may still manage
    clock.advance(minutes=11)
    screen.refresh()
    assert screen.items[0].can_sms and screen.items[0].sms_text == "Kirim lewat SMS"
    outbox.meta.set(OFFICER, LAST_SYNC_KEY, clock().isoformat())   # a sync just succeeded: not down
    screen.refresh()
    assert not screen.items[0].can_sms


def test_not_offered_without_an_sms_key_or_for_a_sent_report(outbox, clock):
    enrolled(outbox, sms_key=None)
    save_reports(outbox, 1, now=clock())
    clock.advance(minutes=30)
    assert not OutboxList(outbox, OFFICER, clock=clock).items[0].can_sms
    enrolled(outbox)
    outbox.mark_sent(uuid_for(1), received_at=NOW)
    assert not OutboxList(outbox, OFFICER, clock=clock).items[0].can_sms


def test_the_composer_gets_the_signed_report_and_the_server_decodes_it_whole(outbox, clock):
    enrolled(outbox)
    save_reports(outbox, 1, now=clock())
    clock.advance(minutes=15)
    screen = OutboxList(outbox, OFFICER, clock=clock)
    urls = every_part(screen, uuid_for(1))
    assert decoded(urls).wire == report(1).to_wire()
    again = every_part(screen, uuid_for(1))                  # composing again: a new counter, not a replay
    assert sms_codec.parse_part(unquote(urlsplit(again[0]).query[5:])).counter == \
        sms_codec.parse_part(unquote(urlsplit(urls[0]).query[5:])).counter + 1


def test_a_long_report_goes_part_by_part(outbox, clock):
    enrolled(outbox)
    outbox.save(report(1, facts="Massa berkumpul di depan kantor PPS sejak sore. " * 6), officer=OFFICER, now=clock())
    clock.advance(minutes=15)
    screen = OutboxList(outbox, OFFICER, clock=clock)
    first = screen.next_sms(uuid_for(1))
    total = screen.sms_queue[uuid_for(1)][1]
    assert total > 1 and screen.items[0].sms_text == f"Kirim bagian 2/{total} lewat SMS"
    urls = [first] + [screen.next_sms(uuid_for(1)) for _ in range(total - 1)]
    assert decoded(urls).wire["facts"] == report(1, facts="Massa berkumpul di depan kantor PPS sejak sore. " * 6).facts
    assert screen.items[0].sms_text == "Kirim lewat SMS"


def test_the_officer_may_choose_sms_for_a_waiting_report_at_any_time(outbox, clock):
    enrolled(outbox)
    save_reports(outbox, 2, now=clock())
    outbox.mark_sent(uuid_for(2), received_at=NOW)
    screen = OutboxList(outbox, OFFICER, clock=clock)
    assert not screen.items[0].can_sms                        # the card does not offer it yet
    assert screen.sms_choice(uuid_for(1)) == "Kirim lewat SMS"    # the opened report does
    assert screen.sms_choice(uuid_for(2)) == ""                   # already sent
    enrolled(outbox, sms_number=None)
    assert screen.sms_choice(uuid_for(1)) == ""                   # no gateway number: no SMS
