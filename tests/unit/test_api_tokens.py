"""API tokens with the in-memory fakes: their form, what is stored, checking one, the rate
limit's window, and the answers kept for idempotency keys."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.services import ServiceError
from core.services.api_tokens import (
    ID_LENGTH,
    PREFIX,
    TOKEN_LENGTH,
    IdempotencyConflict,
    RateLimit,
    add_token,
    authenticate,
    keep_answer,
    kept_answer,
    list_tokens,
    request_hash,
    revoke_token,
    token_hash,
    token_id_of,
)
from core.testing import FakeUnitOfWork

AT = datetime.fromisoformat("2026-06-08T10:00:00+02:00")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_a_token_is_fd_a_public_id_and_256_random_bits(uow: FakeUnitOfWork) -> None:
    """fd_ + 12 characters of id + 43 of secret (32 bytes of secrets.token_urlsafe)."""
    made = add_token(uow, name="helpdesk", scopes=["read"], at=AT)
    assert made.token.startswith(PREFIX) and len(made.token) == TOKEN_LENGTH == 3 + 12 + 43
    assert token_id_of(made.token) == made.record.token_id
    assert len(made.record.token_id) == ID_LENGTH


def test_only_the_sha256_of_the_token_is_kept(uow: FakeUnitOfWork) -> None:
    """The stored record holds the hash and the public id, never the secret part."""
    made = add_token(uow, name="helpdesk", scopes=["read"], at=AT)
    record = uow.api_tokens.items[0]
    assert record.secret_hash == token_hash(made.token) and len(record.secret_hash) == 64
    secret = made.token[len(PREFIX) + ID_LENGTH :]
    assert not any(secret in str(value) for value in vars(record).values())


def test_two_tokens_never_share_an_id_or_a_secret(uow: FakeUnitOfWork) -> None:
    made = [add_token(uow, name=f"t{n}", scopes=["read"], at=AT).token for n in range(50)]
    assert len(set(made)) == 50 and len({token_id_of(t) for t in made}) == 50


@pytest.mark.parametrize(
    ("name", "scopes"),
    [("", ["read"]), ("has space", ["read"]), ("x" * 65, ["read"]), ("ok", []), ("ok", ["admin"])],
)
def test_a_bad_name_or_scope_is_refused(uow: FakeUnitOfWork, name: str, scopes: list[str]) -> None:
    with pytest.raises(ServiceError):
        add_token(uow, name=name, scopes=scopes, at=AT)
    assert uow.api_tokens.items == []


def test_a_name_is_used_once(uow: FakeUnitOfWork) -> None:
    add_token(uow, name="helpdesk", scopes=["read"], at=AT)
    with pytest.raises(ServiceError, match="already named"):
        add_token(uow, name="helpdesk", scopes=["write"], at=AT)


def test_scopes_are_kept_once_in_the_usual_order(uow: FakeUnitOfWork) -> None:
    made = add_token(uow, name="both", scopes=["write", "read", "write"], at=AT)
    assert made.record.scopes == ["read", "write"]


def test_the_right_token_is_accepted_and_its_use_recorded(uow: FakeUnitOfWork) -> None:
    made = add_token(uow, name="helpdesk", scopes=["read"], at=AT)
    access = authenticate(uow, made.token, at=AT)
    assert access.status == "ok" and access.token is made.record
    assert made.record.last_used_at == AT


def test_a_wrong_secret_with_a_known_id_is_unknown(uow: FakeUnitOfWork) -> None:
    """Knowing the public id is not enough: one changed character of the secret fails."""
    made = add_token(uow, name="helpdesk", scopes=["read"], at=AT)
    last = "A" if made.token[-1] != "A" else "B"
    assert authenticate(uow, made.token[:-1] + last, at=AT).status == "unknown"


@pytest.mark.parametrize("presented", ["", "fd_", "fd_short", "xx_" + "a" * 55, "fd_" + "é" * 55])
def test_a_malformed_token_is_unknown(uow: FakeUnitOfWork, presented: str) -> None:
    assert authenticate(uow, presented, at=AT).status == "unknown"


def test_a_revoked_token_is_unknown_and_stays_listed(uow: FakeUnitOfWork) -> None:
    made = add_token(uow, name="helpdesk", scopes=["read"], at=AT)
    revoke_token(uow, "helpdesk", at=AT)
    assert authenticate(uow, made.token, at=AT).status == "unknown"
    assert [t.revoked_at for t in list_tokens(uow)] == [AT]


def test_revoking_an_unknown_name_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(ServiceError, match="no token named"):
        revoke_token(uow, "nobody", at=AT)


def test_the_window_allows_its_requests_then_says_when_it_ends(uow: FakeUnitOfWork) -> None:
    """3 a minute: the 4th within the minute waits for its end; the next minute is new."""
    made, limit = add_token(uow, name="t", scopes=["read"], at=AT), RateLimit(3)
    seconds = (0, 10, 20, 30)
    answers = [
        authenticate(uow, made.token, at=AT + timedelta(seconds=s), limit=limit) for s in seconds
    ]
    assert [a.status for a in answers] == ["ok", "ok", "ok", "limited"]
    assert answers[-1].retry_at == AT + timedelta(minutes=1)
    later = authenticate(uow, made.token, at=AT + timedelta(minutes=1), limit=limit)
    assert later.status == "ok" and made.record.window_requests == 1


def test_a_refused_request_does_not_lengthen_the_wait(uow: FakeUnitOfWork) -> None:
    made, limit = add_token(uow, name="t", scopes=["read"], at=AT), RateLimit(1)
    authenticate(uow, made.token, at=AT, limit=limit)
    for s in (1, 30, 59):
        refused = authenticate(uow, made.token, at=AT + timedelta(seconds=s), limit=limit)
        assert refused.retry_at == AT + timedelta(minutes=1)


def test_a_kept_answer_is_found_for_the_same_request_only(uow: FakeUnitOfWork) -> None:
    """Same key and hash: the kept answer; same key, another request: a conflict."""
    record = add_token(uow, name="t", scopes=["write"], at=AT).record
    digest = request_hash("POST", "/api/v1/tickets/1/events", {"type": "waiting"})
    assert kept_answer(uow, record, "k", digest) is None
    keep_answer(uow, record, "k", digest, status=200, response={"number": "1"}, at=AT)
    found = kept_answer(uow, record, "k", digest)
    assert found is not None and found.response == {"number": "1"}
    other = request_hash("POST", "/api/v1/tickets/1/events", {"type": "resumed"})
    with pytest.raises(IdempotencyConflict):
        kept_answer(uow, record, "k", other)


def test_the_request_hash_ignores_key_order_but_not_the_path() -> None:
    a = request_hash("POST", "/p", {"type": "note", "text": "x"})
    assert a == request_hash("POST", "/p", {"text": "x", "type": "note"})
    assert a != request_hash("POST", "/q", {"type": "note", "text": "x"})
