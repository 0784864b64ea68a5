"""The action server's clock: the real one, or FRONTDOOR_CHAT_CLOCK_OFFSET seconds ahead outside
production (office hours shown at any time of day, in a demonstration or a test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.frontdoor import _clock
from core.settings import SettingsError, load_settings


def test_without_an_offset_the_action_server_reads_the_real_clock() -> None:
    chat = load_settings({}).chat
    before = datetime.now(UTC)
    now = _clock(chat)()
    assert before <= now <= datetime.now(UTC)


def test_an_offset_puts_the_action_servers_clock_that_far_ahead() -> None:
    chat = load_settings({"FRONTDOOR_CHAT_CLOCK_OFFSET": "36000"}).chat
    before = datetime.now(UTC)
    now = _clock(chat)()
    assert before + timedelta(hours=10) <= now <= datetime.now(UTC) + timedelta(hours=10)


@pytest.mark.parametrize("value", ["-60", "ten", "1.5"])
def test_an_offset_that_is_not_a_whole_number_of_seconds_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="FRONTDOOR_CHAT_CLOCK_OFFSET"):
        load_settings({"FRONTDOOR_CHAT_CLOCK_OFFSET": value})
