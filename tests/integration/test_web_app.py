"""The app factory: wired around a Frontdoor, healthy when its database answers."""

from __future__ import annotations

from core.bootstrap import Frontdoor, bootstrap
from core.settings import SettingsError, load_settings
from web import create_app


def test_health_check_reaches_the_database(frontdoor: Frontdoor) -> None:
    """/healthz answers ok after a real query on SQLite and PostgreSQL."""
    client = create_app(frontdoor=frontdoor).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_index_lists_the_theatre_numbers(frontdoor: Frontdoor) -> None:
    """The landing page names every theatre's phone number from the policy file."""
    body = create_app(frontdoor=frontdoor).test_client().get("/").get_json()
    assert body["theatres"]["europe"] == "+390584943232"


def test_production_without_secrets_fails_at_start_up() -> None:
    """FRONTDOOR_ENV=production refuses to start without its secrets, naming them."""
    settings = load_settings({"FRONTDOOR_ENV": "production", "SECRET_KEY": "x"})
    try:
        settings.require_production_settings()
    except SettingsError as exc:
        assert "TWILIO_AUTH_TOKEN" in str(exc)
        assert "PUBLIC_BASE_URL" in str(exc)
    else:  # pragma: no cover - the assertion above is the point
        raise AssertionError("production settings without secrets were accepted")


def test_the_app_starts_while_its_database_is_down() -> None:
    """A worker that starts while PostgreSQL is unreachable still serves: the start-up warm-up
    only logs, and /healthz says the database is not answering."""
    down = bootstrap(load_settings({"DATABASE_URL": "postgresql+psycopg2://x:y@127.0.0.1:9/z"}))
    try:
        client = create_app(frontdoor=down).test_client()
        assert client.get("/").status_code == 200
        assert client.get("/healthz").status_code >= 500
    finally:
        down.dispose()
