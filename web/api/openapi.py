"""The OpenAPI 3.1 document of the REST API, served at ``/api/v1/openapi.json``.

Written by hand next to the routes it describes; the tests validate it with
openapi-spec-validator and check every route's real answers against its schemas.
"""

from __future__ import annotations

import copy
from typing import Any

from core.policy import PRIORITIES
from web.api.inputs import DEFAULT_LIMIT, EVENT_TYPES, MAX_BY, MAX_LIMIT, MAX_TEXT, STATUSES

INSTANT = {"type": "string", "format": "date-time"}
MAYBE_INSTANT = {"type": ["string", "null"], "format": "date-time"}
MAYBE_TEXT = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return _json(_ref("Error"), description, **extra)


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


_SUMMARY = {
    "number": {"type": "string", "pattern": "^[0-9]{7,}$"},
    "status": {"enum": list(STATUSES)},
    "priority": {"enum": list(PRIORITIES)},
    "channel": {"type": "string"},
    "language": {"type": "string"},
    "topic": {"type": "string"},
    "summary": {"type": "string"},
    "contract": MAYBE_TEXT,
    "theatre": MAYBE_TEXT,
    "plan": {"enum": ["basic", "gold", "platinum", None]},
    "opened_at": INSTANT,
    "due_at": MAYBE_INSTANT,
    "guaranteed": {"type": "boolean"},
    "taken_at": MAYBE_INSTANT,
    "taken_by": MAYBE_TEXT,
    "updated_at": MAYBE_INSTANT,
    "url": {"type": "string", "format": "uri"},
}

_DETAIL_ONLY = {
    "basis": {"type": "string"},
    "reason": {"type": "string"},
    "pauses": {"type": "array", "items": _ref("Pause")},
    "escalations": {"type": "array", "items": _ref("Escalation")},
    "notifications": {"type": "array", "items": _ref("Notification")},
    "notes": {"type": "array", "items": {"type": "string"}},
    "transcript_url": {"type": ["string", "null"], "format": "uri"},
    "console_url": {"type": "string", "format": "uri"},
}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {"error": {"type": "string"}, "field": {"type": "string"}}, required=["error"]
    ),
    "TicketSummary": _object(_SUMMARY),
    "Ticket": _object({**_SUMMARY, **_DETAIL_ONLY}),
    "TicketList": _object(
        {
            "tickets": {"type": "array", "items": _ref("TicketSummary")},
            "next_cursor": {"type": ["string", "null"]},
        }
    ),
    "Pause": _object({"start": INSTANT, "end": MAYBE_INSTANT, "reason": {"type": "string"}}),
    "Escalation": _object(
        {"at": INSTANT, "to": {"type": "string"}, "after_hours": {"type": "integer"}}
    ),
    "Notification": _object(
        {
            "id": {"type": "string"},
            "kind": {"type": "string"},
            "channel": {"enum": ["email", "sms", "call", "webhook", "oncall", "callback"]},
            "to": {
                "oneOf": [
                    {"type": "null"},
                    _object(
                        {
                            "name": {"type": "string"},
                            "email": {"type": "string"},
                            "phone": {"type": "string"},
                            "endpoint": {"type": "string"},
                        },
                        required=[],
                    ),
                ]
            },
            "role": MAYBE_TEXT,
            "due_at": INSTANT,
            "status": {"enum": ["pending", "sent", "failed", "dead", "cancelled"]},
            "attempts": {"type": "integer", "minimum": 0},
            "last_error": MAYBE_TEXT,
            "sent_at": MAYBE_INSTANT,
        }
    ),
    "Event": {
        **_object(
            {
                "type": {"enum": list(EVENT_TYPES)},
                "by": {"type": "string", "maxLength": MAX_BY},
                "at": INSTANT,
                "text": {"type": "string", "maxLength": MAX_TEXT},
            },
            required=["type"],
        ),
        "additionalProperties": False,
    },
}


def _filter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_UNAUTHORISED = _error(
    "missing, unknown or revoked token",
    headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
)
_LIMITED = _error(
    "the token's rate limit is reached",
    headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
)
_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "the ticket number",
    "schema": {"type": "string"},
}

PATHS: dict[str, Any] = {
    "/tickets": {
        "get": {
            "operationId": "listTickets",
            "summary": "Tickets, filtered, by id, a page at a time",
            "security": [{"bearer": ["read"]}],
            "parameters": [
                _filter("status", "the ticket's state", {"enum": list(STATUSES)}),
                _filter("theatre", "the contract's theatre", {"type": "string"}),
                _filter("plan", "the contract's plan", {"enum": ["basic", "gold", "platinum"]}),
                _filter("priority", "the ticket's priority", {"enum": list(PRIORITIES)}),
                _filter("updated_since", "written at or after this instant", INSTANT),
                _filter(
                    "limit",
                    "tickets per page",
                    {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                ),
                _filter("cursor", "next_cursor of the previous page", {"type": "string"}),
            ],
            "responses": {
                "200": _json(_ref("TicketList"), "one page of tickets"),
                "400": _error("a filter, the limit or the cursor is wrong (field names it)"),
                "401": _UNAUTHORISED,
                "403": _error("the token lacks the read scope"),
                "429": _LIMITED,
            },
        }
    },
    "/tickets/{number}": {
        "get": {
            "operationId": "getTicket",
            "summary": "A ticket in full",
            "security": [{"bearer": ["read"]}],
            "parameters": [_NUMBER],
            "responses": {
                "200": _json(_ref("Ticket"), "the ticket"),
                "401": _UNAUTHORISED,
                "403": _error("the token lacks the read scope"),
                "404": _error("no such ticket"),
                "429": _LIMITED,
            },
        }
    },
    "/tickets/{number}/events": {
        "post": {
            "operationId": "postTicketEvent",
            "summary": "Take in charge, wait, resume, resolve, or note a ticket",
            "security": [{"bearer": ["write"]}],
            "parameters": [
                _NUMBER,
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "a repeat with the same key and body gets the first answer",
                    "schema": {"type": "string", "maxLength": 200},
                },
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("Event")}},
            },
            "responses": {
                "200": _json(_ref("Ticket"), "the ticket after the event"),
                "400": _error("a field of the body or the key is wrong (field names it)"),
                "401": _UNAUTHORISED,
                "403": _error("the token lacks the write scope"),
                "404": _error("no such ticket"),
                "409": _error(
                    "the ticket's state refuses the event, or the key was used for another request"
                ),
                "413": _error("the body is larger than the limit"),
                "415": _error("the body is not JSON"),
                "429": _LIMITED,
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "the OpenAPI document")},
        }
    },
}


def document() -> dict[str, Any]:
    """The whole OpenAPI document (a new dict each time: callers may change theirs)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "frontdoor REST API",
            "version": "1",
            "description": "Tickets of the support front door for other helpdesks and scripts. "
            "See docs/api.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": copy.deepcopy(PATHS),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a token made by `frontdoor api-token add` (fd_...)",
                }
            },
        },
    }
