"""The chat's and the web app's sections of the settings: ``settings.chat``, ``settings.web``.

| variable | default | meaning |
|---|---|---|
| ``CHAT_TOKEN_SECRET`` | ``SECRET_KEY``, else a generated development secret (none in
  production) | HMAC key of the contact tokens and identity proofs: the web app and the action
  server must share it |
| ``FRONTDOOR_ACTIONS_SECRET`` | a generated development secret (none in production) | what
  Rasa sends the action server on every call (``Authorization: Bearer``, endpoints.yml) |
| ``FRONTDOOR_RASA_HOST`` | ``127.0.0.1`` | the interface Rasa listens on |
| ``FRONTDOOR_ACTIONS_HOST`` | ``127.0.0.1`` | the interface the action server listens on |
| ``FRONTDOOR_RASA_URL`` | ``http://127.0.0.1:5005`` | where the web app finds Rasa's REST
  channel |
| ``FRONTDOOR_RASA_TIMEOUT`` | ``30`` | seconds the web app waits for Rasa's answer |
| ``FRONTDOOR_CHAT_CLOCK_OFFSET`` | none | whole seconds the action server's clock runs ahead of
  the real one (office hours at any time of day, in a demonstration or a test; refused in
  production) |
| ``FRONTDOOR_WORKER_HEADER`` | off | ``1``: every answer names its worker process (tests and
  benchmarks; ignored in production) |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.settings import parse

LOOPBACK = "127.0.0.1"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_RASA_TIMEOUT = 30.0  # seconds: the first turn after start-up can be slow on 2 cores


@dataclass(frozen=True)
class ChatSettings:
    # "" only in production without one: refused at start
    token_secret: str = field(default="", repr=False)
    rasa_url: str = DEFAULT_RASA_URL
    rasa_timeout: float = DEFAULT_RASA_TIMEOUT
    # "" only in production without one: the action server refuses
    actions_secret: str = field(default="", repr=False)
    rasa_host: str = LOOPBACK
    actions_host: str = LOOPBACK
    # FRONTDOOR_CHAT_CLOCK_OFFSET: seconds the action server's clock runs ahead of the real one
    # (a demonstration or a test of office hours at any time of day); refused in production
    clock_offset: int = 0


@dataclass(frozen=True)
class WebSettings:
    worker_header: bool = False


def load_chat(env: parse.Env, *, production: bool, generated: Callable[[str], str]) -> ChatSettings:
    """``CHAT_TOKEN_SECRET``, else ``SECRET_KEY``; outside production an unset secret is
    ``generated(name)`` (the machine's development secret), in production it stays empty
    (refused by ``require_production_settings`` and by the action server)."""

    def secret(name: str, *fallbacks: str) -> str:
        for variable in (name, *fallbacks):
            value = parse.text(env, variable)
            if value:
                return value
        return "" if production else generated(name)

    url = env.get("FRONTDOOR_RASA_URL", DEFAULT_RASA_URL)
    if not url.startswith(("http://", "https://")):
        raise parse.SettingsError(f"FRONTDOOR_RASA_URL must be an http(s) URL, got {url!r}")
    offset = 0
    if env.get("FRONTDOOR_CHAT_CLOCK_OFFSET", "").strip():
        offset = parse.whole(env, "FRONTDOOR_CHAT_CLOCK_OFFSET", 0, "seconds")
        if production:
            raise parse.SettingsError("FRONTDOOR_CHAT_CLOCK_OFFSET is refused in production")
    return ChatSettings(
        token_secret=secret("CHAT_TOKEN_SECRET", "SECRET_KEY"),
        rasa_url=url,
        rasa_timeout=parse.seconds(env, "FRONTDOOR_RASA_TIMEOUT", DEFAULT_RASA_TIMEOUT),
        actions_secret=secret("FRONTDOOR_ACTIONS_SECRET"),
        rasa_host=env.get("FRONTDOOR_RASA_HOST") or LOOPBACK,
        actions_host=env.get("FRONTDOOR_ACTIONS_HOST") or LOOPBACK,
        clock_offset=offset,
    )


def load_web(env: parse.Env) -> WebSettings:
    return WebSettings(worker_header=parse.flag(env, "FRONTDOOR_WORKER_HEADER"))
