"""Helpers for the integration tests: contracts, decisions, table dumps, ports and waiting."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from core.adapters.orm import metadata
from core.bootstrap import Frontdoor
from core.decision import Decision, Request, decide
from core.services import ContactSpec, ContractSpec, find_contract, upsert_contract

iso = datetime.fromisoformat


def add_contract(fd: Frontdoor, code: str = "2001", **changes: Any) -> None:
    """Store one contract (Gold, Europe, in force all of 2026-2027 unless ``changes``)."""
    fields: dict[str, Any] = dict(
        code=code,
        customer=f"Customer {code}",
        plan="gold",
        licence="subscription",
        theatre="europe",
        week="mon-fri",
        starts=date(2026, 1, 1),
        ends=date(2027, 12, 31),
        timezone="Europe/Rome",
        products=("UCX Platform",),
        contacts=(ContactSpec(name="Admin", phone="+390584000001", email="admin@example.com"),),
    )
    fields.update(changes)
    with fd.uow() as uow:
        upsert_contract(uow, ContractSpec(**fields))
        uow.commit()


def decision_for(fd: Frontdoor, code: str, at: str, priority: str = "P2", **kw: Any) -> Decision:
    """What the decision function says for an admin's phone request on contract ``code``."""
    request = Request(
        contract=find_contract(fd.uow(), code),
        channel=kw.pop("channel", "phone"),
        at=iso(at),
        priority=priority,
        language=kw.pop("language", "en"),
        requester=kw.pop("requester", "admin"),
        **kw,
    )
    return decide(fd.book, request)


def all_stored_text(fd: Frontdoor) -> list[str]:
    """Every value of every row of every table, as text (to look for leaked secrets)."""
    found: list[str] = []
    with fd.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                found.extend(str(value) for value in row)
    return found


def count(fd: Frontdoor, table: str) -> int:
    with fd.engine.connect() as connection:
        return len(connection.execute(select(metadata.tables[table])).all())


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll ``condition`` every 0.2 s until it holds; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
