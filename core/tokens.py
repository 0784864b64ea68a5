"""Signed contact tokens: how the Help Center tells the chat bot who is logged in (issue #4).

The web app issues a token for the logged-in contact (contract code, e-mail, preferred language);
the bot trusts a token only when its HMAC-SHA256 signature is right and it has not expired. Time
is a parameter (style.md §2): the caller passes ``now``. Framework-free: ``itsdangerous`` is a
small signing library (installed with Flask) with no web framework in it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "frontdoor.chat-contact"
PROOF_CONTEXT = b"frontdoor.chat-identified\x00"
DEFAULT_TTL = timedelta(hours=8)


@dataclass(frozen=True)
class ContactClaims:
    """Who the token vouches for."""

    contract_code: str
    email: str
    language: str | None = None


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret:
        raise ValueError("a contact token needs a non-empty secret")
    return URLSafeSerializer(secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})


def issue_token(
    secret: str,
    contract_code: str,
    email: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    language: str | None = None,
) -> str:
    """A URL-safe token for this contact, valid until ``now + ttl`` (``now`` must be aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    payload = {
        "c": contract_code,
        "e": email,
        "l": language,
        "x": int((now + ttl).timestamp()),
    }
    return str(_serializer(secret).dumps(payload))


def verify_token(secret: str, token: str, now: datetime) -> ContactClaims | None:
    """The claims of a genuine, unexpired token; None for anything else (never raises)."""
    if not secret or not isinstance(token, str) or not token:
        return None
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not _well_formed(payload):
        return None
    if now.timestamp() >= payload["x"]:
        return None
    return ContactClaims(payload["c"], payload["e"], payload.get("l") or None)


def _well_formed(payload: dict[str, object]) -> bool:
    return (
        isinstance(payload.get("c"), str)
        and isinstance(payload.get("e"), str)
        and isinstance(payload.get("x"), int)
        and (payload.get("l") is None or isinstance(payload.get("l"), str))
    )


def identity_proof(secret: str, conversation_id: str, contract_code: str, email: str) -> str:
    """What the chat keeps after a customer code and e-mail matched in conversation
    ``conversation_id``: an HMAC-SHA256 of the three with the server's secret, so that a slot
    claiming an identity counts only with the proof the server itself made."""
    if not secret:
        raise ValueError("an identity proof needs a non-empty secret")
    message = json.dumps([conversation_id, contract_code, email], ensure_ascii=True)
    return hmac.new(secret.encode(), PROOF_CONTEXT + message.encode(), hashlib.sha256).hexdigest()


def proof_matches(
    secret: str, proof: object, conversation_id: str, contract_code: object, email: object
) -> bool:
    """True when ``proof`` is the proof of this conversation, code and e-mail (constant-time
    comparison; anything malformed is False, never an error)."""
    if not (secret and isinstance(proof, str) and proof.isascii()):
        return False
    if not (isinstance(contract_code, str) and isinstance(email, str)):
        return False
    expected = identity_proof(secret, conversation_id, contract_code, email)
    return hmac.compare_digest(proof, expected)
