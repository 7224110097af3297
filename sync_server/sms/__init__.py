"""SMS: reports in from blank spots, alerts and escalations out, through a self-hosted gateway.

``gateway`` (the adapter interface: Gammu SMSD's files, an Android SMS-gateway app's webhook),
``store`` (the SMS tables), ``inbound`` (a PR1 report by SMS → the push intake), ``notify``
(alert events → SMS to commanders and officers), ``service`` (what the app and CLI hold), ``routes``.
The encoding itself is pure and lives in the core: ``kerawanan.sms_codec``. docs/sms.md.
"""
