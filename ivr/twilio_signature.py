"""The one check of ``X-Twilio-Signature`` for every Twilio webhook (the IVR's and the alerts'
on-call acknowledgement).

Twilio signs the URL it called (the public one, behind any proxy: PUBLIC_BASE_URL + script root
+ path + query) followed by every POST parameter sorted by name, each with all of its values:
the form is passed whole (a MultiDict, which ``RequestValidator`` reads with ``getlist``), so a
repeated field is checked with every value it carries.

It lives in ``ivr`` because the web app already depends on the IVR (``web.app`` mounts it) while
the IVR must not import ``web`` (whose package imports the app factory, which imports ``ivr``),
and ``core`` stays free of Twilio and Flask.
"""

from __future__ import annotations

from flask import Request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def public_url(request: Request, public_base_url: str | None) -> str:
    """The URL Twilio called: PUBLIC_BASE_URL (else this request's host) + script root + path
    + query string."""
    base = (public_base_url or "").rstrip("/") or request.host_url.rstrip("/")
    query = request.query_string.decode("latin-1")
    return f"{base}{request.script_root}{request.path}" + (f"?{query}" if query else "")


def signed(
    request: Request, auth_token: str | None, public_base_url: str | None, skip: bool
) -> bool:
    """True when ``request`` carries Twilio's signature with ``auth_token`` over its public URL
    and all of its form values (or when ``skip``: local demo only); False without a token."""
    if skip:
        return True
    if not auth_token:
        return False
    signature = request.headers.get(SIGNATURE_HEADER, "")
    validator = RequestValidator(auth_token)
    return bool(validator.validate(public_url(request, public_base_url), request.form, signature))
