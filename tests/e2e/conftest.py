"""End-to-end fixtures: the IVR app on the demo data with an injectable clock, and a real
browser against the real app (the Flask app served by werkzeug in a background thread on
127.0.0.1 and a free port, driven by Playwright in Debian's headless Chromium)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from flask import Flask
from integration.console import Clock as ConsoleClock
from integration.console import Seeded, make_app, seed
from werkzeug.serving import BaseWSGIServer, make_server

from core.bootstrap import Frontdoor, bootstrap
from core.demo import demo_contracts, load_demo
from core.settings import load_settings
from ivr import IvrSettings
from tests.e2e.chat_stack import SECRET, ChatStack, chat_stack, train_model
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


CHROMIUM = os.environ.get("FRONTDOOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per module (scripts/chromium-up.sh installs it). Module-scoped: Playwright's
    sync API keeps an asyncio loop running in this thread while it is up, and later tests that
    call ``asyncio.run`` (rasa_sdk actions) would then fail."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/chromium-up.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def seeded(frontdoor: Frontdoor) -> Seeded:
    return seed(frontdoor)


@pytest.fixture
def live_app(frontdoor: Frontdoor, seeded: Seeded) -> Flask:
    return make_app(frontdoor, ConsoleClock())


@pytest.fixture
def base_url(live_app: Flask) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 until the test ends."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(browser: object, base_url: str) -> Iterator[object]:
    """A fresh browser context (no cookies) per test."""
    context = browser.new_context(base_url=base_url)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def shared_chat_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatStack]:
    """Rasa (REST, API disabled) + the action server on a demo SQLite database, once a session;
    the model is trained first unless models/ already holds one for the current data."""
    train_model()
    with chat_stack(tmp_path_factory.mktemp("chat-stack")) as running:
        yield running


@pytest.fixture(scope="session")
def help_center_frontdoor(shared_chat_stack: ChatStack) -> Iterator[Frontdoor]:
    """The core wired on the stack's database (the one the action server writes tickets to)."""
    fd = bootstrap(load_settings({"DATABASE_URL": shared_chat_stack.database_url}))
    yield fd
    fd.dispose()


@pytest.fixture(scope="session")
def help_center_url(
    shared_chat_stack: ChatStack, help_center_frontdoor: Frontdoor
) -> Iterator[str]:
    """The web app on a free local port, forwarding to the stack's Rasa; its base URL."""
    rasa_url = shared_chat_stack.rest_url.removesuffix("/webhooks/rest/webhook")
    app = create_app(
        {
            "FRONTDOOR_RASA_URL": rasa_url,
            "FRONTDOOR_RASA_TIMEOUT": 60.0,
            "FRONTDOOR_CHAT_TOKEN_SECRET": SECRET,
        },
        frontdoor=help_center_frontdoor,
    )
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
