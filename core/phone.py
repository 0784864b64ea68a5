"""Phone numbers: the one E.164 check of the project (policy, contacts, settings)."""

from __future__ import annotations

import re

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def is_e164(phone: str) -> bool:
    """True for an E.164 number: "+", country code, at most 15 digits (issue #2: contacts)."""
    return bool(E164.match(phone))
