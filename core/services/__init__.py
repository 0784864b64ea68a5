"""Service layer: plain functions that take a unit of work (and the policy or calendar book).

Instants are parameters: no function here reads the clock (style.md §2). Small modules,
re-exported here: contracts (look-ups, upsert), contracts_csv (import), tickets, pins,
transcripts, calls (IVR call state), intake (every channel's road to a ticket), alerts
(monitoring alarms), identification, staff.
"""

from core.services.alerts import AlertReceipt, acknowledge_page, receive_alert
from core.services.calls import (
    add_ticket_note,
    get_call,
    replayed_answer,
    request_fingerprint,
    save_step,
)
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
    ImportProblem,
    ImportReport,
    import_contracts,
    parse_contracts_csv,
)
from core.services.errors import ServiceError, UnknownContract, UnknownTicket
from core.services.identification import (
    Identification,
    identify_caller,
    identify_contact,
    throttle_rules,
)
from core.services.intake import Case, Intake, assess_case, submit_case
from core.services.outbox_admin import cancel_notification, retry_notification
from core.services.pins import PinResult, check_pin_format, pin_matches, set_pin, verify_pin
from core.services.staff import (
    SignIn,
    ThrottleRules,
    add_staff,
    generate_password,
    get_staff,
    list_staff,
    normalise_email,
    set_active,
    sign_in,
)
from core.services.tickets import (
    get_ticket,
    is_valid_ticket_number,
    luhn_check_digit,
    open_ticket,
    pause,
    resolve,
    resume,
    take_in_charge,
    ticket_number,
)
from core.services.transcripts import (
    add_turn,
    add_turns,
    mask_customer_codes,
    mask_digits,
    purge_transcripts,
    set_outcome,
    start_or_get_transcript,
)

__all__ = [
    "AlertReceipt",
    "Case",
    "ContactSpec",
    "ContractImportError",
    "ContractSpec",
    "Identification",
    "ImportProblem",
    "ImportReport",
    "Intake",
    "PinResult",
    "ServiceError",
    "SignIn",
    "ThrottleRules",
    "UnknownContract",
    "UnknownTicket",
    "acknowledge_page",
    "add_staff",
    "add_ticket_note",
    "add_turn",
    "add_turns",
    "assess_case",
    "cancel_notification",
    "check_pin_format",
    "contracts_by_phone",
    "find_contract",
    "find_contract_by_code_and_email",
    "find_contract_by_phone",
    "generate_password",
    "get_call",
    "get_staff",
    "get_ticket",
    "identify_caller",
    "identify_contact",
    "import_contracts",
    "is_e164",
    "is_valid_ticket_number",
    "list_staff",
    "luhn_check_digit",
    "mask_customer_codes",
    "mask_digits",
    "normalise_email",
    "open_ticket",
    "parse_contracts_csv",
    "pause",
    "pin_matches",
    "purge_transcripts",
    "receive_alert",
    "replayed_answer",
    "request_fingerprint",
    "resolve",
    "resume",
    "retry_notification",
    "save_step",
    "set_active",
    "set_outcome",
    "set_pin",
    "sign_in",
    "start_or_get_transcript",
    "submit_case",
    "take_in_charge",
    "throttle_rules",
    "ticket_number",
    "upsert_contract",
    "verify_pin",
]
