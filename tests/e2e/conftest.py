"""Fixtures for the IVR end-to-end tests: the app on the demo data, with an injectable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from core.bootstrap import Frontdoor
from core.demo import demo_contracts, load_demo
from ivr import IvrSettings
from web import create_app

from .twilio_client import PUBLIC_BASE_URL, TOKEN, TwilioClient

DEMO_TODAY = date(2026, 11, 23)  # demo contracts run from 200 days before to 365 days after
NUMBERS = {"americas": "+13055013030", "europe": "+390584943232", "middle_east": "+97143605197"}
DESK = "+390500000000"
ON_CALL = ("+390511111111", "+390522222222")


@dataclass
class Clock:
    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def set(self, iso: str) -> None:
        self.at = datetime.fromisoformat(iso)


@dataclass
class Ivr:
    fd: Frontdoor
    clock: Clock
    twilio: TwilioClient

    def phone_of(self, code: str, role: str = "admin") -> str:
        """The demo phone number of a contract's contact with ``role``."""
        spec = next(s for s in demo_contracts(DEMO_TODAY) if s.code == code)
        contact = next(c for c in spec.contacts if c.role == role)
        assert contact.phone is not None
        return contact.phone


def make_ivr(fd: Frontdoor, settings: IvrSettings, at: str) -> Ivr:
    clock = Clock(datetime.fromisoformat(at))
    config = {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "FRONTDOOR_IVR": settings,
        "FRONTDOOR_CLOCK": clock,
    }
    return Ivr(fd, clock, TwilioClient(create_app(config, frontdoor=fd)))


@pytest.fixture
def demo(frontdoor: Frontdoor) -> Frontdoor:
    load_demo(frontdoor.uow(), DEMO_TODAY)
    return frontdoor


@pytest.fixture
def ivr(demo: Frontdoor) -> Iterator[Ivr]:
    """The IVR on the demo data, desk and on-call numbers configured, Monday 10:00 in Rome."""
    settings = IvrSettings(desk_numbers={"*": DESK}, on_call_numbers=ON_CALL)
    yield make_ivr(demo, settings, "2026-11-23T10:00:00+01:00")


@pytest.fixture
def ivr_factory(demo: Frontdoor) -> Callable[[IvrSettings], Ivr]:
    return lambda settings: make_ivr(demo, settings, "2026-11-23T10:00:00+01:00")
