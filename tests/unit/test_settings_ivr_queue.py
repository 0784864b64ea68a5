"""The desk queue's settings: hold music (https only) and when the callback is offered."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings


def test_hold_music_and_the_offer_delay_are_read_with_defaults() -> None:
    """Unset: no music (a pause), the offer after 120 s; set: as given."""
    default = load_settings({}).ivr
    assert (default.hold_music_url, default.callback_offer_after) == ("", 120)
    env = {
        "FRONTDOOR_IVR_HOLD_MUSIC_URL": "https://media.example.com/hold.mp3",
        "FRONTDOOR_IVR_CALLBACK_OFFER_AFTER": "45",
    }
    ivr = load_settings(env).ivr
    assert (ivr.hold_music_url, ivr.callback_offer_after) == (
        env["FRONTDOOR_IVR_HOLD_MUSIC_URL"],
        45,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FRONTDOOR_IVR_HOLD_MUSIC_URL", "http://media.example.com/hold.mp3"),
        ("FRONTDOOR_IVR_CALLBACK_OFFER_AFTER", "soon"),
        ("FRONTDOOR_IVR_CALLBACK_OFFER_AFTER", "0"),
    ],
)
def test_a_bad_queue_setting_is_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
