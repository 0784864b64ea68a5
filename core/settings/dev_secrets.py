"""Development secrets: random, generated once per machine, never constants.

Outside production, a secret that is not set (``SECRET_KEY``, ``CHAT_TOKEN_SECRET``,
``FRONTDOOR_ACTIONS_SECRET``) comes from ``var/dev-secrets.json`` (``FRONTDOOR_DEV_SECRETS``
names another file): created with random values at the first need, mode 0600. Every process
that loads the settings on this machine (the web app, ``bot.rasa_env`` for Rasa's endpoints,
the action server) reads the same file, so they agree: the file is changed only under an
exclusive lock on ``<file>.lock`` and written through a temporary file renamed into place.
Production never calls this (a missing secret is refused there). The first use in a process
logs it (INFO, logger ``frontdoor.settings``) with the file: command lines keep stderr for errors.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
from pathlib import Path

from core.settings.parse import SettingsError

NAMES = ("SECRET_KEY", "CHAT_TOKEN_SECRET", "FRONTDOOR_ACTIONS_SECRET")
FILE_NAME = "dev-secrets.json"
logger = logging.getLogger("frontdoor.settings")
_announced: set[Path] = set()


def dev_secrets(path: Path) -> dict[str, str]:
    """The development secrets stored in ``path``, the missing ones generated now."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values = _read(path)
        missing = [name for name in NAMES if not values.get(name)]
        if missing:
            values.update({name: secrets.token_urlsafe(32) for name in missing})
            _write(path, values)
    finally:
        os.close(lock)  # releases the lock
    if path not in _announced:
        _announced.add(path)
        logger.info("development secrets in use (not for production): %s", path)
    return values


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as e:
        raise SettingsError(f"{path} is not a JSON object of secrets: {e}") from e
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SettingsError(f"{path} is not a JSON object of secrets")
    return data


def _write(path: Path, values: dict[str, str]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(values, out, indent=2, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
