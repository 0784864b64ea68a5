"""The bot's one client to the core (helpdesk-assistant style: one client per outside service).

The action server is an entry point: it bootstraps the core lazily, once per process, and reads
the clock here. Actions ask this client; every decision, deadline and ticket comes from the core
(``core.decision.decide``, the function the IVR calls), never from a rule written in ``bot/``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import services
from core.bootstrap import bootstrap
from core.calendar import CalendarBook
from core.decision import Decision
from core.model import Contract, Ticket, Turn
from core.policy import Policy
from core.services.errors import UnknownTicket
from core.settings.channels import ChatSettings
from core.tokens import ContactClaims, identity_proof, proof_matches, verify_token
from core.unit_of_work import AbstractUnitOfWork

CHANNEL = "chat"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CoreClient:
    """What the chat needs from the core: identification, decisions, cases, transcripts. Every
    method that reads or writes the store takes the action run's unit of work (one transaction
    per action run, committed by :class:`~bot.actions.base.ChatAction`)."""

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

    def prove(self, conversation_id: str, code: str, email: str) -> str:
        """The identity proof of ``code`` and ``email`` in this conversation."""
        return identity_proof(self.token_secret, conversation_id, code, email)

    def proven(self, proof: object, conversation_id: str, code: object, email: object) -> bool:
        """Whether ``proof`` is this conversation's proof for ``code`` and ``email``."""
        return proof_matches(self.token_secret, proof, conversation_id, code, email)

    def identify(self, uow: AbstractUnitOfWork, code: str, email: str) -> Contract | None:
        """The contract when ``email`` is a registered contact of contract ``code``."""
        return services.find_contract_by_code_and_email(uow, code, email)

    def identify_typed(
        self, uow: AbstractUnitOfWork, code: str, email: str
    ) -> services.Identification:
        """A customer code and e-mail address typed in the chat, checked now with the limit on
        guessing (``wait`` when this code or address failed too often)."""
        return services.identify_contact(uow, self.policy, code, email, at=self.now())

    def contract(self, uow: AbstractUnitOfWork, code: str) -> Contract | None:
        return services.find_contract(uow, code)

    def assess(self, case: services.Case) -> Decision:
        """Where a case would go now (nothing is opened or recorded)."""
        return services.assess_case(self.book, case)

    def submit(
        self, uow: AbstractUnitOfWork, case: services.Case, lines: Sequence[Turn]
    ) -> services.Intake:
        """The case through the core's intake: decision, ticket or refusal, transcript."""
        return services.submit_case(uow, self.book, case, lines=lines)

    def own_ticket(self, uow: AbstractUnitOfWork, contract: Contract, number: str) -> Ticket | None:
        """The ticket with this number if it belongs to ``contract`` (nobody else's)."""
        try:
            ticket = services.get_ticket(uow, number)
        except UnknownTicket:
            return None
        return ticket if ticket.contract_id == contract.id else None

    def record(
        self,
        uow: AbstractUnitOfWork,
        conversation_id: str,
        lines: Sequence[Turn],
        ending: tuple[str, str | None, dict[str, str]] | None = None,
    ) -> None:
        """Lines of the chat transcript (the store the IVR writes too) and, once known, how the
        conversation ended (ticket, refusal, handed off), with contract and language."""
        outcome, reason, known = ending if ending else (None, None, {})
        services.add_turns(
            uow,
            channel=CHANNEL,
            conversation_id=conversation_id,
            turns=lines,
            at=self.now(),
            outcome=(outcome, reason) if outcome else None,
            contract_code=known.get("contract_code"),
            language=known.get("language"),
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
            fd.warm(datetime.now(UTC).date())
            chat = fd.settings.chat
            _client = CoreClient(fd.policy, fd.book, fd.uow, chat.token_secret, _clock(chat))
        return _client


def _clock(chat: ChatSettings) -> Clock:
    """The real clock, or one ``FRONTDOOR_CHAT_CLOCK_OFFSET`` seconds ahead (never in
    production: the settings refuse it there)."""
    if not chat.clock_offset:
        return utc_now
    ahead = timedelta(seconds=chat.clock_offset)
    return lambda: utc_now() + ahead


def set_client(client: CoreClient | None) -> None:
    """Install a client (tests), or forget it so the next call bootstraps again."""
    global _client
    with _lock:
        _client = client
