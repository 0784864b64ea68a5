"""Session-wide end-to-end fixtures: the real chat stack (tests/e2e/chat_stack.py), the web app
on a werkzeug thread in front of it, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from core.bootstrap import Frontdoor, bootstrap
from core.settings import load_settings
from tests.e2e.chat_stack import SECRET, ChatStack, chat_stack, train_model
from web import create_app

CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/chromium-up.sh); no browser download
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (skips nothing: a missing browser fails).
    Module-scoped: Playwright's sync API keeps an asyncio loop running in this thread while it
    is up, and later tests that call ``asyncio.run`` (rasa_sdk actions) would then fail."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run scripts/chromium-up.sh"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
