"""Rasa custom actions (rasa_sdk) on top of the core: issue #4."""
