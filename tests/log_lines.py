"""Capture a test's log lines as the process would write them (JSON), and read them back."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.logs import configure_logging
from core.settings.logs import OpsSettings


class Lines(io.StringIO):
    """What was written, one JSON object per line."""

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        found = [json.loads(line) for line in self.getvalue().splitlines()]
        return [e for e in found if name is None or e["event"] == name]


@contextmanager
def json_logs(level: str = "DEBUG") -> Iterator[Lines]:
    """The root logger writes JSON lines to the yielded buffer; afterwards its handlers and
    level are what they were (pytest's own stay throughout)."""
    root = logging.getLogger()
    handlers, saved_level = list(root.handlers), root.level
    out = Lines()
    configure_logging(OpsSettings(log_format="json", log_level=level), out)
    try:
        yield out
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(saved_level)
