"""One alert: status and actions first, then personnel, the score explained, reports with photos, history.

Actions send the version on screen (If-Match). On 412 the banner says who changed the alert and the
screen shows the current state; the supervisor's action is not applied silently.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.feedback_opened import task_line
from field_app.viewmodels.personnel_words import personnel_lines
from field_app.viewmodels.supervisor_alert import AlertDetail, actions_for, grade_words, person
from field_app.views import theme
from field_app.views.base import Part, sends_update
from field_app.views.supervisor.common import (
    bind,
    category_words,
    dropdown,
    in_thread,
    level_badge,
    level_words,
    section_title,
    small,
    stage_words,
    status_chip,
    when,
)

ACTION_ICONS = {"acknowledge": ft.Icons.DONE, "assign": ft.Icons.PERSON_ADD, "respond": ft.Icons.EDIT_NOTE,
                "resolve": ft.Icons.TASK_ALT, "reopen": ft.Icons.REPLAY}


class AlertDetailPart(Part):
    def __init__(self, app, shell, alert_id: str):
        super().__init__(app)
        self.shell = shell
        self.vm = AlertDetail(shell.client, alert_id, clock=app.device.clock, translator=app.t)
        self.watch(self.vm, self.render)
        self.inputs = {"note": "", "assignee": "", "response": ""}

    def build(self) -> ft.Control:
        self.body = ft.Column(spacing=12, key="sv-detail")
        self.render()
        return theme.screen([self.body])

    def activate(self) -> None:
        self.page.run_task(self.reload)

    async def reload(self) -> None:
        if await in_thread(self.vm.load):
            await in_thread(self.vm.load_officers)

    # ------------------------------------------------------------ render

    def render(self) -> None:
        vm = self.vm
        parts: list[ft.Control] = []
        if vm.stale_notice:
            parts.append(ft.Container(theme.text(vm.stale_notice, size=16, bold=True, color="#5C1A00",
                                                 key="sv-stale"),
                                      bgcolor="#FFE0B2", padding=12, border_radius=8,
                                      border=ft.Border.all(2, "#E65100")))
        if vm.done:
            parts.append(theme.state_chip("sent", vm.done, key="sv-done"))
        if vm.problem:
            parts.append(theme.text(vm.problem, color=theme.ERROR, bold=True, key="sv-detail-problem"))
        if vm.alert:
            parts += self._header() + self._actions() + self._personnel() + self._score() + self._reports() + \
                self._history()
        self.body.controls = parts

    def _header(self) -> list[ft.Control]:
        a, t, lang = self.vm.alert, self.t, self.t.lang
        lines = [ft.Row([level_badge(a.get("level"), lang, key="sv-detail-level"),
                         status_chip(t(f"sv.status.{a.get('status')}"), key="sv-detail-status")], wrap=True),
                 theme.text(str(a.get("region_name")), size=22, bold=True, key="sv-detail-region"),
                 small(f"{stage_words(a.get('stage'), lang)} · "
                       + t("sv.alert.version", version=a.get("version"), status=t(f"sv.status.{a.get('status')}")),
                       key="sv-detail-version"),
                 small(t("sv.board.line", score=a.get("score"), reports=a.get("report_count"),
                         officers=a.get("officer_count"), owner=person(a, "owner")), key="sv-detail-owner")]
        if a.get("deadline_at"):
            lines.append(small(t("sv.board.deadline", time=when(t, a.get("deadline_at"), self.vm.clock()))))
        if a.get("assignee"):
            lines.append(small(t("sv.alert.assignee", assignee=person(a, "assignee")), color=theme.INK))
        if a.get("response"):
            lines.append(small(t("sv.alert.response", response=a["response"]), color=theme.INK))
        return lines

    def _actions(self) -> list[ft.Control]:
        t = self.t
        allowed = actions_for(self.vm.alert.get("status"))
        fields = [theme.field(t("sv.alert.note"), key="sv-note", value=self.inputs["note"],
                              on_change=self._setter("note"))]
        if "assign" in allowed:
            fields.append(self._assignee_picker())
        if "respond" in allowed:
            fields.append(theme.field(t("sv.alert.response_text"), key="sv-response", multiline=True,
                                      value=self.inputs["response"], on_change=self._setter("response")))
        buttons = [ft.FilledButton(content=t(f"sv.action.{name}"), icon=ACTION_ICONS[name], key=f"sv-act-{name}",
                                   on_click=bind(self._act, name), height=theme.TARGET,
                                   style=ft.ButtonStyle(bgcolor=theme.NAVY, color=theme.SURFACE,
                                                        icon_color=theme.SURFACE))
                   for name in allowed]
        return [section_title(t("sv.alert.actions")), *fields, ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)]

    def _assignee_picker(self) -> ft.Control:
        """Pick from the officers of the region (by rank, name and last sync), not an NRP typed in."""
        options = self.vm.officer_options()
        if not options:
            return small(self.t("sv.alert.no_officers"), key="sv-assignee-none")
        return dropdown(self.t("sv.alert.pick_officer"), options, key="sv-assignee",
                        value=self.inputs["assignee"] or None, width=520,
                        on_select=lambda e: self.inputs.__setitem__("assignee", e.control.value or ""))

    def _setter(self, name: str):
        def set_value(e) -> None:
            self.inputs[name] = e.control.value or ""
        return set_value

    @sends_update
    async def _act(self, action: str) -> None:
        ok = await in_thread(self.vm.act, action, note=self.inputs["note"], assignee=self.inputs["assignee"],
                             response=self.inputs["response"])
        if ok:
            self.inputs = {"note": "", "assignee": "", "response": ""}
            self.render()
            self.shell.parts.get("board") and self.page.run_task(self.shell.parts["board"].reload)

    def _personnel(self) -> list[ft.Control]:
        p, t = self.vm.alert.get("personnel") or {}, self.t
        if not p:
            return []
        first, *rest = personnel_lines(p, t)
        lines = [section_title(t("sv.alert.personnel")), theme.text(first, key="sv-personnel", bold=True),
                 *[small(line, color=theme.INK) for line in rest]]
        if p.get("estimate"):
            lines.append(small(t("sv.alert.estimate"), key="sv-estimate", color="#5C3B00"))
        ctx = self.vm.alert.get("context") or {}
        if ctx:
            lines.append(small(t("sv.alert.context", ikp=ctx.get("ikp_category") or "—",
                                 baseline=level_words(ctx.get("polda_baseline"), t.lang))))
        return lines

    def _score(self) -> list[ft.Control]:
        lines = self.vm.explanation_lines()
        return [section_title(self.t("sv.alert.score", score=self.vm.alert.get("score"))),
                ft.Column([small(line, color=theme.INK, selectable=True) for line in lines], spacing=2,
                          key="sv-explanation")]

    def _reports(self) -> list[ft.Control]:
        reports, t, lang = self.vm.alert.get("reports") or [], self.t, self.t.lang
        cards = []
        for r in reports:
            rows = [ft.Row([theme.threat_badge(str(r.get("threat_stage"))),
                            theme.text(category_words(r.get("category"), lang), bold=True, expand=True)]),
                    small(f"{r.get('desa_name') or r.get('desa_code')} · {when(t, r.get('observed_at'))} · "
                          f"{grade_words(t, r)} · {person(r, 'officer')} · "
                          + t(f"sv.rstatus.{(r.get('review') or {}).get('status') or 'pending'}")),
                    theme.text(str(r.get("facts") or ""), size=15, selectable=True)]
            if r.get("opinion"):
                rows.append(small(str(r["opinion"])))
            rows += [self._photo(sha) for sha in r.get("media") or []]
            cards.append(theme.panel(ft.Column(rows, spacing=4), key=f"sv-report-{r.get('id')}"))
        return [section_title(t("sv.alert.reports", count=len(reports))), *cards]

    def _photo(self, sha: str, *, answer: bool = False) -> ft.Control:
        data = self.vm.photos.get(sha)
        if data is None:
            self.page.run_task(self._load_photo, sha, answer)
            return small(self.t("sv.alert.photo_missing"))
        picture = ft.Image(src=data, width=240, fit=ft.BoxFit.CONTAIN, key=f"sv-photo-{sha[:12]}")
        return theme.test_id(f"sv-answer-photo-{sha[:12]}", picture, label=self.t("sv.alert.answer_photo")) \
            if answer else picture

    async def _load_photo(self, sha: str, answer: bool = False) -> None:
        if await in_thread(self.vm.fetch_photo, sha, answer=answer) is not None:
            self.render()
            self.app.push()

    def _history(self) -> list[ft.Control]:  # newest first; the assignee's answers in words, with photos
        t = self.t
        lines: list[ft.Control] = []
        for index, h in enumerate(reversed(self.vm.alert.get("history") or [])):
            lines.append(small(task_line(t, h, when(t, h.get("at"))) or
                               t("sv.alert.history_line", time=when(t, h.get("at")), actor=person(h, "actor"),
                                 event=self.vm.history_words(h), status=t(f"sv.status.{h.get('status')}"))
                               + (f" · {h['note']}" if h.get("note") else ""), color=theme.INK,
                               key=f"sv-history-{index}"))
            photos = self.vm.answer_photos(h)
            if photos:
                lines.append(ft.Row([self._photo(sha, answer=True) for sha in photos], wrap=True, spacing=8))
        return [section_title(t("sv.alert.history")), ft.Column(lines, spacing=2, key="sv-history")]
