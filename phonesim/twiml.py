"""Reading TwiML: the answers of a voice webhook, as Twilio reads them.

:func:`parse_twiml` accepts a ``<Response>`` document and nothing else; the helpers read what
the verbs say and how they ask (https://www.twilio.com/docs/voice/twiml).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

TWIML_TYPES = ("text/xml", "application/xml", "text/html")  # the content types Twilio accepts


class TwimlError(ValueError):
    """An answer that is not a TwiML document."""


def tag_of(element: ET.Element) -> str:
    """The element's name without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def text_of(element: ET.Element) -> str:
    """The element's text, nested elements included, white space folded."""
    return " ".join("".join(element.itertext()).split())


def parse_twiml(body: str | bytes) -> ET.Element:
    """The ``<Response>`` element of a TwiML document; :class:`TwimlError` when it is not one."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - our own app's answer
    except ET.ParseError as exc:
        raise TwimlError(f"invalid XML: {exc}") from None
    if tag_of(root) != "Response":
        raise TwimlError(f"<{tag_of(root)}>, not <Response>")
    return root


def flag(element: ET.Element, name: str) -> bool:
    """A boolean attribute (``"true"``, any case)."""
    return (element.get(name) or "").strip().lower() == "true"


def method_of(element: ET.Element) -> str:
    """The ``method`` attribute: ``GET`` or ``POST`` (the default, also for anything else)."""
    method = (element.get("method") or "POST").upper()
    return method if method in ("GET", "POST") else "POST"
