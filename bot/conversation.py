"""What every action does first and last: one :class:`Turn` per action run.

A turn lives inside the action run's unit of work (one transaction, committed by the action).
On the way in it re-checks who is chatting, updates the conversation language from the user's
latest message, and writes that message to the core transcript once.

Who is chatting is never taken from a slot: the tracker comes from outside the action server.
The contact counts as identified (:attr:`Turn.verified`, :meth:`Turn.contract`) only when the
slots name the contact vouched for in this run, either by a valid Help Center token in the
current message's metadata, or by the identity proof (``contact_proof``: an HMAC over the
conversation id, code and e-mail with the server's secret, :func:`core.tokens.identity_proof`)
that the code + e-mail check of this conversation set. Slots claiming an identity without
either are cleared: the user is asked to identify again.

On the way out, every reply goes through :meth:`Turn.say`, which picks the template in the
conversation language and writes the bot's line to the transcript too.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import replies
from bot.frontdoor import CoreClient, get_client
from bot.language import next_language
from core import model
from core.model import Contract
from core.services import find_contract, mask_customer_codes, mask_digits
from core.unit_of_work import AbstractUnitOfWork

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
SECRET_SLOTS = ("customer_code",)  # digits typed for these are masked in the transcript
PROOF_SLOT = "contact_proof"
# What an identification sets; cleared when slots claim an identity nothing vouches for.
IDENTITY_SLOTS = (
    "customer_code",
    "contact_email",
    "contact_verified",
    "contact_name",
    "requester_role",
    PROOF_SLOT,
)


def mask_emails(text: str) -> str:
    """ "jane.doe@x.example" -> "j•••@x.example": staff can tell an address was given."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}•••{m.group(2)}", text)


class Turn:
    """One action run: the tracker, the dispatcher, the core client and the events to return."""

    def __init__(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        uow: AbstractUnitOfWork,
        client: CoreClient | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.uow = uow  # the action run's, open
        self.client = client or get_client()
        self.events: list[EventType] = []
        self.lines: list[tuple[str, str, bool]] = []  # transcript lines, written by flush()
        self.ending: tuple[str, str | None, dict[str, str]] | None = None
        self._contracts: dict[str, Contract | None] = {}
        self._vouched: tuple[str, str] | None = None  # (code, e-mail) checked in this run
        self._trust_token()
        self._check_claimed_identity()
        self._update_language()
        self._record_user_message()

    # -- slots -------------------------------------------------------------------------
    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def set(self, name: str, value: Any) -> None:
        """Set a slot for Rasa and for the rest of this run (the next action sees it too)."""
        self.tracker.slots[name] = value
        self.events.append(SlotSet(name, value))

    @property
    def language(self) -> str:
        return replies.lang(self.slot("language"))

    @property
    def conversation_id(self) -> str:
        return str(self.tracker.sender_id)

    @property
    def verified(self) -> bool:
        """The slots name the contact vouched for in this run (token or identity proof)."""
        claimed = (self.slot("customer_code"), self.slot("contact_email"))
        return bool(self.slot("contact_verified")) and self._vouched == claimed

    def vouch(self, code: str, email: str) -> str:
        """Code and e-mail matched a contact now: they are the identity of this run, and the
        proof to keep in ``contact_proof`` for the next runs of this conversation."""
        self._vouched = (code, email)
        return self.client.prove(self.conversation_id, code, email)

    def contract(self) -> Contract | None:
        """The identified contract (None until code and e-mail matched, or a valid token);
        read once per action run."""
        code = self.slot("customer_code")
        if not (self.verified and isinstance(code, str)):
            return None
        if code not in self._contracts:
            self._contracts[code] = self.client.contract(self.uow, code)
        return self._contracts[code]

    def user_turn(self) -> int:
        """How many messages the user has sent so far (part of the idempotency keys)."""
        return sum(1 for e in self.tracker.events if e.get("event") == "user")

    # -- replies -----------------------------------------------------------------------
    def text(self, key: str, **params: object) -> str:
        return replies.text(self.language, key, **params)

    def say(self, key: str, buttons: list[dict[str, str]] | None = None, **params: object) -> str:
        """Send the reply ``key`` in the conversation language and record it."""
        return self.say_text(self.text(key, **params), buttons)

    def say_text(self, message: str, buttons: list[dict[str, str]] | None = None) -> str:
        message = replies.directed(self.language, message)
        self.dispatcher.utter_message(text=message, buttons=buttons or [])
        self.lines.append(("bot", message, False))
        return message

    def conclude(self, outcome: str, reason: str | None, **known: str) -> None:
        """How the conversation ended so far (ticket, refusal, handed off), for the transcript."""
        self.ending = (outcome, reason, known)

    def take_lines(self) -> list[model.Turn]:
        """The transcript lines not written yet (secret digits masked), now handed over."""
        at = self.client.now()
        lines = [
            model.Turn(speaker, mask_digits(text) if secret else text, at)
            for speaker, text, secret in self.lines
        ]
        self.lines = []
        return lines

    def flush(self) -> None:
        """Write this run's remaining transcript lines and the outcome, if any."""
        lines = self.take_lines()
        if lines or self.ending is not None:
            self.client.record(self.uow, self.conversation_id, lines, self.ending)
        self.ending = None

    # -- on the way in -----------------------------------------------------------------
    def _metadata(self) -> dict[str, Any]:
        metadata = (self.tracker.latest_message or {}).get("metadata") or {}
        return metadata if isinstance(metadata, dict) else {}

    def _proven(self) -> bool:
        """The identity slots carry this conversation's proof for their code and e-mail."""
        return self.client.proven(
            self.slot(PROOF_SLOT),
            self.conversation_id,
            self.slot("customer_code"),
            self.slot("contact_email"),
        )

    def _trust_token(self) -> None:
        claims = self.client.claims(self._metadata().get("token"))
        if claims is None:
            return
        same = (self.slot("customer_code"), self.slot("contact_email")) == (
            claims.contract_code,
            claims.email,
        )
        if same and self.slot("contact_verified") and self._proven():
            self._vouched = (claims.contract_code, claims.email)  # checked at an earlier turn
            return
        contract = self.client.identify(self.uow, claims.contract_code, claims.email)
        contact = contract.contact_by_email(claims.email) if contract else None
        if contract is None or contact is None:
            return
        self.set("customer_code", contract.code)
        self.set("contact_email", claims.email)
        self.set("contact_verified", True)
        self.set("contact_name", contact.name)
        self.set("requester_role", contact.role)
        self.set("preferred_language", claims.language or contact.language)
        self.set(PROOF_SLOT, self.vouch(contract.code, claims.email))

    def _check_claimed_identity(self) -> None:
        """Slots claiming an identity count only with a valid proof; otherwise they are
        cleared and the user is asked to identify again."""
        if self._vouched is not None or not self.slot("contact_verified"):
            return
        if self._proven():
            self._vouched = (str(self.slot("customer_code")), str(self.slot("contact_email")))
            return
        for name in IDENTITY_SLOTS:
            self.set(name, False if name == "contact_verified" else None)

    def _is_contract_code(self, digits: str) -> bool:
        """A customer code volunteered outside the code question is masked too."""
        return len(digits) <= 32 and find_contract(self.uow, digits) is not None

    def _update_language(self) -> None:
        message = (self.tracker.latest_message or {}).get("text") or ""
        if message.startswith("/"):
            message = ""  # a button's payload ("/inform{...}") says nothing about the language
        current = self.slot("language")
        preferred = self.slot("preferred_language")
        new = next_language(current, message, preferred) if message else current or preferred
        new = replies.lang(new)
        if new != current:
            self.set("language", new)

    def _button_title(self, text: str) -> str | None:
        """A click arrives as its payload (``/inform{"priority": "P1"}``): the transcript shows
        the title the customer clicked, from the buttons of the bot's last message."""
        if not text.startswith("/"):
            return None
        for event in reversed(self.tracker.events):
            if event.get("event") == "bot":
                buttons = (event.get("data") or {}).get("buttons") or []
                titles = [b.get("title") for b in buttons if b.get("payload") == text]
                return str(titles[0]) if titles and titles[0] else None
        return None

    def _record_user_message(self) -> None:
        latest = self.tracker.latest_message or {}
        message_id = latest.get("message_id")
        text = latest.get("text") or ""
        if not text or not message_id or self.slot("transcript_message") == message_id:
            return
        secret = self.slot("requested_slot") in SECRET_SLOTS
        text = self._button_title(text) or text
        shown = mask_customer_codes(mask_emails(text), self._is_contract_code)
        self.lines.append(("customer", shown, secret))
        self.set("transcript_message", message_id)
