"""Fixtures of the staff console tests (seeded database, app with a fixed clock, clients)."""

from __future__ import annotations

import pytest
from flask import Flask

from core.bootstrap import Frontdoor

from .console import Clock, ConsoleClient, Seeded, make_app, seed


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seeded(frontdoor: Frontdoor) -> Seeded:
    return seed(frontdoor)


@pytest.fixture
def app(frontdoor: Frontdoor, seeded: Seeded, clock: Clock) -> Flask:
    return make_app(frontdoor, clock)


@pytest.fixture
def console(app: Flask) -> ConsoleClient:
    """A signed-out browser."""
    return ConsoleClient(app.test_client())


@pytest.fixture
def agent(console: ConsoleClient) -> ConsoleClient:
    assert console.sign_in().status_code == 302
    return console


@pytest.fixture
def admin(app: Flask) -> ConsoleClient:
    client = ConsoleClient(app.test_client())
    assert client.sign_in("admin@example.com").status_code == 302
    return client
