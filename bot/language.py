"""The conversation language, behind one adapter (issue #4: the core's detector decides).

Integration: when ``core.language`` lands, replace the import below with
``from core.language import detect, next_language`` — the signatures are the same.
"""

from __future__ import annotations

from bot.provisional_language import detect, next_language

LANGUAGES = ("it", "en", "de", "fr", "es", "pt", "ar")

__all__ = ["LANGUAGES", "detect", "next_language"]
