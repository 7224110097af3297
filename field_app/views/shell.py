"""The officer's shell: four tabs, an always-visible sync strip, and the two report screens.

The shell owns the officer's view-models and wires them to the background sync: the hub is
started here (on unlock) and woken on save, on a connectivity change and on "Kirim sekarang".
Every sync pass re-renders the strip and the lists from the event loop, then pushes the update
itself (background work gets no auto-update).
"""
from __future__ import annotations

import asyncio

import flet as ft

from field_app.sync_engine import SyncOutcome, WakeReason
from field_app.viewmodels import Feedback, OutboxList
from field_app.viewmodels.enrollment import OfficerSession
from field_app.viewmodels.nihil import Nihil
from field_app.views import theme
from field_app.views.base import Part, Screen

TABS = ("home", "outbox", "feedback", "settings")
TAB_ICONS = {"home": (ft.Icons.HOME_OUTLINED, ft.Icons.HOME), "outbox": (ft.Icons.OUTBOX, ft.Icons.OUTBOX),
             "feedback": (ft.Icons.FORUM_OUTLINED, ft.Icons.FORUM),
             "settings": (ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS)}


class OfficerShell(Screen):
    def __init__(self, app, session: OfficerSession):
        super().__init__(app)
        self.session = session
        device = app.device
        self.hub = device.hub_for(session)
        self.outbox_vm = OutboxList(device.outbox, session.officer, clock=device.clock, translator=app.t,
                                    engine=self.hub.engine, wake=self.hub.wake)
        self.feedback_vm = Feedback(device.outbox, session.officer, clock=device.clock, translator=app.t,
                                    on_answer=self._task_answered)
        self.nihil_vm = Nihil(device.outbox, session.officer, session.scope, clock=device.clock, translator=app.t,
                              on_saved=self.report_saved)
        self.tab = "home"
        self.part: Part | None = None
        self.report_screen = False

    # ------------------------------------------------------------ frame

    def build(self) -> ft.Control:
        self.title = theme.text("", size=20, bold=True, color=theme.SURFACE, key="shell-title")
        self.content = ft.Container(expand=True)
        self.banners = Banners(self)
        self.strip = StatusStrip(self)
        strip = self.strip.build()
        self.nav = ft.NavigationBar(destinations=[], on_change=self._nav_changed, key="nav",
                                    bgcolor=theme.PANEL, indicator_color="#C9D6EE")
        self.back = ft.IconButton(ft.Icons.ARROW_BACK, icon_color=theme.SURFACE, key="shell-back",
                                  tooltip=self.t("action.back"), on_click=lambda: self.show_tab(self.tab),
                                  visible=False, icon_size=28)
        self._appbar = ft.AppBar(
            title=self.title, bgcolor=theme.NAVY, leading=self.back, automatically_imply_leading=False,
            actions=[ft.IconButton(ft.Icons.LOCK, icon_color=theme.SURFACE, key="shell-lock", icon_size=28,
                                   tooltip=self.t("settings.lock"), on_click=lambda: self.app.lock())])
        self.keep(self.hub.subscribe(self._sync_event))
        self.app.connectivity_listener = self._connectivity_changed
        self.page.on_app_lifecycle_state_change = self._lifecycle_changed
        self.outbox_vm.sync_running = self.hub.running
        self.outbox_vm.outcome = self.hub.last
        self.watch(self.outbox_vm, self.strip.render)
        self.watch(self.feedback_vm, self._render_nav)
        self.watch(self.feedback_vm, self.banners.render)
        self.page.on_connect = self._page_connected
        self.hub.start(self.page)
        self.hub.wake(WakeReason.START)
        self.ticking = True
        self.page.run_task(self._tick)
        self.show_tab("home")
        return ft.Column([self.banners.build(), self.content, strip], spacing=0, expand=True)

    async def _tick(self) -> None:
        """Once a second while a next try is counted down: "dicoba lagi dalam N detik" stays true."""
        while self.ticking:
            await asyncio.sleep(1.0)
            if self.ticking and self.outbox_vm.state.phase in ("waiting", "failed"):
                self.outbox_vm.refresh()
                self.app.push()

    def _page_connected(self, e=None) -> None:
        """Web mode: the browser is back on the app server (while it was gone, the page itself said so:
        ``field_app/web/link_banner.js``); sync now and show the truth."""
        self.banners.render()
        self.hub.wake(WakeReason.CONNECTIVITY)

    def appbar(self) -> ft.AppBar:
        return self._appbar

    def navigation_bar(self) -> ft.NavigationBar:
        return self.nav

    def dispose(self) -> None:
        self.ticking = False
        if self.part is not None:
            self.part.dispose()
        if self.app.connectivity_listener == self._connectivity_changed:
            self.app.connectivity_listener = None
        if self.page.on_app_lifecycle_state_change == self._lifecycle_changed:
            self.page.on_app_lifecycle_state_change = None
        super().dispose()

    # ------------------------------------------------------------ navigation

    def show_tab(self, tab: str) -> None:
        from field_app.views.feedback import FeedbackPage
        from field_app.views.home import HomePage
        from field_app.views.outbox import OutboxPage
        from field_app.views.settings import SettingsPage

        pages = {"home": HomePage, "outbox": OutboxPage, "feedback": FeedbackPage, "settings": SettingsPage}
        self.tab = tab
        self._show_part(pages[tab](self), title=self.t(f"nav.{tab}"), report=False)

    def show_quick_report(self) -> None:
        from field_app.views.quick_report import QuickReportPage

        self._show_part(QuickReportPage(self), title=self.t("home.quick"), report=True)

    def show_full_report(self) -> None:
        from field_app.views.report_form import ReportFormPage

        self._show_part(ReportFormPage(self), title=self.t("home.full"), report=True)

    def _show_part(self, part: Part, *, title: str, report: bool) -> None:
        if self.part is not None:
            self.part.dispose()
        self.part, self.report_screen = part, report
        self.title.value = title
        self.back.visible = report
        self.strip.root.visible = not report
        self.banners.render()
        self.nav.visible = not report
        self.content.content = part.build()
        self._render_nav()

    def _nav_changed(self, e) -> None:
        self.show_tab(TABS[int(e.control.selected_index)])

    def _render_nav(self) -> None:
        unread = self.feedback_vm.total_unread
        self.nav.selected_index = TABS.index(self.tab)
        self.nav.destinations = [self._destination(tab, unread if tab == "feedback" else 0) for tab in TABS]

    def _destination(self, tab: str, badge: int) -> ft.NavigationBarDestination:
        outline, filled = TAB_ICONS[tab]
        def marked(name) -> ft.Icon:
            return ft.Icon(name, badge=ft.Badge(label=str(badge), bgcolor=theme.ERROR) if badge else None)
        return ft.NavigationBarDestination(icon=marked(outline), selected_icon=marked(filled),
                                           label=self.t(f"nav.{tab}"), key=f"nav-{tab}")

    def refresh_language(self) -> None:
        """After a language switch: every text of the shell in the new language."""
        self._appbar.actions[0].tooltip = self.t("settings.lock")
        self.back.tooltip = self.t("action.back")
        self.outbox_vm.refresh()
        self.feedback_vm.refresh()
        self.show_tab(self.tab)

    # ------------------------------------------------------------ sync

    def report_saved(self, report_id: str) -> None:
        self.outbox_vm.refresh()
        self.hub.wake(WakeReason.SAVED)

    def sync_now(self) -> None:
        self.outbox_vm.sync_now()

    def _lifecycle_changed(self, e) -> None:
        """Going to the background: keep what the officer typed (Android may kill the app there)."""
        if e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE, ft.AppLifecycleState.INACTIVE):
            keep = getattr(self.part, "keep_draft", None)
            if keep is not None:
                keep()
        elif e.state == ft.AppLifecycleState.RESUME:
            self.hub.wake(WakeReason.CONNECTIVITY)

    def _connectivity_changed(self) -> None:
        self.banners.render()
        self.hub.wake(WakeReason.CONNECTIVITY)
        self.app.push()

    def _task_answered(self) -> None:
        self.outbox_vm.refresh()
        self.hub.wake(WakeReason.SAVED)

    def show_tasks(self) -> None:
        self.feedback_vm.choose_kind("task")
        self.show_tab("feedback")

    def _sync_event(self, event: str, outcome: SyncOutcome | None) -> None:
        if event == "start":
            self.outbox_vm.sync_started()
        elif event == "progress":
            self.outbox_vm.refresh()
        elif outcome is not None:
            self.outbox_vm.show_outcome(outcome)
            self.feedback_vm.reopen()
        self.app.push()


class StatusStrip(Part):
    """Pending count, last successful sync, what sync is doing, and "Kirim sekarang": on every tab."""

    def __init__(self, shell: OfficerShell):
        super().__init__(shell.app)
        self.shell = shell
        self.vm = shell.outbox_vm

    def build(self) -> ft.Control:
        self.icon = ft.Icon(ft.Icons.CLOUD_OFF, size=28, color=theme.INK)
        self.pending = theme.text("", size=16, bold=True, key="status-pending")
        self.last_sync = theme.text("", size=14, color=theme.MUTED, key="status-last-sync")
        self.state = theme.text("", size=14, key="status-sync")
        self.button = theme.secondary_button(self.t("status.sync_now"), lambda: self.shell.sync_now(),
                                             key="status-sync-now", icon=ft.Icons.SYNC)
        self.root = ft.Container(
            ft.Column([ft.Row([self.icon, theme.test_id("status-text", ft.Column(
                [self.pending, self.last_sync, self.state], spacing=2), container=True, expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START),
                       self.button], spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            bgcolor=theme.PANEL, padding=ft.Padding.symmetric(horizontal=16, vertical=10), key="status-strip",
            border=ft.Border.only(top=ft.BorderSide(1, "#C8CDD5")))
        self.render()
        return self.root

    def render(self) -> None:
        vm = self.vm
        self.pending.value = vm.pending_text + (f" · {vm.attention_text}" if vm.attention_text else "")
        self.last_sync.value = vm.last_sync_text
        self.state.value = vm.sync_text or ""          # the same words as every unsent card
        self.state.visible = bool(self.state.value)
        self.icon.icon = PHASE_ICONS.get(vm.state.phase, ft.Icons.CLOUD_QUEUE)
        theme.set_label(self.button, self.t("status.sync_now"))


PHASE_ICONS = {"sending": ft.Icons.CLOUD_UPLOAD, "checking": ft.Icons.CLOUD_SYNC, "waiting": ft.Icons.CLOUD_OFF,
               "failed": ft.Icons.ERROR_OUTLINE,
               "revoked": ft.Icons.BLOCK, "done": ft.Icons.CLOUD_DONE, "queued": ft.Icons.HOURGLASS_TOP}


class Banners(Part):
    """Above every tab: no connection (at once), tasks not acknowledged. (The app server lost, in web
    mode, is said by the page itself: this side is the one that is gone.)"""

    def __init__(self, shell: OfficerShell):
        super().__init__(shell.app)
        self.shell = shell

    def build(self) -> ft.Control:
        self.offline = _banner(ft.Icons.WIFI_OFF, "banner-offline", "#FFF3CD")
        self.tasks = _banner(ft.Icons.ASSIGNMENT_LATE, "banner-tasks", "#FDE2E1",
                             on_click=lambda: self.shell.show_tasks())
        self.root = ft.Column([self.offline, self.tasks], spacing=0)
        self.render()
        return self.root

    def render(self) -> None:
        if not hasattr(self, "root"):
            return
        link = getattr(self.shell.hub.engine, "link", frozenset())
        offline = bool(link) and link <= {"none"}
        self.offline.visible = offline and not self.shell.report_screen
        self.offline.content.controls[1].value = self.t("syncstate.offline_banner")
        waiting = self.shell.feedback_vm.unacknowledged_tasks
        self.tasks.visible = bool(waiting) and self.shell.tab == "home" and not self.shell.report_screen
        self.tasks.content.controls[1].value = self.t("task.nudge", count=waiting)


def _banner(icon: str, key: str, colour: str, on_click=None) -> ft.Container:
    return ft.Container(ft.Row([ft.Icon(icon, color=theme.INK), theme.text("", size=15, bold=True, expand=True,
                                                                           key=f"{key}-text")]),
                        key=key, bgcolor=colour, padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                        on_click=on_click, visible=False)
