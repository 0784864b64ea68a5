"""A real browser against the real app: the Flask app served by werkzeug in a background
thread on 127.0.0.1 and a free port, driven by Playwright in Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from integration.console import Clock, Seeded, make_app, seed
from werkzeug.serving import make_server

from core.bootstrap import Frontdoor

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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the session (scripts/chromium-up.sh installs it)."""
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
    return make_app(frontdoor, Clock())


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
