"""``frontdoor lang``: the core's language detector on the command line (issue #4)."""

from __future__ import annotations

import sys

import click

from core.language import DEFAULT_ENGINE, ENGINES, detector_for


@click.group()
def lang() -> None:
    """Language identification, restricted to the seven Help Center languages."""


@lang.command(name="detect")
@click.option("--engine", default=DEFAULT_ENGINE, show_default=True, type=click.Choice(ENGINES))
def detect_command(engine: str) -> None:
    """Read one text per line on stdin; print ``code<TAB>confidence`` per line (``-`` when the
    line has no letters)."""
    detector = detector_for(engine)
    for line in sys.stdin:
        code, confidence = detector(line.rstrip("\n"))
        click.echo(f"{code or '-'}\t{confidence:.4f}")
