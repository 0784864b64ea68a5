"""The action server's gate: only ``Authorization: Bearer <secret>`` opens it; no secret, no
server."""

from __future__ import annotations

import pytest

from bot.action_server import authorized, create_app
from core.settings import SettingsError


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer s3cre", "Bearer s3cret ", "bearer s3cret", "s3cret"],
)
def test_anything_but_the_exact_bearer_secret_is_refused(header: str | None) -> None:
    """Missing, truncated, padded, differently cased or bare: not Rasa."""
    assert not authorized(header, "s3cret")


def test_the_exact_bearer_secret_is_accepted() -> None:
    assert authorized("Bearer s3cret", "s3cret")


def test_an_empty_secret_opens_nothing_and_the_server_refuses_to_start() -> None:
    """Production without FRONTDOOR_ACTIONS_SECRET: no request matches, no app is built."""
    assert not authorized("Bearer ", "")
    with pytest.raises(SettingsError, match="FRONTDOOR_ACTIONS_SECRET"):
        create_app("")
