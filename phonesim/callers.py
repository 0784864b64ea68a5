"""Simulated callers: who answers the prompts of a call (keys, dial outcome, message).

A caller is a callback from :class:`Prompt` to the answer typed: :func:`terminal_caller` asks a
person at the terminal, :func:`scripted` answers from a list (tests, benchmark, demo calls).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from phonesim.errors import CallerHangup, SimulatorError


@dataclass(frozen=True)
class Prompt:
    """A question to the person (or script) playing the caller.

    ``kind`` is ``keys`` (a Gather: digits, ``*``, ``#``; "" is silence; with speech input,
    ``say: words``, ``say@0.3: words`` (a low confidence), ``say:`` (noise) or any phrase),
    ``dial`` (the dialled leg's outcome, one of ``choices``) or ``record`` (seconds of message,
    "" for none, optionally followed by the ending key or ``hangup``).
    """

    kind: str
    text: str
    choices: tuple[str, ...] = ()


Caller = Callable[[Prompt], str]


def terminal_caller(read: Callable[[str], str] = input) -> Caller:
    """A caller typing at the terminal; end of input (Ctrl-D) hangs up."""

    def answer(prompt: Prompt) -> str:
        try:
            return read(f"  ? {prompt.text} ")
        except EOFError:
            raise CallerHangup() from None

    return answer


def scripted(answers: Iterable[str]) -> Caller:
    """A caller answering from a script, in order; the answer ``"hangup"`` to a key or dial prompt
    hangs up. Running out of answers raises :class:`SimulatorError` naming the prompt."""
    pending = list(answers)

    def answer(prompt: Prompt) -> str:
        if not pending:
            raise SimulatorError(f"the script has no answer left for: {prompt.text}")
        value = pending.pop(0)
        if value == "hangup" and prompt.kind in ("keys", "dial"):
            raise CallerHangup()
        return value

    return answer
