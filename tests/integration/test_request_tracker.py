"""The real Request Tracker 5 (Debian's request-tracker5, rt5-standalone, rt5-db-sqlite) as the
helpdesk: tickets handed over through the outbox, RT's changes brought back by the sync.

The test writes RT's site configuration (a SQLite database in a temporary directory), builds
the database once per session with ``rt-setup-database-5`` (RT's schema, then our users,
queues, custom fields, rights and two authentication tokens), and starts ``rt-server`` on
loopback for each test on a copy of that database. Tickets are opened through the intake
service with phone and chat cases; the engineer acts through RT's REST 2 API with her token.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from bot.actions.requests import ActionSubmitReport
from bot.frontdoor import CoreClient
from cli.helpdesk import helpdesk_notifier
from cli.main import cli
from cli.worker import delivery_adapters
from core.adapters.db import upgrade
from core.adapters.helpdesk_cursor import SqlCursor
from core.adapters.orm import tickets
from core.bootstrap import Frontdoor, bootstrap
from core.helpdesk import HelpdeskError
from core.model import OutboxEvent, Ticket, Turn
from core.notify import Router
from core.policy import Policy
from core.policy_helpdesk import HelpdeskPolicy
from core.services import Case, find_contract, submit_case
from core.services.helpdesk_sync import SyncReport, sync_once
from core.settings import OutboxSettings, load_settings
from core.worker import OutboxWorker
from ivr.speakable import ticket_number
from outbound.request_tracker import RequestTrackerHelpdesk, RtClient
from tests.unit.bot_kit import SECRET, Chat, proven

from .helpers import add_contract, free_port, wait_for

RT_SERVER = "/usr/share/request-tracker5/libexec/rt-server"
SETUP = "/usr/sbin/rt-setup-database-5"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(RT_SERVER).exists() and os.environ.get("FRONTDOOR_REQUIRE_SERVICES") != "1",
        reason="scripts/rt-up.sh installs Debian's request-tracker5, rt5-standalone, rt5-db-sqlite",
    ),
]

QUEUES = {"europe": "Support Europe", "americas": "Support Americas"}
FIELDS = {
    "number": "Frontdoor ticket",
    "contract": "Contract",
    "plan": "Plan",
    "channel": "Channel",
    "language": "Language",
    "guarantee": "Guarantee",
}
SITE_CONFIG = """
Set($rtname, 'frontdoor-test');
Set($Organization, 'frontdoor.test');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{database}');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'error');
Set($Timezone, 'UTC');
Set($MailCommand, 'testfile');
1;
"""
# our RT user and an engineer, the queues and custom fields, and a token for each user
INITIAL_DATA = """
@Users = (
  {{ Name => 'frontdoor', EmailAddress => 'frontdoor@frontdoor.test', Privileged => 1 }},
  {{ Name => 'alice', EmailAddress => 'alice@frontdoor.test', Privileged => 1 }},
);
@Queues = ({queues});
@CustomFields = map {{ {{ Name => $_, Type => 'FreeformSingle',
  LookupType => 'RT::Queue-RT::Ticket', ApplyTo => [{queue_names}] }} }} ({fields});
@ACL = (
  {{ UserId => 'frontdoor', Right => 'SuperUser' }},
  {{ UserId => 'alice', Right => 'SuperUser' }},
);
@Final = (sub {{
  open my $fh, '>', $ENV{{RT_TOKEN_FILE}} or die $!;
  for my $name ('frontdoor', 'alice') {{
    my $user = RT::User->new(RT->SystemUser); $user->Load($name);
    my ($id, $msg, $auth) = RT::AuthToken->new(RT->SystemUser)->Create(
      Owner => $user->id, Description => 'frontdoor test');
    die "token for $name: $msg" unless $id;
    print $fh "$name $auth\\n";
  }}
  close $fh;
}});
1;
"""


def rt_env(config: Path) -> dict[str, str]:
    """RT reads our site configuration only (not the packaged one in /etc)."""
    empty = config.parent / "site.d"
    empty.mkdir(exist_ok=True)
    return {**os.environ, "RT_SITE_CONFIG": str(config), "RT_SITE_CONFIG_DIR": str(empty)}


def write_config(directory: Path, database: Path, port: int) -> Path:
    config = directory / "RT_SiteConfig.pm"
    config.write_text(SITE_CONFIG.format(port=port, database=database))
    return config


@dataclass
class Template:
    database: Path
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def rt_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """RT's database, built once: schema, RT's own data, then ours (with the tokens)."""
    directory = tmp_path_factory.mktemp("rt-template")
    database = directory / "rt.db"
    env = rt_env(write_config(directory, database, 80))
    env["RT_TOKEN_FILE"] = str(directory / "tokens")
    data = directory / "initialdata"
    data.write_text(
        INITIAL_DATA.format(
            queues=", ".join(f"{{ Name => '{q}' }}" for q in QUEUES.values()),
            queue_names=", ".join(f"'{q}'" for q in QUEUES.values()),
            fields=", ".join(f"'{f}'" for f in FIELDS.values()),
        )
    )
    for args in (["--action", "init", "--skip-create"], ["--action", "insert", "--datafile", data]):
        done = subprocess.run([SETUP, *map(str, args)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    lines = (directory / "tokens").read_text().split("\n")
    return Template(database, dict(line.split(" ", 1) for line in lines if line))


class Rt:
    """One RT server on loopback, on a copy of the template database; stop and start it."""

    def __init__(self, template: Template, directory: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tokens = template.tokens
        database = directory / "rt.db"
        shutil.copy(template.database, database)
        self.env = rt_env(write_config(directory, database, self.port))
        self.log = directory / "rt-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [RT_SERVER, "--port", str(self.port), "--host", "127.0.0.1", "--max-workers", "2"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its preforked workers stop with it
            )
        wait_for(self.up, "RT to answer", timeout=60)

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
            self.process = None

    def up(self) -> bool:
        try:
            return requests.get(f"{self.url}/REST/2.0/rt", timeout=2).status_code == 401
        except requests.RequestException:
            return False

    def api(self, method: str, path: str, user: str = "alice", **kwargs: Any) -> Any:
        """RT's REST 2 API as ``user`` would call it."""
        headers = {"Authorization": f"token {self.tokens[user]}"}
        response = requests.request(
            method, f"{self.url}/REST/2.0/{path}", headers=headers, timeout=10, **kwargs
        )
        assert response.status_code < 300, response.text
        return response.json()

    def tickets(self, query: str) -> list[dict[str, Any]]:
        fields = "Subject,Queue,Status,Owner,Priority,Due,CustomFields"
        params = {"query": query, "fields": fields, "per_page": "100"}
        return list(self.api("GET", "tickets", params=params)["items"])

    def comments(self, ticket: str) -> list[str]:
        history = self.api("GET", f"ticket/{ticket}/history", params={"fields": "Type"})["items"]
        texts = []
        for item in history:
            if item["Type"] == "Comment":
                attachments = self.api("GET", f"transaction/{item['id']}/attachments")["items"]
                for attachment in attachments:
                    found = self.api("GET", f"attachment/{attachment['id']}")
                    texts.append(_decoded(found.get("Content") or ""))
        return [t for t in texts if t]


def _decoded(content: str) -> str:
    import base64

    return base64.b64decode(content).decode()


@pytest.fixture
def rt(rt_template: Template, tmp_path: Path) -> Iterator[Rt]:
    server = Rt(rt_template, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fd(rt: Rt, tmp_path: Path, shipped_policy: Policy) -> Iterator[Frontdoor]:
    """The front door on SQLite, with RT as its helpdesk (queues per theatre)."""
    url = f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"
    upgrade(url)
    helpdesk = HelpdeskPolicy(queues=QUEUES, default_queue="Support Europe", custom_fields=FIELDS)
    policy = shipped_policy.model_copy(update={"helpdesk": helpdesk})
    env = {
        "DATABASE_URL": url,
        "FRONTDOOR_RT_URL": rt.url,
        "FRONTDOOR_RT_TOKEN": rt.tokens["frontdoor"],
    }
    frontdoor = bootstrap(load_settings(env), policy=policy)
    today = date.today()
    for code, theatre in (("2001", "europe"), ("3001", "americas")):
        add_contract(
            frontdoor,
            code,
            theatre=theatre,
            starts=today - timedelta(days=365),
            ends=today + timedelta(days=365),
        )
    yield frontdoor
    frontdoor.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)


def open_case(fd: Frontdoor, channel: str, key: str, code: str | None, **kw: Any) -> Ticket | None:
    """A case through the intake service, as the phone or the chat hands it over."""
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    lines = [Turn("caller", "my on-call PIN is ••••", at), Turn("ivr", "which product?", at)]
    with fd.uow() as uow:
        contract = find_contract(uow, code) if code else None
        case = Case(
            channel, key, at, contract, kw.pop("priority", "P2"), "en",
            summary=f"{channel}: the platform is down", idempotency_key=key, **kw,
        )  # fmt: skip
        ticket = submit_case(uow, fd.book, case, lines=lines).ticket
        uow.commit()
    return ticket


def worker(fd: Frontdoor, clock: Clock) -> OutboxWorker:
    adapters = delivery_adapters(fd)
    assert set(adapters) == {"helpdesk"}
    settings = OutboxSettings(retry_seconds=60, max_age_hours=24)
    return OutboxWorker(
        fd.uow, fd.book, Router(adapters), settings, base_url="http://fd", clock=lambda: clock.now
    )


def helpdesk_rows(fd: Frontdoor, ticket: Ticket) -> list[OutboxEvent]:
    with fd.uow() as uow:
        assert ticket.id is not None
        return [
            e for e in uow.outbox.for_ticket(ticket.id) if e.payload.get("channel") == "helpdesk"
        ]


def sync(fd: Frontdoor) -> SyncReport:
    client = RtClient(fd.settings.helpdesk.rt_url or "", fd.settings.helpdesk.rt_token or "")
    assert fd.policy.helpdesk is not None
    return sync_once(
        fd.uow, fd.book, RequestTrackerHelpdesk(client, fd.policy.helpdesk), SqlCursor(fd.engine)
    )


def ticket(fd: Frontdoor, number: str | None) -> Ticket:
    with fd.uow() as uow:
        found = uow.tickets.get(number or "")
        assert found is not None
        return found


def custom_fields(item: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: (f["values"] or [""])[0] for f in item["CustomFields"]}


def test_phone_and_chat_tickets_reach_rt_once_with_their_facts(rt: Rt, fd: Frontdoor) -> None:
    """Each ticket opened (phone in Europe, chat in the Americas) is one RT ticket in its
    theatre's queue with our number, priority, due date, facts and transcript; a refused case
    sends nothing; a delivery repeated after RT created the ticket creates nothing twice."""
    phone = open_case(fd, "phone", "phone:CA1", "2001")
    chat = open_case(fd, "chat", "chat:s1:1", "3001", priority="P3")
    refused = open_case(fd, "phone", "phone:CA2", None)  # unknown customer: no ticket
    assert phone and chat and refused is None
    clock = Clock()
    assert worker(fd, clock).run_once().sent  # both handed over

    for opened, queue, priority in (
        (phone, "Support Europe", "75"),
        (chat, "Support Americas", "50"),
    ):
        found = rt.tickets(f"CF.{{Frontdoor ticket}} = '{opened.number}'")
        assert len(found) == 1
        item = found[0]
        assert item["Subject"].startswith(f"[{opened.number}] ")
        assert rt.api("GET", f"queue/{item['Queue']['id']}")["Name"] == queue
        assert item["Priority"] == priority
        assert opened.due_at is not None
        assert item["Due"] == opened.due_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fields = custom_fields(item)
        assert fields["Contract"] in ("2001", "3001")
        assert fields["Plan"] == "gold"
        assert fields["Channel"] == opened.channel
        assert fields["Language"] == "en"
        assert fields["Guarantee"].startswith("guaranteed")
        [comment] = rt.comments(str(item["id"]))
        assert "caller: my on-call PIN is ••••" in comment
        assert f"ticket {opened.number} opened" in comment
    assert len(rt.tickets("Queue = 'Support Europe' OR Queue = 'Support Americas'")) == 2

    # a worker that died after RT created the ticket: the row goes out again
    with fd.uow() as uow:
        for row in helpdesk_rows(fd, phone):
            event = uow.outbox.get(row.id or 0)
            assert event is not None
            event.status, event.lease_until = "pending", None
        uow.commit()
    assert worker(fd, clock).run_once().sent
    [item] = rt.tickets(f"CF.{{Frontdoor ticket}} = '{phone.number}'")
    assert len(rt.comments(str(item["id"]))) == 1

    report = CliRunner().invoke(cli, ["helpdesk", "sync", "--once"], obj={"frontdoor": fd})
    assert report.exit_code == 0, report.output
    assert '"linked": 2' in report.output
    assert ticket(fd, phone.number).helpdesk_ref == str(item["id"])


def test_rt_owner_and_status_changes_come_back(rt: Rt, fd: Frontdoor) -> None:
    """Taken in RT (owner set): our ticket is in charge and its escalations are cancelled;
    stalled: paused; open again: resumed; resolved: closed. A second round changes nothing."""
    opened = open_case(fd, "phone", "phone:CA1", "2001")
    assert opened is not None
    worker(fd, Clock()).run_once()
    sync(fd)
    ref = ticket(fd, opened.number).helpdesk_ref
    assert ref

    rt.api("PUT", f"ticket/{ref}", json={"Owner": "alice"})
    assert sync(fd).applied == [f"{opened.number} take"]
    taken = ticket(fd, opened.number)
    assert (taken.status, taken.taken_by) == ("taken", "alice")
    with fd.uow() as uow:
        ladder = [e for e in uow.outbox.for_ticket(taken.id or 0) if e.kind == "escalation_due"]
    assert ladder and all(e.status == "cancelled" for e in ladder)

    rt.api("PUT", f"ticket/{ref}", json={"Status": "stalled"})
    assert sync(fd).applied == [f"{opened.number} pause"]
    assert ticket(fd, opened.number).status == "waiting"
    rt.api("PUT", f"ticket/{ref}", json={"Status": "open"})
    assert sync(fd).applied == [f"{opened.number} resume"]
    resumed = ticket(fd, opened.number)
    assert resumed.status == "taken" and resumed.pauses[0].end is not None

    rt.api("PUT", f"ticket/{ref}", json={"Status": "resolved"})
    assert sync(fd).applied == [f"{opened.number} resolve"]
    assert ticket(fd, opened.number).status == "closed"
    assert sync(fd).applied == []


def test_rt_down_for_a_while_loses_nothing_and_creates_nothing_twice(rt: Rt, fd: Frontdoor) -> None:
    """While RT is stopped the helpdesk rows fail and the sync reads nothing; once RT is back
    the retries create each ticket once, and changes made meanwhile are all applied once."""
    first = open_case(fd, "phone", "phone:CA1", "2001")
    assert first is not None
    clock = Clock()
    worker(fd, clock).run_once()
    sync(fd)
    ref = ticket(fd, first.number).helpdesk_ref

    rt.stop()
    second = open_case(fd, "chat", "chat:s1:1", "3001")
    assert second is not None
    assert not worker(fd, clock).run_once().sent
    [row] = helpdesk_rows(fd, second)
    assert row.status == "failed" and "Request Tracker" in (row.last_error or "")
    with pytest.raises(HelpdeskError):
        sync(fd)

    rt.start()
    rt.api("PUT", f"ticket/{ref}", json={"Owner": "alice", "Status": "stalled"})
    clock.now += timedelta(minutes=5)  # past the retry's backoff
    assert len(worker(fd, clock).run_once().sent) == 1
    assert len(rt.tickets(f"CF.{{Frontdoor ticket}} = '{second.number}'")) == 1
    applied = sync(fd).applied
    assert sorted(applied) == [f"{first.number} pause", f"{first.number} take"]
    assert ticket(fd, first.number).status == "waiting"
    assert ticket(fd, second.number).helpdesk_ref
    assert worker(fd, clock).run_once().sent == []
    assert sync(fd).applied == []
    assert len(rt.tickets("Queue = 'Support Europe' OR Queue = 'Support Americas'")) == 2
    assert helpdesk_notifier(fd) is not None


def test_a_call_through_the_ivr_reaches_rt_with_its_transcript(rt: Rt, fd: Frontdoor) -> None:
    """A caller on the Europe number (signed webhooks to the real IVR, `frontdoor call`)
    reports a P2 problem: the ticket the IVR reads back is one RT ticket, channel phone, whose
    first comment is the call's transcript."""
    monday_10 = "2026-12-14T10:00:00+01:00"
    played = CliRunner().invoke(
        cli,
        ["call", "--to", "+390584943232", "--from", "+390584000001", "--at", monday_10],
        input="1\n2001\n1\n1\n2\n",
        obj={"frontdoor": fd},
        env={"TWILIO_AUTH_TOKEN": "", "PUBLIC_BASE_URL": "", "FRONTDOOR_IVR_SIMULATED_TIME": ""},
    )
    assert played.exit_code == 0, played.output
    with fd.engine.connect() as connection:
        [number] = connection.execute(select(tickets.c.number)).scalars()
    opened = ticket(fd, number)
    assert opened.channel == "phone"
    assert (
        ticket_number(opened.number or "", opened.language) in played.output
    )  # the number read to the caller
    clock = Clock()
    clock.now = datetime.fromisoformat(monday_10) + timedelta(minutes=1)  # the call's clock
    assert worker(fd, clock).run_once().sent
    [item] = rt.tickets(f"CF.{{Frontdoor ticket}} = '{opened.number}'")
    assert custom_fields(item)["Channel"] == "phone"
    [comment] = rt.comments(str(item["id"]))
    assert f"ticket {opened.number} opened" in comment
    assert "ivr: Please enter your customer code" in comment
    assert "caller: ••••" in comment  # the code typed, masked as stored


def test_a_chat_report_through_the_bot_reaches_rt_once(rt: Rt, fd: Frontdoor) -> None:
    """An identified administrator reports a problem in the chat (the action server's report
    action, as Rasa calls it, on this database): the ticket the bot announces is one RT
    ticket in the Americas queue, channel chat."""
    monday = datetime.fromisoformat("2026-12-14T15:00:00+00:00")  # 10:00 in New York
    client = CoreClient(fd.policy, fd.book, fd.uow, SECRET, lambda: monday)
    chat = proven(
        Chat(
            client,
            customer_code="3001",
            contact_email="admin@example.com",
            contact_verified=True,
            requester_role="admin",
            language="en",
        )
    )
    chat.slots.update(product="UCX Platform", description="calls drop after 30 s", priority="P2")
    chat.slots.update(confirmed=True)  # the customer clicked "Yes, open it"
    chat.user("/inform", "inform")
    chat.run(ActionSubmitReport())
    number = chat.slots["last_ticket"]
    assert chat.said(f"I've opened ticket {number}")
    clock = Clock()
    clock.now = monday
    assert worker(fd, clock).run_once().sent
    [item] = rt.tickets(f"CF.{{Frontdoor ticket}} = '{number}'")
    assert custom_fields(item)["Channel"] == "chat"
    assert rt.api("GET", f"queue/{item['Queue']['id']}")["Name"] == "Support Americas"
    [comment] = rt.comments(str(item["id"]))
    assert f"ticket {number} opened" in comment
    assert f"bot: I've opened ticket {number}" in comment  # the conversation, as stored
