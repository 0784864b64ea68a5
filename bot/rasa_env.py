"""Print ``export RASA_TRACKER_URL=...`` (and its dialect) for endpoints.yml from DATABASE_URL.

Rasa's SQL tracker store lives in the application's PostgreSQL database; with SQLite (Rasa's
SQLTrackerStore creates its own tables) it gets a file of its own next to the application's.
Used by ``scripts/rasa-run.sh``: ``eval "$(python -m bot.rasa_env)"``.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from core.settings import default_database_url

TRACKER_FILE = "rasa-tracker.sqlite3"


def tracker_url(database_url: str) -> tuple[str, str]:
    """The tracker store's SQLAlchemy URL and dialect for the application's database URL."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        app_db = Path(url.database or default_database_url().split("///", 1)[1])
        return f"sqlite:///{app_db.with_name(TRACKER_FILE)}", "sqlite"
    return url.render_as_string(hide_password=False), url.get_backend_name()


def main() -> None:
    url, dialect = tracker_url(os.environ.get("DATABASE_URL") or default_database_url())
    sys.stdout.write(f"export RASA_TRACKER_URL={shlex.quote(url)}\n")
    sys.stdout.write(f"export RASA_TRACKER_DIALECT={shlex.quote(dialect)}\n")


if __name__ == "__main__":
    main()
