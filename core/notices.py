"""The words of the notifications, in the recipient's language (``core/notices.yml``).

:func:`compose` turns one outbox event and what the worker knows now (the ticket's time left on
its business clock) into a :class:`~core.notify.Message` with a plain-text and an HTML part.
:func:`compose_digest` writes one message for many notifications of the same kind to the same
person (the worker's digests): each ticket listed with its own delivery id, which the message's
``data["delivery_ids"]`` also carries (the SMTP adapter puts them in a header).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.notify import Message
from core.prompts import Prompts, load_prompts

NOTICES_PATH = Path(__file__).with_name("notices.yml")
RIGHT_TO_LEFT = ("ar",)


@lru_cache(maxsize=1)
def notices() -> Prompts:
    return load_prompts(NOTICES_PATH)


@dataclass(frozen=True)
class Clock:
    """The ticket's deadline as the worker sees it: due (local time) and business time left
    (negative when overdue); no deadline when the ticket has no guaranteed one."""

    due: datetime | None
    left: timedelta | None


def duration(amount: timedelta) -> str:
    minutes = int(abs(amount).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def compose(
    kind: str,
    payload: dict[str, Any],
    delivery_id: str,
    clock: Clock,
    base_url: str,
    at: datetime,
) -> Message:
    """The message of an event for its recipient (the payload's), in their language."""
    recipient = payload["recipient"]
    language = recipient.get("language") or "en"
    words = notices()
    values = _values(payload)
    number = values["number"]
    headline = words.text(language, f"headline_{kind}", **values)
    subject = words.text(language, "subject", headline=headline, **values)
    link = _link(base_url, number)
    rows = [
        (words.text(language, "label_ticket"), number),
        (words.text(language, "label_customer"), values["customer"]),
        (words.text(language, "label_priority"), values["priority"]),
        (words.text(language, "label_time_left"), time_left(language, clock)),
    ]
    greeting = words.text(language, "greeting", **values)
    body = words.text(language, f"body_{kind}", **values)
    open_link = words.text(language, "open_link")
    footer = words.text(language, "footer", delivery_id=delivery_id)
    table = [f"{label}: {value}" for label, value in rows]
    text = "\n".join([greeting, "", body, "", *table, "", f"{open_link}: {link}", "", footer, ""])
    return Message(
        delivery_id=delivery_id,
        to_name=str(recipient.get("name") or ""),
        to_address=str(recipient["email"]),
        language=language,
        subject=subject,
        text=text,
        html=_html(language, greeting, body, rows, open_link, link, footer),
        at=at,
    )


def _values(payload: Mapping[str, Any]) -> dict[str, str]:
    recipient = payload.get("recipient") or {}
    return {
        "number": str(payload.get("number") or ""),
        "customer": str(payload.get("customer") or "-"),
        "priority": str(payload.get("priority") or "-"),
        "role": str(payload.get("role") or "-"),
        "after_hours": str(payload.get("after_hours") or ""),
        "taken_by": str(payload.get("taken_by") or "-"),
        "name": str(recipient.get("name") or ""),
    }


def _link(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/console/tickets/{number}"


@dataclass(frozen=True)
class DigestItem:
    """One notification of a digest: its outbox row's payload, delivery id and clock."""

    delivery_id: str
    payload: Mapping[str, Any]
    clock: Clock


def has_digest(kind: str) -> bool:
    """Whether notifications of ``kind`` can be grouped (the texts have its digest wording)."""
    return f"digest_subject_{kind}" in notices().texts[notices().fallback]


def compose_digest(
    kind: str,
    items: Sequence[DigestItem],
    delivery_id: str,
    base_url: str,
    at: datetime,
) -> Message:
    """One message listing ``items`` (same kind, same recipient: the first item's) with their
    number, customer, priority, time left, link and delivery id, in the recipient's language."""
    recipient = items[0].payload["recipient"]
    language = recipient.get("language") or "en"
    words = notices()
    roles = sorted({str(item.payload.get("role") or "-") for item in items})
    values = {"count": len(items), "role": ", ".join(roles), "name": recipient.get("name") or ""}
    labels = [
        words.text(language, key)
        for key in ("label_ticket", "label_customer", "label_priority", "label_time_left")
    ]
    open_link = words.text(language, "open_link")
    label_id = words.text(language, "label_delivery_id")
    greeting = words.text(language, "greeting", **values)
    body = words.text(language, f"digest_body_{kind}", **values)
    footer = words.text(language, "digest_footer", count=len(items), delivery_id=delivery_id)
    e = html.escape
    lines, cells = [greeting, "", body, ""], []
    for item in items:
        v = _values(item.payload)
        link, left = _link(base_url, v["number"]), time_left(language, item.clock)
        facts = (v["number"], v["customer"], v["priority"], left)
        lines += [f"{label}: {value}" for label, value in zip(labels, facts, strict=True)]
        lines += [f"{open_link}: {link}", f"{label_id}: {item.delivery_id}", ""]
        cells.append(
            f'<tr><td><a href="{e(link)}">{e(v["number"])}</a></td><td>{e(v["customer"])}</td>'
            f"<td>{e(v['priority'])}</td><td>{e(left)}</td><td>{e(item.delivery_id)}</td></tr>"
        )
    head = "".join(f"<th>{e(label)}</th>" for label in (*labels, label_id))
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    page = (
        f'<!DOCTYPE html><html lang="{e(language)}" dir="{direction}"><body>'
        f"<p>{e(greeting)}</p><p>{e(body)}</p><table><tr>{head}</tr>{''.join(cells)}</table>"
        f"<p><small>{e(footer)}</small></p></body></html>"
    )
    return Message(
        delivery_id=delivery_id,
        to_name=str(recipient.get("name") or ""),
        to_address=str(recipient["email"]),
        language=language,
        subject=words.text(language, f"digest_subject_{kind}", **values),
        text="\n".join([*lines, footer, ""]),
        html=page,
        at=at,
        data={"delivery_ids": [item.delivery_id for item in items]},
    )


def time_left(language: str, clock: Clock) -> str:
    words = notices()
    if clock.due is None or clock.left is None:
        return words.text(language, "no_deadline")
    due = f"{clock.due:%Y-%m-%d %H:%M} ({clock.due.tzinfo})"
    if clock.left > timedelta(0):
        return words.text(language, "time_left", left=duration(clock.left), due=due)
    return words.text(language, "overdue", late=duration(clock.left), due=due)


def _html(
    language: str,
    greeting: str,
    body: str,
    rows: list[tuple[str, str]],
    open_link: str,
    link: str,
    footer: str,
) -> str:
    e = html.escape
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    cells = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in rows)
    return (
        f'<!DOCTYPE html><html lang="{e(language)}" dir="{direction}"><body>'
        f"<p>{e(greeting)}</p><p>{e(body)}</p><table>{cells}</table>"
        f'<p><a href="{e(link)}">{e(open_link)}</a></p>'
        f"<p><small>{e(footer)}</small></p></body></html>"
    )
