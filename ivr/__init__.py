"""Twilio voice webhooks (Flask blueprint, TwiML) on top of the core: issue #3."""
