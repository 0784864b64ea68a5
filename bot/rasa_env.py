"""Print the ``export`` lines ``scripts/rasa-run.sh`` needs for Rasa, from the settings.

``RASA_TRACKER_URL`` and its dialect for endpoints.yml from ``DATABASE_URL``: Rasa's SQL
tracker store lives in the application's PostgreSQL database; with SQLite (Rasa's
SQLTrackerStore creates its own tables) it gets a file of its own next to the application's.
``FRONTDOOR_ACTIONS_SECRET``, which endpoints.yml makes Rasa send to the action server (the
action server reads the same settings, so both agree, generated development secret included),
and ``FRONTDOOR_RASA_HOST``, the interface Rasa listens on (127.0.0.1 by default).
Used by ``scripts/rasa-run.sh``: ``eval "$(python -m bot.rasa_env)"``.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from core.settings import default_database_url, load_settings

TRACKER_FILE = "rasa-tracker.sqlite3"


def tracker_url(database_url: str) -> tuple[str, str]:
    """The tracker store's SQLAlchemy URL and dialect for the application's database URL."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        app_db = Path(url.database or default_database_url().split("///", 1)[1])
        return f"sqlite:///{app_db.with_name(TRACKER_FILE)}", "sqlite"
    return url.render_as_string(hide_password=False), url.get_backend_name()


def main() -> None:
    settings = load_settings()
    if not settings.chat.actions_secret:
        sys.exit("rasa_env: production needs FRONTDOOR_ACTIONS_SECRET (the action server's)")
    url, dialect = tracker_url(settings.database_url)
    exports = {
        "RASA_TRACKER_URL": url,
        "RASA_TRACKER_DIALECT": dialect,
        "FRONTDOOR_ACTIONS_SECRET": settings.chat.actions_secret,
        "FRONTDOOR_RASA_HOST": settings.chat.rasa_host,
    }
    for name, value in exports.items():
        sys.stdout.write(f"export {name}={shlex.quote(value)}\n")


if __name__ == "__main__":
    main()
