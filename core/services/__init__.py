"""Service layer: plain functions that take a unit of work (and the policy or calendar book).

Instants are parameters: no function here reads the clock (style.md §2). Small modules,
re-exported here: contracts (look-ups, upsert), contracts_csv (import), tickets, pins,
transcripts.
"""

from core.services.contracts import (
    ContactSpec,
    ContractSpec,
    contracts_by_phone,
    find_contract,
    find_contract_by_code_and_email,
    find_contract_by_phone,
    is_e164,
    upsert_contract,
)
from core.services.contracts_csv import (
    ContractImportError,
    ImportReport,
    import_contracts,
    parse_contracts_csv,
)
from core.services.errors import ServiceError, UnknownContract, UnknownTicket
from core.services.pins import PinResult, check_pin_format, pin_matches, set_pin, verify_pin
from core.services.tickets import (
    get_ticket,
    is_valid_ticket_number,
    luhn_check_digit,
    open_ticket,
    pause,
    resume,
    take_in_charge,
    ticket_number,
)
from core.services.transcripts import (
    add_turn,
    add_turns,
    mask_digits,
    set_outcome,
    start_or_get_transcript,
)

__all__ = [
    "ContactSpec",
    "ContractImportError",
    "ContractSpec",
    "ImportReport",
    "PinResult",
    "ServiceError",
    "UnknownContract",
    "UnknownTicket",
    "add_turn",
    "add_turns",
    "check_pin_format",
    "contracts_by_phone",
    "find_contract",
    "find_contract_by_code_and_email",
    "find_contract_by_phone",
    "get_ticket",
    "import_contracts",
    "is_e164",
    "is_valid_ticket_number",
    "luhn_check_digit",
    "mask_digits",
    "open_ticket",
    "parse_contracts_csv",
    "pause",
    "pin_matches",
    "resume",
    "set_outcome",
    "set_pin",
    "start_or_get_transcript",
    "take_in_charge",
    "ticket_number",
    "upsert_contract",
    "verify_pin",
]
