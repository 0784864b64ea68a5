"""The chat's and the web app's sections of the settings: ``settings.chat``, ``settings.web``.

| variable | default | meaning |
|---|---|---|
| ``CHAT_TOKEN_SECRET`` | ``SECRET_KEY``, else a development secret (none in production) |
  HMAC key of the contact tokens: the web app and the action server must share it |
| ``FRONTDOOR_RASA_URL`` | ``http://127.0.0.1:5005`` | where the web app finds Rasa's REST
  channel |
| ``FRONTDOOR_RASA_TIMEOUT`` | ``30`` | seconds the web app waits for Rasa's answer |
| ``FRONTDOOR_WORKER_HEADER`` | off | ``1``: every answer names its worker process (tests and
  benchmarks; ignored in production) |
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import parse

DEV_TOKEN_SECRET = "frontdoor-dev-chat-token-secret"  # noqa: S105 - development only, like the demo PIN
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_RASA_TIMEOUT = 30.0  # seconds: the first turn after start-up can be slow on 2 cores


@dataclass(frozen=True)
class ChatSettings:
    token_secret: str = DEV_TOKEN_SECRET  # "" only in production without one: refused at start
    rasa_url: str = DEFAULT_RASA_URL
    rasa_timeout: float = DEFAULT_RASA_TIMEOUT


@dataclass(frozen=True)
class WebSettings:
    worker_header: bool = False


def load_chat(env: parse.Env, *, production: bool) -> ChatSettings:
    """``CHAT_TOKEN_SECRET``, else ``SECRET_KEY``; a fixed development secret only outside
    production (production without either is refused by ``require_production_settings``)."""
    secret = parse.text(env, "CHAT_TOKEN_SECRET") or parse.text(env, "SECRET_KEY")
    url = env.get("FRONTDOOR_RASA_URL", DEFAULT_RASA_URL)
    if not url.startswith(("http://", "https://")):
        raise parse.SettingsError(f"FRONTDOOR_RASA_URL must be an http(s) URL, got {url!r}")
    return ChatSettings(
        token_secret=secret or ("" if production else DEV_TOKEN_SECRET),
        rasa_url=url,
        rasa_timeout=parse.seconds(env, "FRONTDOOR_RASA_TIMEOUT", DEFAULT_RASA_TIMEOUT),
    )


def load_web(env: parse.Env) -> WebSettings:
    return WebSettings(worker_header=parse.flag(env, "FRONTDOOR_WORKER_HEADER"))
