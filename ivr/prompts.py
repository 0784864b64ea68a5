"""The IVR's spoken texts: ``ivr/prompts.yml``, loaded once per app, English as fallback."""

from __future__ import annotations

from pathlib import Path

from core import prompts
from core.prompts import Prompts, clock

__all__ = ["PROMPTS_PATH", "Prompts", "clock", "load_prompts"]
PROMPTS_PATH = Path(__file__).with_name("prompts.yml")


def load_prompts(path: Path = PROMPTS_PATH) -> Prompts:
    """Read the IVR's prompts file (every language a mapping, English complete)."""
    return prompts.load_prompts(path)
