"""Monitoring alerts channel (issue #6): Alertmanager's webhook and the on-call acknowledgement.

:func:`init_app` mounts the blueprint on the app built by ``web.create_app``.
"""

from web.alerts.views import bp, init_app

__all__ = ["bp", "init_app"]
