"""The Flet screens: one module per screen over the plain view-models, plus the theme and the router.

``router.AppSession`` decides what a session shows (enroll, unlock, the shell of the session's
role); ``router.register_shell(role, factory)`` is where the supervisor screens plug in.
"""
