"""The officer's loop on the in-process screens (issue 14): a task nudged on home, opened and
acknowledged offline; a report opened with its review and corrected into the prefilled form."""
from __future__ import annotations

from tests.app.builders import NOW, save_reports, uuid_for
from tests.app.test_app_tasks import TASK
from tests.ui.conftest import OFFICER, start_app, unlock
from tests.ui.test_ui_officer_shell import _choose_tab


async def test_a_task_is_nudged_on_home_opened_and_acknowledged(enrolled):
    enrolled.outbox.inbox.add(OFFICER, [TASK], now=NOW)
    app = await start_app(enrolled)
    await unlock(app)
    banner = app.find("banner-tasks")
    assert banner.visible and app.find("banner-tasks-text").value.startswith("1 tugas belum diterima")
    await app.click("banner-tasks")
    await app.click("feedback-item-7")
    assert app.find("fb-open-title").value == "Tugas: Kelurahan Pasar Sungai Penuh"
    assert app.find("fb-open-asked-0").value == "Cek posko di Jl. Muradi dan laporkan situasi. — Iptu Hendra"
    await app.click("task-acknowledge")
    assert [answer.action for answer in enrolled.outbox.tasks.for_alert(OFFICER, "a-9")] == ["acknowledge"]
    assert app.find("fb-open-answers-0").value.startswith("Diterima · ")
    assert not app.has("task-acknowledge") or not app.find("task-acknowledge").visible
    assert not app.find("banner-tasks").visible
    await app.close()


async def test_a_report_opens_with_its_review_and_koreksi_opens_the_prefilled_form(enrolled):
    save_reports(enrolled.outbox, 1)
    enrolled.outbox.claim(OFFICER, 1)
    enrolled.outbox.mark_sent(uuid_for(1), received_at=enrolled.clock())    # not yet old enough to purge
    enrolled.outbox.inbox.add(OFFICER, [{"seq": 3, "kind": "review", "data": {
        "report_id": uuid_for(1), "review": {"status": "rejected", "note": "Desa salah."}}}], now=NOW)
    app = await start_app(enrolled)
    await unlock(app)
    await _choose_tab(app, 1)
    await app.click(f"outbox-item-{uuid_for(1)}")
    assert app.find("report-open-review").value == "Ditolak — Desa salah."
    await app.click("report-correct")
    draft_facts = enrolled.outbox.get(uuid_for(1)).wire["facts"]
    assert enrolled.outbox.meta.get(OFFICER, "draft")["supersedes"] == uuid_for(1)
    assert app.find("form-facts").value == draft_facts
    await app.close()
