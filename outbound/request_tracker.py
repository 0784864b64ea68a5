"""Request Tracker 5 as the helpdesk (:mod:`core.helpdesk`), through its REST 2 API and a token.

- :class:`RtClient`: the few REST 2 calls used, with ``Authorization: token ...``; any failure
  raises :class:`~core.helpdesk.HelpdeskError` naming the status or the failure and the host
  only (never the token; RT's own one-line message when it gives one).
- :class:`RequestTrackerNotifier`: the outbox's ``helpdesk`` channel. It looks for an RT ticket
  with our number (the number custom field, or ``[number]`` in the subject) and creates one only
  when there is none, then adds the first comment (facts and transcript) unless the ticket has
  a comment already: a retried delivery, or a worker that died after creating, finds the
  ticket and creates nothing twice.
- :class:`RequestTrackerHelpdesk`: what the sync reads: tickets of the front door's queues
  changed since an instant, and a ticket's history as owner and status events.

Statuses are those of RT's ``default`` lifecycle: ``new`` (not looked at yet), ``stalled``
(waiting for the customer), ``resolved``, ``rejected`` and ``deleted`` (done); any other is
being worked on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from core.helpdesk import HelpdeskError, RemoteEvent, RemoteState, RemoteTicket
from core.notify import DeliveryError, Message
from core.policy_helpdesk import HelpdeskPolicy

USER_AGENT = "frontdoor-helpdesk/1"
PER_PAGE = 100
CLOSED = ("resolved", "rejected", "deleted")
OWNER_CHANGES = ("Set", "Take", "Steal", "Give", "Force")
_TAG = re.compile(r"\[(\d{7,})\]")

Transcripts = Callable[[str, str | None], str]  # (channel, conversation id) -> text


class RtClient:
    """RT's REST 2 API at ``base_url`` (``https://rt.example.com``, or with RT's web path)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10,
        session: requests.Session | None = None,
    ):
        self.api = f"{base_url.rstrip('/')}/REST/2.0"
        self.host = urlsplit(base_url).netloc.rpartition("@")[2] or "an invalid URL"
        self._token, self.timeout = token, timeout
        self.session = session or requests.Session()
        self._users: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"RtClient(api={self.api!r}, timeout={self.timeout!r})"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call; the decoded JSON answer."""
        headers = {"Authorization": f"token {self._token}", "User-Agent": USER_AGENT}
        try:
            response = self.session.request(
                method,
                f"{self.api}/{path}",
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                **kwargs,
            )
        except requests.Timeout as exc:
            raise HelpdeskError(f"no answer from {self.host} within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise HelpdeskError(f"{type(exc).__name__} reaching {self.host}") from exc
        if not 200 <= response.status_code < 300:
            raise HelpdeskError(f"HTTP {response.status_code} from {self.host}{_why(response)}")
        try:
            return response.json()
        except ValueError as exc:
            raise HelpdeskError(f"an answer from {self.host} that is not JSON") from exc

    def pages(self, path: str, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        """Every item of a paged collection."""
        page = 1
        while True:
            answer = self.request("GET", path, params={**params, "page": page})
            yield from answer.get("items") or ()
            if page >= int(answer.get("pages") or 1):
                return
            page += 1

    def search(self, query: str, fields: str, **extra: str) -> list[dict[str, Any]]:
        """Tickets matching the TicketSQL ``query``, with ``fields``."""
        params = {"query": query, "fields": fields, "per_page": str(PER_PAGE), **extra}
        return list(self.pages("tickets", params))

    def user_name(self, user_id: str) -> str:
        """The login name of the user with this id (or name), cached."""
        if user_id not in self._users:
            self._users[user_id] = str(self.request("GET", f"user/{user_id}").get("Name"))
        return self._users[user_id]


def _why(response: requests.Response) -> str:
    """RT's one-line reason (its JSON ``message``), if it gave one."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {str(message).splitlines()[0][:200]}" if message else ""


def _quote(value: str) -> str:
    """A TicketSQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _instant(value: str) -> datetime:
    """RT's ISO 8601 UTC time (``2026-12-07T10:31:14Z``)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class RequestTrackerNotifier:
    """The ``helpdesk`` channel: one RT ticket per front-door ticket, exactly once."""

    def __init__(self, client: RtClient, policy: HelpdeskPolicy, transcripts: Transcripts):
        self.client, self.policy, self.transcripts = client, policy, transcripts

    def __repr__(self) -> str:
        return f"RequestTrackerNotifier({self.client!r})"

    def send(self, message: Message) -> None:
        if message.channel != "helpdesk":
            raise ValueError(f"a {message.channel} message cannot go to Request Tracker")
        try:
            self.hand_over(message)
        except HelpdeskError as exc:
            raise DeliveryError(f"Request Tracker: {exc}") from exc

    def hand_over(self, message: Message) -> str:
        """The RT id of the ticket with our number, created (and commented) if need be."""
        data, number = message.data, message.to_address
        found = self.find(number)
        if found is None:
            answer = self.client.request("POST", "ticket", json=self.ticket_fields(data))
            found, commented = str(answer["id"]), False
        else:
            commented = self.has_comment(found)
        if not commented:
            text = first_comment(data, self.policy, self.transcripts)
            body = {"ContentType": "text/plain", "Content": text}
            self.client.request("POST", f"ticket/{found}/comment", json=body)
        return found

    def find(self, number: str) -> str | None:
        """The RT id of the ticket with our number, in any queue (engineers move tickets)."""
        query = f"Subject LIKE {_quote(f'[{number}]')}"
        field = self.policy.custom_fields.get("number")
        if field:
            query = f"CF.{{{field}}} = {_quote(number)} OR {query}"
        found = self.client.search(query, "id", orderby="id", order="ASC")
        return str(found[0]["id"]) if found else None

    def has_comment(self, ticket: str) -> bool:
        history = self.client.pages(f"ticket/{ticket}/history", {"fields": "Type"})
        return any(item.get("Type") == "Comment" for item in history)

    def ticket_fields(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The new RT ticket: queue, subject with our number, priority, due, custom fields."""
        fields: dict[str, Any] = {
            "Queue": str(data.get("queue") or self.policy.default_queue),
            "Subject": f"[{data['number']}] {data.get('summary') or ''}".strip()[:200],
            "Priority": str(self.policy.priorities.get(str(data.get("priority")), 50)),
        }
        if data.get("due_at"):
            due = datetime.fromisoformat(str(data["due_at"])).astimezone(UTC)
            fields["Due"] = due.strftime("%Y-%m-%d %H:%M:%S")  # RT reads it as UTC
        values = facts(data)
        custom = {name: values[fact] for fact, name in self.policy.custom_fields.items()}
        if custom:
            fields["CustomFields"] = custom
        return fields


def facts(data: Mapping[str, Any]) -> dict[str, str]:
    """The facts the helpdesk ticket shows, as text."""
    due = data.get("due_at")
    return {
        "number": str(data.get("number") or ""),
        "contract": str(data.get("contract") or "unknown"),
        "plan": str(data.get("plan") or "none"),
        "channel": str(data.get("ticket_channel") or ""),
        "language": str(data.get("language") or ""),
        "guarantee": f"guaranteed, due {due}" if data.get("guaranteed") and due else "none",
    }


def first_comment(data: Mapping[str, Any], policy: HelpdeskPolicy, transcripts: Transcripts) -> str:
    """The facts, then the conversation's transcript as stored (its secrets masked)."""
    values = facts(data)
    lines = [
        f"Front door ticket {values['number']} ({data.get('priority')}): {data.get('url', '')}",
        f"Customer: {data.get('customer') or 'unknown'}",
        *(f"{fact.capitalize()}: {value}" for fact, value in values.items() if fact != "number"),
        f"Opened: {data.get('opened_at')}",
        "",
        "Transcript:",
        transcripts(str(data.get("ticket_channel") or ""), data.get("conversation_id")) or "(none)",
    ]
    return "\n".join(lines)


class RequestTrackerHelpdesk:
    """What the sync reads from RT (:class:`core.helpdesk.Helpdesk`)."""

    def __init__(self, client: RtClient, policy: HelpdeskPolicy):
        self.client, self.policy = client, policy
        self._nobody: str | None = None

    def changed_since(self, since: datetime | None) -> list[RemoteTicket]:
        queues = " OR ".join(f"Queue = {_quote(q)}" for q in self.policy.queue_names)
        query = f"({queues})"
        if since is not None:
            query += f" AND LastUpdated >= {_quote(since.strftime('%Y-%m-%d %H:%M:%S'))}"
        fields = "Subject,Status,Owner,LastUpdated"
        if self.policy.custom_fields.get("number"):
            fields += ",CustomFields"
        items = self.client.search(query, fields, orderby="LastUpdated", order="ASC")
        return [self._ticket(item) for item in items]

    def _ticket(self, item: Mapping[str, Any]) -> RemoteTicket:
        owner = (item.get("Owner") or {}).get("id")
        return RemoteTicket(
            ref=str(item["id"]),
            number=self._number(item),
            state=state_of(str(item.get("Status"))),
            owner=None if owner in (None, "", "Nobody") else str(owner),
            updated_at=_instant(str(item["LastUpdated"])),
        )

    def _number(self, item: Mapping[str, Any]) -> str | None:
        field = self.policy.custom_fields.get("number")
        for custom in item.get("CustomFields") or ():
            if field and custom.get("name") == field and custom.get("values"):
                return str(custom["values"][0]).strip()
        tag = _TAG.search(str(item.get("Subject") or ""))
        return tag.group(1) if tag else None

    def events(self, ref: str) -> list[RemoteEvent]:
        fields = {"fields": "Type,Field,OldValue,NewValue,Created,Creator"}
        found: list[RemoteEvent] = []
        for item in self.client.pages(f"ticket/{ref}/history", {**fields, "per_page": "100"}):
            found += self._events(item)
        return found

    def _events(self, item: Mapping[str, Any]) -> list[RemoteEvent]:
        """The front door's events in one RT transaction (a status change out of ``new`` to
        ``stalled`` is taken in charge, then waiting)."""
        seq, at = int(item["id"]) * 4, _instant(str(item["Created"]))
        by = str((item.get("Creator") or {}).get("id") or "")
        kind, field = item.get("Type"), item.get("Field")
        old, new = str(item.get("OldValue") or ""), str(item.get("NewValue") or "")
        if field == "Owner" and kind in OWNER_CHANGES and new and new != self.nobody():
            return [RemoteEvent(seq, "take", at, self.client.user_name(new))]
        if kind != "Status":
            return []
        events: list[RemoteEvent] = []
        before, after = state_of(old), state_of(new)
        if before == "new" and after != "new":
            events.append(RemoteEvent(seq, "take", at, by))
        if after == "stalled":
            events.append(RemoteEvent(seq + 1, "pause", at, by))
        elif before == "stalled" and after != "closed":
            events.append(RemoteEvent(seq + 1, "resume", at, by))
        if after == "closed":
            events.append(RemoteEvent(seq + 2, "resolve", at, by))
        return events

    def nobody(self) -> str:
        """The id of RT's user ``Nobody`` (the owner of a ticket nobody owns)."""
        if self._nobody is None:
            self._nobody = str(self.client.request("GET", "user/Nobody").get("id"))
        return self._nobody


def state_of(status: str) -> RemoteState:
    """An RT status of the default lifecycle as the front door reads it."""
    if status in ("new", "stalled"):
        return "new" if status == "new" else "stalled"
    return "closed" if status in CLOSED else "open"
