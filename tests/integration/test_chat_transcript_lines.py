"""Several transcript lines in one transaction (a chat action's question and answers)."""

from __future__ import annotations

from datetime import UTC, datetime

from core import services
from core.bootstrap import Frontdoor
from core.model import Turn

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_lines_are_appended_in_order_with_secret_ones_masked(frontdoor: Frontdoor) -> None:
    """Two calls append four lines in order; only the line marked secret loses its digits."""
    for lines, secret in (
        ([Turn("customer", "my code is 1016", AT), Turn("bot", "Thank you", AT)], [True, False]),
        ([Turn("customer", "ticket 0000018?", AT), Turn("bot", "It is open", AT)], []),
    ):
        services.add_turns(
            frontdoor.uow(), channel="chat", conversation_id="c1", turns=lines, secret=secret
        )
    with frontdoor.uow() as uow:
        transcript = uow.transcripts.get("chat", "c1")
    assert transcript is not None
    assert [t.text for t in transcript.turns] == [
        "my code is ••••",
        "Thank you",
        "ticket 0000018?",
        "It is open",
    ]


def test_no_lines_write_nothing(frontdoor: Frontdoor) -> None:
    """An action that said nothing creates no transcript."""
    assert services.add_turns(frontdoor.uow(), channel="chat", conversation_id="c2", turns=[]) == []
    with frontdoor.uow() as uow:
        assert uow.transcripts.get("chat", "c2") is None
