"""Custom actions of the Help Center assistant, served by ``python -m bot.action_server``
(rasa_sdk's app for the ``bot.actions`` package behind the shared-secret check; rasa_sdk imports
every submodule and registers each concrete Action)."""
