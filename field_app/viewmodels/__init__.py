"""Plain view-models for the officer's screens: data plus intent methods, no Flet.

Each gets the outbox, the sync engine or client, and a clock injected, so tests drive them
directly and the Flet views only render them and forward taps.
"""
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.enrollment import Enrollment, OfficerSession, Unlock, session_for
from field_app.viewmodels.feedback import Feedback, FeedbackItem
from field_app.viewmodels.outbox_list import OutboxItem, OutboxList
from field_app.viewmodels.quick_report import QuickReport
from field_app.viewmodels.report_form import Choice, DesaChoice, ReportForm

__all__ = ["Choice", "DesaChoice", "Enrollment", "Feedback", "FeedbackItem", "OfficerSession", "OutboxItem",
           "OutboxList", "QuickReport", "ReportForm", "Unlock", "ViewModel", "session_for"]
