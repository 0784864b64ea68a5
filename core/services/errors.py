"""Errors the services raise for bad input; entry points turn them into one clear line."""

from __future__ import annotations


class ServiceError(ValueError):
    """A request the service cannot carry out as asked (bad input, unknown reference)."""


class UnknownContract(ServiceError):
    def __init__(self, code: str):
        super().__init__(f"unknown contract {code!r}")
        self.code = code


class UnknownTicket(ServiceError):
    def __init__(self, number: str):
        super().__init__(f"unknown ticket {number!r}")
        self.number = number
