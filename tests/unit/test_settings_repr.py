"""No secret of the settings shows in their repr (a settings object logged or printed)."""

from __future__ import annotations

from core.settings import load_settings

SECRETS = {
    "TWILIO_AUTH_TOKEN": "twilio-token-0123456789abcdef0123456789",
    "SECRET_KEY": "flask-secret-0123456789abcdef0123456789",
    "FRONTDOOR_ALERTS_TOKEN": "alerts-token-0123456789abcdef0123456789",
    "FRONTDOOR_SMTP_PASSWORD": "smtp-password-0123456789abcdef012345",
    "CHAT_TOKEN_SECRET": "token-secret-0123456789abcdef0123456789",
    "FRONTDOOR_ACTIONS_SECRET": "actions-secret-0123456789abcdef01234567",
    "FRONTDOOR_WEBHOOK_SECRET_CHATOPS": "webhook-secret-0123456789abcdef0123456",
}


def test_the_settings_repr_shows_no_secret() -> None:
    settings = load_settings({"FRONTDOOR_SMTP_USER": "fd", **SECRETS})
    read = (
        settings.twilio_auth_token,
        settings.secret_key,
        settings.alerts_token,
        settings.mail.password,
        settings.chat.token_secret,
        settings.chat.actions_secret,
        settings.outbound.webhook_secrets["chatops"],
    )
    assert read == tuple(SECRETS.values())  # each one was read: absent below means hidden
    shown = repr(settings)
    assert "twilio_auth_token" not in shown and "smtp" in shown  # the rest is still there
    leaked = [name for name, value in SECRETS.items() if value in shown]
    assert leaked == []
