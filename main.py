"""The ``flet build apk`` entry point (``[tool.flet.app] module = "main"``): the officer's app on the phone.

Same ``main`` as web mode; here Flet's own runtime hosts it, the outbox lives in
``FLET_APP_STORAGE_DATA`` on the phone and device tokens go to the Android Keystore.
"""
import flet as ft

from field_app.main import main

if __name__ == "__main__":
    ft.run(main)
