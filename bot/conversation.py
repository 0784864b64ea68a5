"""What every action does first and last: one :class:`Turn` per action run.

On the way in it trusts a valid Help Center token (the logged-in contact), updates the
conversation language from the user's latest message, and writes that message to the core
transcript once. On the way out, every reply goes through :meth:`Turn.say`, which picks the
template in the conversation language and writes the bot's line to the transcript too.
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
from core.model import Contract

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
SECRET_SLOTS = ("customer_code",)  # digits typed for these are masked in the transcript


def mask_emails(text: str) -> str:
    """ "jane.doe@x.example" -> "j•••@x.example": staff can tell an address was given."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}•••{m.group(2)}", text)


class Turn:
    """One action run: the tracker, the dispatcher, the core client and the events to return."""

    def __init__(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        client: CoreClient | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.client = client or get_client()
        self.events: list[EventType] = []
        self._trust_token()
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
        return bool(self.slot("contact_verified")) and bool(self.slot("customer_code"))

    def contract(self) -> Contract | None:
        """The identified contract (None until code and e-mail matched, or a valid token)."""
        code = self.slot("customer_code")
        return self.client.contract(code) if self.verified and code else None

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
        self.client.record(self.conversation_id, "bot", message)
        return message

    # -- on the way in -----------------------------------------------------------------
    def _metadata(self) -> dict[str, Any]:
        metadata = (self.tracker.latest_message or {}).get("metadata") or {}
        return metadata if isinstance(metadata, dict) else {}

    def _trust_token(self) -> None:
        claims = self.client.claims(self._metadata().get("token"))
        if claims is None or (self.verified and self.slot("customer_code") == claims.contract_code):
            return
        contract = self.client.identify(claims.contract_code, claims.email)
        contact = contract.contact_by_email(claims.email) if contract else None
        if contract is None or contact is None:
            return
        self.set("customer_code", contract.code)
        self.set("contact_email", claims.email)
        self.set("contact_verified", True)
        self.set("contact_name", contact.name)
        self.set("requester_role", contact.role)
        self.set("preferred_language", claims.language or contact.language)

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

    def _record_user_message(self) -> None:
        latest = self.tracker.latest_message or {}
        message_id = latest.get("message_id")
        text = latest.get("text") or ""
        if not text or not message_id or self.slot("transcript_message") == message_id:
            return
        secret = self.slot("requested_slot") in SECRET_SLOTS
        self.client.record(self.conversation_id, "customer", mask_emails(text), secret=secret)
        self.set("transcript_message", message_id)
