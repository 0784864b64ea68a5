"""The bot's one client to the core (helpdesk-assistant style: one client per outside service).

The action server is an entry point: it bootstraps the core lazily, once per process, and reads
the clock here. Actions ask this client; every decision, deadline and ticket comes from the core
(``core.decision.decide``, the function the IVR calls), never from a rule written in ``bot/``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from core import services
from core.bootstrap import bootstrap
from core.calendar import CalendarBook
from core.decision import Decision, Request, decide
from core.model import Contract, Ticket, Turn
from core.policy import Policy
from core.services.errors import UnknownTicket
from core.tokens import ContactClaims, verify_token
from core.unit_of_work import AbstractUnitOfWork

CHANNEL = "chat"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class CoreClient:
    """What the chat needs from the core: identification, decisions, tickets, transcripts."""

    policy: Policy
    book: CalendarBook
    uow: Callable[[], AbstractUnitOfWork]
    token_secret: str
    clock: Clock = utc_now

    def now(self) -> datetime:
        return self.clock()

    def claims(self, token: object) -> ContactClaims | None:
        """The contact a Help Center token vouches for, if it is genuine and unexpired."""
        if not isinstance(token, str):
            return None
        return verify_token(self.token_secret, token, self.now())

    def identify(self, code: str, email: str) -> Contract | None:
        """The contract when ``email`` is a registered contact of contract ``code``."""
        return services.find_contract_by_code_and_email(self.uow(), code, email)

    def identify_typed(self, code: str, email: str) -> services.Identification:
        """A customer code and e-mail address typed in the chat, checked now with the limit on
        guessing (``wait`` when this code or address failed too often)."""
        return services.identify_contact(self.uow(), code, email, at=self.now())

    def contract(self, code: str) -> Contract | None:
        return services.find_contract(self.uow(), code)

    def decide(self, contract: Contract | None, **facts: object) -> Decision:
        """``core.decision.decide`` for a chat request made now."""
        request = Request(contract=contract, channel=CHANNEL, at=self.now(), **facts)  # type: ignore[arg-type]
        return decide(self.book, request)

    def open_ticket(
        self, contract: Contract, decision: Decision, key: str, conversation_id: str, **case: str
    ) -> Ticket:
        """Open (once per ``key``) the ticket the decision calls for."""
        return services.open_ticket(
            self.uow(),
            self.book,
            contract_code=contract.code,
            decision=decision,
            channel=CHANNEL,
            opened_at=self.now(),
            idempotency_key=key,
            conversation_id=conversation_id,
            **case,  # type: ignore[arg-type]
        )

    def own_ticket(self, contract: Contract, number: str) -> Ticket | None:
        """The ticket with this number if it belongs to ``contract`` (nobody else's)."""
        try:
            ticket = services.get_ticket(self.uow(), number)
        except UnknownTicket:
            return None
        return ticket if ticket.contract_id == contract.id else None

    def record(self, conversation_id: str, lines: list[tuple[str, str, bool]]) -> None:
        """Lines of the chat transcript (the store the IVR writes too), in one transaction:
        (speaker, text, secret) each; a secret line has its digits masked."""
        at = self.now()
        services.add_turns(
            self.uow(),
            channel=CHANNEL,
            conversation_id=conversation_id,
            turns=[Turn(speaker=speaker, text=text, at=at) for speaker, text, _ in lines],
            secret=[secret for _, _, secret in lines],
        )

    def outcome(self, conversation_id: str, outcome: str, reason: str | None, **known: str) -> None:
        """How the conversation ended (ticket, refusal, handed off), with contract and language."""
        services.start_or_get_transcript(
            self.uow(), channel=CHANNEL, conversation_id=conversation_id, started_at=self.now()
        )
        services.set_outcome(
            self.uow(),
            channel=CHANNEL,
            conversation_id=conversation_id,
            outcome=outcome,
            reason=reason,
            **known,  # type: ignore[arg-type]
        )


_client: CoreClient | None = None
_lock = threading.Lock()


def get_client() -> CoreClient:
    """The process's client, bootstrapped at the first call (not at import time); the token
    secret is ``settings.chat.token_secret``, the one the web app signs with."""
    global _client
    with _lock:
        if _client is None:
            fd = bootstrap()
            fd.warm(datetime.now(timezone.utc).date())
            _client = CoreClient(fd.policy, fd.book, fd.uow, fd.settings.chat.token_secret)
        return _client


def set_client(client: CoreClient | None) -> None:
    """Install a client (tests), or forget it so the next call bootstraps again."""
    global _client
    with _lock:
        _client = client
