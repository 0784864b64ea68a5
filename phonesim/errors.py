"""The simulator's exceptions."""

from __future__ import annotations


class SimulatorError(RuntimeError):
    """The simulation cannot go on (a scripted caller ran out of answers, a bad answer...)."""


class CallerHangup(Exception):
    """Raised by a caller callback: the caller hangs up now."""
