"""The support policy as typed, frozen data, loaded once from a YAML file and validated strictly.

Every value an operator may change lives in the policy file (``core/default_policy.yml`` ships the
reading of ``shared/policy-notes.md``); code holds only the mechanics. A bad file fails at start-up
with :class:`PolicyError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.model import PlanName
from core.phone import is_e164
from core.policy_helpdesk import HelpdeskPolicy, helpdesk_problems
from core.policy_notify import (
    EscalationContacts,
    Notifications,
    Webhook,
    contact_problems,
    webhook_problems,
)

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yml")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Priority = Literal["P1", "P2", "P3", "P4"]
PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P4")
Licence = Literal["perpetual", "subscription", "cloud"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 8x faster to read


class PolicyError(ValueError):
    """The policy file is missing, unreadable or invalid."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))


class Language(_Frozen):
    name: str
    voice: str
    tts_language: str


class Hours(_Frozen):
    """Opening and closing wall-clock time; a close at or before the open means the next day."""

    open: time
    close: time

    @field_validator("open", "close", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted 18:00 as the sexagesimal number 1080: accept quoted text only.
        if isinstance(value, time):
            return value
        if not isinstance(value, str) or not _HHMM.match(value):
            raise ValueError(f'expected "HH:MM" as quoted text, got {value!r}')
        return value


class Week(_Frozen):
    working_days: tuple[Weekday, ...]
    extended_days: tuple[Weekday, ...] = ()

    @model_validator(mode="after")
    def _disjoint(self) -> Week:
        overlap = set(self.working_days) & set(self.extended_days)
        if overlap:
            raise ValueError(f"days both working and extended: {sorted(overlap)}")
        return self


class HolidaySource(_Frozen):
    country: str
    subdivision: str | None = None
    add: dict[date, str] = Field(default_factory=dict)
    remove: tuple[date, ...] = ()


class TheatreLanguages(_Frozen):
    main: tuple[str, ...]
    optional: tuple[str, ...] = ()


class Theatre(_Frozen):
    name: str
    phone: str
    timezone: str
    holidays: HolidaySource
    weeks: dict[str, Week]
    default_week: str
    office_hours: Hours
    extended_hours: Hours
    languages: TheatreLanguages
    # the two-question survey after a ticket (docs/phone.md "Survey"): opt-in, true or false
    survey: bool = Field(default=False, strict=True)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        if not is_e164(value):
            raise ValueError(f"not an E.164 number: {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _default_week_exists(self) -> Theatre:
        if self.default_week not in self.weeks:
            raise ValueError(f"default_week {self.default_week!r} is not one of the weeks")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def language_class(self, code: str) -> Literal["main", "optional", "none"]:
        """Whether ``code`` is a main (SLA holds) or optional (no guarantee) language here."""
        if code in self.languages.main:
            return "main"
        if code in self.languages.optional:
            return "optional"
        return "none"

    @property
    def menu_languages(self) -> tuple[str, ...]:
        """Languages offered by this theatre, main first then optional (the IVR menu order)."""
        return self.languages.main + self.languages.optional


class Plan(_Frozen):
    remote_session: bool
    extended_hours: bool
    on_call: bool
    end_user_addon: bool
    proactive_licences: tuple[Licence, ...]


class SlaTarget(_Frozen):
    kind: Literal["business_minutes", "end_of_business_day", "clock_minutes", "best_effort"]
    minutes: int | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _amount_matches_kind(self) -> SlaTarget:
        kind = self.kind
        needs = {"business_minutes": "minutes", "clock_minutes": "minutes"}.get(kind)
        if kind == "end_of_business_day":
            needs = "days"
        for field in ("minutes", "days"):
            if field == needs and getattr(self, field) is None:
                raise ValueError(f"kind {kind} needs {field}")
            if field != needs and getattr(self, field) is not None:
                raise ValueError(f"kind {kind} takes no {field}")
        return self


class EscalationStep(_Frozen):
    after_hours: int = Field(gt=0)
    to: str


class AsiaPacific(_Frozen):
    zone_prefixes: tuple[str, ...]
    asia_min_utc_offset: str

    @field_validator("asia_min_utc_offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        if not re.match(r"^[+-]\d{2}:\d{2}$", value):
            raise ValueError(f"expected +HH:MM, got {value!r}")
        return value

    @property
    def min_offset(self) -> timedelta:
        sign = -1 if self.asia_min_utc_offset[0] == "-" else 1
        hours, minutes = self.asia_min_utc_offset[1:].split(":")
        return sign * timedelta(hours=int(hours), minutes=int(minutes))


class PinRules(_Frozen):
    min_digits: int = Field(ge=4)
    max_digits: int = Field(le=12)
    tries_per_call: int = Field(gt=0)
    max_failures: int = Field(gt=0)
    failure_window_minutes: int = Field(gt=0)
    lockout_minutes: int = Field(gt=0)


class OnCall(_Frozen):
    language: str
    asia_pacific: AsiaPacific
    pin: PinRules


class IdentificationRules(_Frozen):
    """Limits on guessing customer codes (policy ``identification``), phone and chat alike."""

    free_failures: int = Field(3, ge=0)
    max_delay_seconds: int = Field(120, gt=0)
    lock_after: int = Field(6, gt=0)
    lock_minutes: int = Field(30, gt=0)
    forget_after_minutes: int = Field(60, gt=0)


class Product(_Frozen):
    name: str
    end_of_support: date | None = None


class Policy(_Frozen):
    """The whole support policy. Build it with :func:`load_policy`."""

    version: Literal[1]
    languages: dict[str, Language]
    fallback_language: str
    help_center_url: str
    theatres: dict[str, Theatre]
    default_theatre: str
    plans: dict[PlanName, Plan]
    sla: dict[PlanName, dict[Priority, SlaTarget]]
    channels_without_sla: tuple[str, ...]
    escalation: dict[Priority, tuple[EscalationStep, ...]]
    on_call: OnCall
    identification: IdentificationRules = IdentificationRules.model_validate({})
    products: tuple[Product, ...]
    third_party_products: tuple[str, ...]
    hardware_products: tuple[str, ...]
    severity_priority: dict[str, Priority]
    escalation_contacts: EscalationContacts = Field(default_factory=dict)
    notifications: Notifications = Notifications.model_validate({})
    webhooks: tuple[Webhook, ...] = ()
    helpdesk: HelpdeskPolicy | None = None  # None: the built-in console only (docs/helpdesk.md)

    @model_validator(mode="after")
    def _cross_references(self) -> Policy:
        langs = set(self.languages)
        problems = [
            f"theatres -> {name} -> languages: unknown language {code!r}"
            for name, theatre in self.theatres.items()
            for code in theatre.languages.main + theatre.languages.optional
            if code not in langs
        ]
        for key in ("fallback_language",):
            if getattr(self, key) not in langs:
                problems.append(f"{key}: unknown language {getattr(self, key)!r}")
        if self.on_call.language not in langs:
            problems.append(f"on_call -> language: unknown language {self.on_call.language!r}")
        if self.default_theatre not in self.theatres:
            problems.append(f"default_theatre: no theatre {self.default_theatre!r}")
        for part in ("plans", "sla"):
            missing = {"basic", "gold", "platinum"} - set(getattr(self, part))
            if missing:
                problems.append(f"{part}: missing {sorted(missing)}")
        for plan, targets in self.sla.items():
            absent = set(PRIORITIES) - set(targets)
            if absent:
                problems.append(f"sla -> {plan}: missing {sorted(absent)}")
        ladder_roles = {step.to for steps in self.escalation.values() for step in steps}
        problems += contact_problems(
            self.escalation_contacts,
            theatres=set(self.theatres),
            languages=langs,
            roles=ladder_roles | self.notifications.roles(),
        )
        problems += webhook_problems(self.webhooks, set(PRIORITIES), self.notifications)
        problems += helpdesk_problems(self.helpdesk, set(self.theatres), set(PRIORITIES))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def product(self, name: str) -> Product | None:
        """The vendor product of that name (case-insensitive), if the policy knows it."""
        return self._products_by_name.get(name.casefold())

    def is_third_party(self, name: str) -> bool:
        return name.casefold() in {p.casefold() for p in self.third_party_products}

    def is_hardware(self, name: str) -> bool:
        return name.casefold() in {p.casefold() for p in self.hardware_products}

    def theatre_for_phone(self, number: str) -> str | None:
        """The theatre whose support number is ``number`` (E.164), if any."""
        for key, theatre in self.theatres.items():
            if theatre.phone == number:
                return key
        return None

    @cached_property
    def _products_by_name(self) -> dict[str, Product]:
        return {p.name.casefold(): p for p in self.products}


def parse_policy(raw: object, source: str = "<policy>") -> Policy:
    """Validate already-parsed YAML data into a :class:`Policy`, or raise :class:`PolicyError`."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: the top level must be a mapping")
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        lines = [_error_line(source, err["loc"], err["msg"]) for err in exc.errors()]
        raise PolicyError("\n".join(lines)) from None


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate the policy file at ``path`` (default: the shipped policy)."""
    file = Path(path) if path else DEFAULT_POLICY_PATH
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise PolicyError(f"{file}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{file}: not valid YAML: {exc}") from None
    return parse_policy(raw, str(file))


def _error_line(source: str, loc: tuple[int | str, ...], msg: str) -> str:
    """``file: key -> path: what is wrong`` (a whole-object check has no key path)."""
    where = [" -> ".join(map(str, loc))] if loc else []
    return ": ".join([source, *where, msg.removeprefix("Value error, ")])
