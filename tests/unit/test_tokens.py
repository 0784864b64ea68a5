"""Signed contact tokens of the Help Center (core.tokens)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.tokens import ContactClaims, issue_token, verify_token

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_token_verifies_to_the_contact_it_was_issued_for() -> None:
    """Contract code, e-mail and language come back from a genuine token."""
    token = issue_token("s3cret", "1016", "a@b.example", NOW, timedelta(hours=1), language="it")
    assert verify_token("s3cret", token, NOW + timedelta(minutes=59)) == ContactClaims(
        "1016", "a@b.example", "it"
    )


def test_an_expired_token_is_rejected() -> None:
    """At the expiry instant the token is no longer valid."""
    token = issue_token("s3cret", "1016", "a@b.example", NOW, timedelta(hours=1))
    assert verify_token("s3cret", token, NOW + timedelta(hours=1)) is None


def test_a_token_signed_with_another_secret_is_rejected() -> None:
    """Only the configured secret makes a token genuine."""
    token = issue_token("other", "1016", "a@b.example", NOW)
    assert verify_token("s3cret", token, NOW) is None


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "A" + t[1:], lambda t: ""])
def test_a_tampered_or_empty_token_is_rejected(mangle: object) -> None:
    """Changing any part of the token (payload or signature) invalidates it."""
    token = issue_token("s3cret", "1016", "a@b.example", NOW)
    assert verify_token("s3cret", mangle(token), NOW) is None  # type: ignore[operator]


def test_a_payload_with_the_wrong_shape_is_rejected() -> None:
    """A validly signed payload that is not a contact claim is not trusted."""
    from core.tokens import _serializer

    token = str(_serializer("s3cret").dumps({"c": 1016, "e": "a@b.example", "x": 9e12}))
    assert verify_token("s3cret", token, NOW) is None


def test_issuing_needs_a_secret_and_an_aware_instant() -> None:
    """Misconfiguration fails loudly instead of issuing unverifiable tokens."""
    with pytest.raises(ValueError):
        issue_token("", "1016", "a@b.example", NOW)
    with pytest.raises(ValueError):
        issue_token("s", "1016", "a@b.example", datetime(2026, 1, 1))
