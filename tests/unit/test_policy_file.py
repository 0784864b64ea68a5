"""The shipped policy file says what policy-notes.md says, and a bad file fails with file + key."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.policy import DEFAULT_POLICY_PATH, Policy, PolicyError, load_policy

# policy-notes "Theatres, numbers, office hours": phone, zone, working days, hours, reduced hours.
THEATRES = [
    ("americas", "+13055013030", "America/New_York", (7, 17), (8, 12)),
    ("europe", "+390584943232", "Europe/Rome", (9, 18), (9, 18)),
    ("middle_east", "+97143605197", "Asia/Dubai", (9, 18), (12, 18)),
]
WEEKS = [
    ("americas", "mon-fri", ("mon", "tue", "wed", "thu", "fri")),
    ("europe", "mon-fri", ("mon", "tue", "wed", "thu", "fri")),
    ("middle_east", "sun-thu", ("sun", "mon", "tue", "wed", "thu")),
    ("middle_east", "mon-fri", ("mon", "tue", "wed", "thu", "fri")),
]
LANGUAGES = [
    ("europe", ("en", "it"), ("fr", "es", "de", "pt")),
    ("middle_east", ("ar", "en"), ()),
    ("americas", ("en",), ("es",)),
]
# policy-notes "Priorities and maximum time".
SLA = {
    "basic": {
        "P1": ("end_of_business_day", None, 1),
        "P2": ("end_of_business_day", None, 2),
        "P3": ("best_effort", None, None),
        "P4": ("best_effort", None, None),
    },
    "gold": {
        "P1": ("business_minutes", 60, None),
        "P2": ("business_minutes", 120, None),
        "P3": ("business_minutes", 240, None),
        "P4": ("business_minutes", 480, None),
    },
    "platinum": {
        "P1": ("clock_minutes", 60, None),
        "P2": ("business_minutes", 120, None),
        "P3": ("business_minutes", 240, None),
        "P4": ("business_minutes", 480, None),
    },
}
# policy-notes "Escalation matrix", re-aligned reading.
ESCALATION = {
    "P1": [(2, "Support Regional Manager"), (8, "Support Manager"), (40, "Co-CEO and CTO")],
    "P2": [
        (2, "Support team"),
        (4, "Support Regional Manager"),
        (16, "Support Manager"),
        (40, "Co-CEO and CTO"),
    ],
    "P3": [(4, "Support team"), (16, "Support Regional Manager"), (40, "Support Manager")],
    "P4": [(4, "Support team"), (40, "Support Regional Manager")],
}
# policy-notes "Plans": remote session, Saturday/holidays, on-call, end-user add-on, proactive.
PLANS = [
    ("basic", False, False, False, False, ("cloud",)),
    ("gold", True, True, False, True, ("perpetual", "subscription", "cloud")),
    ("platinum", True, True, True, True, ("perpetual", "subscription", "cloud")),
]


@pytest.mark.parametrize(
    ("key", "phone", "zone", "office", "reduced"), THEATRES, ids=[t[0] for t in THEATRES]
)
def test_theatre_matches_the_notes(
    policy: Policy,
    key: str,
    phone: str,
    zone: str,
    office: tuple[int, int],
    reduced: tuple[int, int],
) -> None:
    """Each theatre has the phone, zone, office hours and reduced hours of the notes."""
    theatre = policy.theatres[key]
    assert theatre.phone == phone
    assert theatre.timezone == zone
    assert (theatre.office_hours.open, theatre.office_hours.close) == tuple(map(time, office))
    assert (theatre.extended_hours.open, theatre.extended_hours.close) == tuple(map(time, reduced))


@pytest.mark.parametrize(("key", "week", "days"), WEEKS, ids=[f"{t}-{w}" for t, w, _ in WEEKS])
def test_working_week_matches_the_notes(
    policy: Policy, key: str, week: str, days: tuple[str, ...]
) -> None:
    """Each working week has its five working days and Saturday as the reduced-hours day."""
    wk = policy.theatres[key].weeks[week]
    assert wk.working_days == days
    assert wk.extended_days == ("sat",)


def test_middle_east_weeks_share_one_phone_number(policy: Policy) -> None:
    """Both Middle East weeks are one theatre with one number; the contract picks the week."""
    assert set(policy.theatres["middle_east"].weeks) == {"sun-thu", "mon-fri"}
    assert policy.theatre_for_phone("+97143605197") == "middle_east"


@pytest.mark.parametrize(("key", "main", "optional"), LANGUAGES, ids=[t[0] for t in LANGUAGES])
def test_theatre_languages_match_the_notes(
    policy: Policy, key: str, main: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    """Main and optional languages per theatre are those of the notes."""
    langs = policy.theatres[key].languages
    assert (langs.main, langs.optional) == (main, optional)


def test_seven_languages_and_english_fallback(policy: Policy) -> None:
    """Seven languages are supported and anything else falls back to English."""
    assert set(policy.languages) == {"it", "en", "de", "fr", "es", "pt", "ar"}
    assert policy.fallback_language == "en"
    assert policy.on_call.language == "en"


@pytest.mark.parametrize(
    ("plan", "priority"),
    [(p, q) for p in SLA for q in SLA[p]],
    ids=[f"{p}-{q}" for p in SLA for q in SLA[p]],
)
def test_sla_target_matches_the_notes(policy: Policy, plan: str, priority: str) -> None:
    """Every cell of the priorities table is the shipped SLA target."""
    target = policy.sla[plan][priority]  # type: ignore[index]
    assert (target.kind, target.minutes, target.days) == SLA[plan][priority]


@pytest.mark.parametrize("priority", list(ESCALATION))
def test_escalation_ladder_matches_the_notes(policy: Policy, priority: str) -> None:
    """Every row of the re-aligned escalation matrix is the shipped ladder."""
    steps = policy.escalation[priority]  # type: ignore[index]
    assert [(s.after_hours, s.to) for s in steps] == ESCALATION[priority]


@pytest.mark.parametrize(
    ("plan", "remote", "extended", "on_call", "addon", "proactive"),
    PLANS,
    ids=[p[0] for p in PLANS],
)
def test_plan_matrix_matches_the_notes(
    policy: Policy,
    plan: str,
    remote: bool,
    extended: bool,
    on_call: bool,
    addon: bool,
    proactive: tuple[str, ...],
) -> None:
    """Remote session, Saturday/holidays, on-call, end-user add-on, proactive per plan."""
    p = policy.plans[plan]  # type: ignore[index]
    assert (p.remote_session, p.extended_hours, p.on_call, p.end_user_addon) == (
        remote,
        extended,
        on_call,
        addon,
    )
    assert p.proactive_licences == proactive


def test_email_is_the_channel_without_sla(policy: Policy) -> None:
    """E-mail never carries a guaranteed response time."""
    assert policy.channels_without_sla == ("email",)


def test_asia_pacific_default_list(policy: Policy) -> None:
    """Asia-Pacific is Australia/*, Pacific/* and Asia/* at UTC+05:30 or further east."""
    ap = policy.on_call.asia_pacific
    assert ap.zone_prefixes == ("Australia/", "Pacific/")
    assert ap.asia_min_utc_offset == "+05:30"


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    """A policy path that does not exist fails with the file name."""
    missing = tmp_path / "nope.yml"
    with pytest.raises(PolicyError, match=re.escape(f"{missing}: cannot read")):
        load_policy(missing)


def test_invalid_yaml_is_a_policy_error(tmp_path: Path) -> None:
    """A file that is not YAML fails with the file name."""
    bad = tmp_path / "bad.yml"
    bad.write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(f"{bad}: not valid YAML")):
        load_policy(bad)


def test_top_level_list_is_a_policy_error(tmp_path: Path) -> None:
    """A file whose top level is not a mapping fails with the file name."""
    bad = tmp_path / "list.yml"
    bad.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(f"{bad}: the top level must be a mapping")):
        load_policy(bad)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    keys = path.split(".")

    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return edit


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    keys = path.split(".")

    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return edit


# (edit, text the error must contain: the key path and what is wrong)
INVALID = [
    pytest.param(
        _set("theatres.europe.office_hours.close", "25:00"),
        ["theatres -> europe -> office_hours -> close", "'25:00'"],
        id="bad-time-25:00",
    ),
    pytest.param(
        _set("theatres.americas.extended_hours.open", "8:00"),
        ["theatres -> americas -> extended_hours -> open", "HH:MM"],
        id="bad-time-one-digit-hour",
    ),
    pytest.param(
        _set("theatres.middle_east.timezone", "Asia/Atlantis"),
        ["theatres -> middle_east -> timezone", "Asia/Atlantis"],
        id="unknown-zone",
    ),
    pytest.param(
        _set("theatres.europe.languages.optional", ["fr", "klingon"]),
        ["theatres -> europe -> languages", "'klingon'"],
        id="unknown-language-in-theatre",
    ),
    pytest.param(
        _delete("plans.gold"),
        ["plans: missing ['gold']"],
        id="missing-plan",
    ),
    pytest.param(
        _delete("sla.platinum"),
        ["sla: missing ['platinum']"],
        id="missing-sla-plan",
    ),
    pytest.param(
        _delete("sla.gold.P3"),
        ["sla -> gold: missing ['P3']"],
        id="missing-sla-priority",
    ),
    pytest.param(
        _set("fax_number", "+390000000"),
        ["fax_number", "Extra inputs are not permitted"],
        id="unknown-top-level-key",
    ),
    pytest.param(
        _set("theatres.europe.office_hours.lunch", "13:00"),
        ["theatres -> europe -> office_hours -> lunch", "Extra inputs are not permitted"],
        id="unknown-nested-key",
    ),
    pytest.param(
        _set("theatres.europe.phone", "0584943232"),
        ["theatres -> europe -> phone", "E.164"],
        id="phone-not-e164",
    ),
    pytest.param(
        _set("theatres.middle_east.default_week", "tue-sat"),
        ["theatres -> middle_east", "default_week 'tue-sat'"],
        id="default-week-not-a-week",
    ),
    pytest.param(
        _set("fallback_language", "xx"),
        ["fallback_language: unknown language 'xx'"],
        id="unknown-fallback-language",
    ),
    pytest.param(
        _set("sla.gold.P1", {"kind": "business_minutes"}),
        ["sla -> gold -> P1", "needs minutes"],
        id="sla-target-without-amount",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), INVALID)
def test_invalid_policy_names_file_and_key(
    tmp_path: Path,
    raw_policy: dict[str, Any],
    edit: Callable[[dict[str, Any]], None],
    expected: list[str],
) -> None:
    """An invalid policy file fails at load with the file, the key path and what is wrong."""
    data = copy.deepcopy(raw_policy)
    edit(data)
    path = tmp_path / "operator.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize("close", ["18:00", "25:00"])
def test_unquoted_time_in_yaml_is_rejected(tmp_path: Path, close: str) -> None:
    """An unquoted HH:MM (a base-60 integer in YAML 1.1) is an error, never read as 00:MM."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    quoted = 'office_hours: {open: "09:00", close: "18:00"}'
    assert quoted in text
    path = tmp_path / "unquoted.yml"
    unquoted = f'office_hours: {{open: "09:00", close: {close}}}'
    path.write_text(text.replace(quoted, unquoted, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match="office_hours -> close"):
        load_policy(path)
