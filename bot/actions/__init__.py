"""Custom actions of the Help Center assistant, served by ``python -m rasa_sdk --actions
bot.actions`` (rasa_sdk imports every submodule and registers each concrete Action)."""
