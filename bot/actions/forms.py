"""The two forms: ``request_form`` (identification, and the ticket number for a status
question) and ``report_form`` (identification, role, product, description, impact).

Each form asks only what is still unknown: a valid Help Center token fills the identification
and the role; entities in the first message fill product, role or impact.
"""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot import reporting
from bot.conversation import Turn
from bot.frontdoor import get_client

Slots = dict[str, Any]


def _turn(tracker: Tracker) -> Turn:
    turn: Turn = tracker._chat_turn  # one Turn per request, set by run() below
    return turn


class IdentifyingValidation(FormValidationAction, abc.ABC):
    """Validation shared by both forms: customer code, then a registered e-mail of it."""

    @abc.abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        client = get_client()
        with client.uow() as uow:  # the run's one transaction
            turn = Turn(dispatcher, tracker, uow, client)
            tracker._chat_turn = turn  # one Turn per request
            events = await super().run(dispatcher, tracker, domain)
            if self._answered_nothing(tracker, domain):
                # The message fills none of the form's slots (a question, "never mind"): only
                # the slot to ask for goes back, so that Rasa rejects the form for this message
                # and the repair rules answer it; the next action records the message.
                return [e for e in events if e.get("name") == "requested_slot"]
            turn.flush()
            uow.commit()
        return [*turn.events, *events]

    def _answered_nothing(self, tracker: Tracker, domain: dict[str, Any]) -> bool:
        active = (tracker.active_loop or {}).get("name") == self.form_name()
        filled = set(tracker.slots_to_validate()) & set(self.domain_slots(domain))
        return active and bool(tracker.get_slot("requested_slot")) and not filled

    def validate_customer_code(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        code = reporting.customer_code(value)
        if code is None:
            _turn(tracker).say("bad_customer_code")
        return {"customer_code": code}

    def validate_contact_email(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        turn = _turn(tracker)
        address = reporting.email(value)
        if turn.verified and address == turn.slot("contact_email"):
            return {"contact_email": address}  # a form starting again re-validates known slots
        if address is None:
            turn.say("bad_email")
            return {"contact_email": None}
        found = turn.client.identify_typed(turn.uow, str(turn.slot("customer_code") or ""), address)
        if found.status == "wait":  # too many wrong pairs for this code or address
            turn.say("identify_wait")
            return {"customer_code": None, "contact_email": None}
        contract = found.contract
        contact = contract.contact_by_email(address) if contract else None
        if contract is None or contact is None:
            # Give nothing away: the same answer whether the code or the address was wrong.
            turn.say("identify_failed")
            return {"customer_code": None, "contact_email": None}
        turn.say("identified", customer=contract.customer.name)
        return {
            "customer_code": contract.code,
            "contact_email": address,
            "contact_verified": True,
            "contact_proof": turn.vouch(contract.code, address),
            "contact_name": contact.name,
            "requester_role": contact.role,
            "preferred_language": contact.language,
        }


class ValidateRequestForm(IdentifyingValidation):
    def name(self) -> str:
        return "validate_request_form"

    async def required_slots(
        self, domain_slots: list[str], _d: Any, tracker: Tracker, _dom: Any
    ) -> list[str]:
        wanted = list(reporting.IDENTIFICATION)
        if tracker.get_slot("pending_request") == "ticket_status":
            wanted.append("ticket_number")
        return wanted

    def validate_ticket_number(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        return {"ticket_number": digits or None}


class ValidateReportForm(IdentifyingValidation):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(
        self, domain_slots: list[str], _d: Any, tracker: Tracker, _dom: Any
    ) -> list[str]:
        return reporting.still_needed(_turn(tracker))

    def validate_requester_role(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        # the contact's record wins over what a message seems to say
        return {"requester_role": reporting.known_role(_turn(tracker)) or reporting.role(value)}

    def validate_product(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        return {"product": reporting.product(_turn(tracker), value)}

    def validate_description(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        text = reporting.description(value)
        if text is None and tracker.get_slot("requested_slot") == "description":
            _turn(tracker).say("description_too_short")
        return {"description": text}

    def validate_priority(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        return {"priority": reporting.priority(value)}

    def validate_confirmed(self, value: Any, _d: Any, tracker: Tracker, _dom: Any) -> Slots:
        return {"confirmed": value if isinstance(value, bool) else None}
