"""The conversation language, behind one adapter: the core's detector decides (issue #4)."""

from __future__ import annotations

from core.language import detect, next_language

LANGUAGES = ("it", "en", "de", "fr", "es", "pt", "ar")

__all__ = ["LANGUAGES", "detect", "next_language"]
