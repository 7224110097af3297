"""The three-tap quick report: category, threat stage, confirm. The desa comes from GPS.

The wire format requires ``facts``; when the officer writes nothing the facts are filled from the
category and threat stage ("Laporan cepat: Bentrok antar pendukung (GN - Gangguan Nyata).").
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from field_app.i18n import Translator
from field_app.outbox import Outbox
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from field_app.viewmodels.report_form import Choice, ReportForm
from kerawanan import assets

STEPS = ("category", "threat_stage", "confirm", "done")
NOTE_LIMIT = 200


@lru_cache(maxsize=1)
def quick_orders() -> dict[str, tuple[str, ...]]:
    """``[quick_order]`` of ``assets/vocabulary.toml``: tahapan code -> categories that come first."""
    table = tomllib.loads(assets.read_text("vocabulary.toml")).get("quick_order") or {}
    return {str(stage): tuple(str(code) for code in codes) for stage, codes in table.items()}


class QuickReport(ViewModel):
    def __init__(self, outbox: Outbox, officer: str, *, clock: Clock = utc_now,
                 translator: Translator | None = None, on_saved: Callable[[str], None] | None = None,
                 **form_options: Any):
        super().__init__(clock=clock, translator=translator)
        self.form = ReportForm(outbox, officer, clock=clock, translator=self.t, on_saved=on_saved, **form_options)
        self.form.subscribe(self.changed)
        self.step = "category"
        self.note = ""                     # the optional one line, added to the generated facts

    def reset(self) -> None:
        self.step = "category"
        self.note = ""
        self.form.reset()

    # ------------------------------------------------------------ what the screen shows

    @property
    def step_title(self) -> str:
        return self.t(f"quick.step.{self.step}")

    @property
    def category_choices(self) -> list[Choice]:
        """The categories, what matters in the current tahapan first (``[quick_order]`` of
        ``assets/vocabulary.toml``), then the rest in their binding order."""
        choices = self.form.category_choices
        try:
            stage = self.form.calendar.stage_for(self.clock())
        except (ValueError, KeyError):
            stage = None
        orders = quick_orders()
        first = orders.get(stage, orders.get("default", ()))
        rank = {code: index for index, code in enumerate(first)}
        return sorted(choices, key=lambda choice: rank.get(choice.code, len(rank)))

    @property
    def threat_stage_choices(self) -> list[Choice]:
        return self.form.threat_stage_choices

    @property
    def needs_desa(self) -> bool:
        return self.form.desa_code is None

    @property
    def desa_note(self) -> str | None:
        """How the desa was found, or what to do when GPS did not find it."""
        if self.form.desa_code is None:
            return self.form.desa_how or self.t("quick.desa_needed")
        return self.form.desa_how

    @property
    def summary(self) -> dict[str, str | None]:
        form, vocabulary, lang = self.form, self.form.vocabulary, self.t.lang
        return {
            "category": vocabulary.category(form.category).label(lang) if form.category else None,
            "threat_stage": vocabulary.threat_stage(form.threat_stage).label(lang) if form.threat_stage else None,
            "desa": form.desa_name, "desa_how": self.desa_note, "facts": self.facts_to_send(),
        }

    @property
    def errors(self) -> dict[str, str]:
        return self.form.errors

    @property
    def message(self) -> str | None:
        return self.form.message

    @property
    def saved_id(self) -> str | None:
        return self.form.saved_id

    # ------------------------------------------------------------ intents (the three taps and helpers)

    def choose_category(self, code: str) -> None:
        self.form.choose_category(code)
        if self.form.category:
            self._go("threat_stage")

    def choose_threat_stage(self, code: str) -> None:
        self.form.choose_threat_stage(code)
        if self.form.threat_stage:
            self._go("confirm")

    def back(self) -> None:
        index = STEPS.index(self.step)
        if 0 < index < len(STEPS) - 1:
            self._go(STEPS[index - 1])

    def use_gps(self, lat: float, lon: float, accuracy: float | None = None) -> None:
        self.form.use_gps(lat, lon, accuracy)

    def set_desa(self, code: str) -> None:
        self.form.set_desa(code)

    def set_facts(self, text: str) -> None:
        self.form.set_facts(text)

    def set_note(self, text: str) -> None:
        """The optional one-line note ("Sekitar 40 orang saling dorong")."""
        self.note = " ".join(text.split())[:NOTE_LIMIT]
        self.changed()

    def facts_to_send(self) -> str:
        form = self.form
        if form.facts.strip():
            return form.facts.strip()
        if not (form.category and form.threat_stage):
            return ""
        threat = form.vocabulary.threat_stage(form.threat_stage)
        facts = self.t("quick.facts", category=form.vocabulary.category(form.category).label(self.t.lang),
                       threat_stage=f"{threat.code} - {threat.label(self.t.lang)}")
        return f"{facts} {self.note}" if self.note else facts

    def confirm(self, now: datetime) -> str | None:
        """The third tap: save now (observed now). Returns the saved id, or None with ``errors``."""
        if self.step != "confirm":
            return None
        written = self.form.facts
        self.form.set_facts(self.facts_to_send())
        self.form.set_observed_at(now)
        saved = self.form.submit(now)
        if saved is None:
            self.form.facts = written        # keep the officer's own words (or none) for the retry
            self.changed()
        else:
            self._go("done")
        return saved

    def _go(self, step: str) -> None:
        self.step = step
        self.changed()
