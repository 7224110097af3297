"""Regional alerts: aggregation of reports into region levels, alerts, escalation berjenjang,
coverage and the data of the exports (see docs/alerts.md). ``service.AlertService`` is the entry."""
