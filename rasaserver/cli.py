"""Rasa's own command line (``rasa run``, ``rasa shell``...) with two fixes for its response
time (:mod:`rasaserver.speedups`): the check of the action server's answers with validators
built once, one per event name, and the table of event classes by name kept. Use ``python -m
rasaserver.cli run ...`` where ``rasa run ...`` would be used (scripts/rasa-run.sh does).
"""

from __future__ import annotations

from rasaserver import speedups


def main() -> None:
    speedups.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
