"""One command's conversation with a device, as pure text handling (no I/O).

The netmiko driver writes a command, then feeds an `Exchange` everything the device sends
until it is finished: the command's echo has come back and then the prompt (or the
`expect` pattern) has. Questions the device asks on the way are answered from `answers`.
Keeping this apart from the socket makes every rule here testable without a device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.regex import compile_linear

TAIL_CHARS = 200  # how much of the last output an error message quotes
_BACKSPACE = "\x08"


class Stalled(Exception):
    """The device sent no prompt before the deadline; carries what it did send."""

    def __init__(self, command: str, waited: float, received: str) -> None:
        self.command, self.waited, self.received = command, waited, received
        super().__init__(f"'{command}' timed out after {waited:g}s without a prompt")


class Closed(Exception):
    """The device closed the session in the middle of a command."""

    def __init__(self, command: str, received: str) -> None:
        self.command, self.received = command, received
        super().__init__(f"the device closed the session during '{command}'")


@dataclass(frozen=True)
class Answer:
    """A question the device may ask (a regex) and what to type in reply."""

    question: re.Pattern[str]
    reply: str


def compile_answers(answers: Mapping[str, str] | None) -> tuple[Answer, ...]:
    """`{regex: reply}` from a playbook as compiled answers (RE2), in the order given."""
    return tuple(Answer(compile_linear(q), r) for q, r in (answers or {}).items())


def tail(text: str, size: int = TAIL_CHARS) -> str:
    """The last `size` characters of `text`, quoted for an error message."""
    if not text:
        return "nothing"
    clipped = text[-size:]
    return repr(clipped if len(text) <= size else "..." + clipped)


def strip_echo(text: str) -> str:
    """Drop the first line (the command's echo), as netmiko's `strip_command` does."""
    return text.partition("\n")[2]


def strip_prompt(text: str, base_prompt: str) -> str:
    """Drop the last line when it is the prompt, as netmiko's `strip_prompt` does."""
    head, newline, last = text.rpartition("\n")
    if base_prompt and base_prompt in last:
        return head if newline else ""
    return text


class Exchange:
    """The state of one command: echo seen, questions answered, finished or not.

    It is finished when one of the `until` patterns (the prompt, an `expect` pattern)
    matches the text after the echo.

    Nothing before the end of the echo line counts: stale text from before the command,
    or an echo that happens to look like a prompt or a question, cannot end it early.
    """

    def __init__(
        self,
        command: str,
        until: re.Pattern[str] | Sequence[re.Pattern[str]],
        answers: tuple[Answer, ...] = (),
    ) -> None:
        self.command = command.strip()
        self.until = (until,) if isinstance(until, re.Pattern) else tuple(until)
        self.answers = answers
        self.received = ""  # everything the device sent, backspaces removed
        self.finished = False
        self._start: int | None = None  # where the echo starts in `received`
        self._scanned = 0  # body before this offset holds no end pattern
        self._answered = 0  # body before this offset has been answered already

    @property
    def body(self) -> str:
        """The transcript from the command's echo on (empty until the echo arrives)."""
        return "" if self._start is None else self.received[self._start :]

    def feed(self, chunk: str) -> str | None:
        """Take newly received text; return a reply to type when a question was asked."""
        self.received += chunk.replace(_BACKSPACE, "")
        if self._start is None and not self._find_echo():
            return None
        body = self.body
        if self._ends(body):
            self.finished = True
            return None
        return self._answer(body)

    def _find_echo(self) -> bool:
        start = self.received.find(self.command) if self.command else 0
        if start < 0:
            return False
        newline = self.received.find("\n", start + len(self.command))
        if newline < 0:
            return False
        self._start = start
        self._scanned = self._answered = newline + 1 - start
        return True

    def _ends(self, body: str) -> bool:
        # Search from the start of the last line seen before: an end pattern lies within
        # a line, and rescanning only the new text keeps big outputs linear.
        region = body[self._scanned :]
        self._scanned += region.rfind("\n") + 1
        return any(pattern.search(region) for pattern in self.until)

    def _answer(self, body: str) -> str | None:
        asked = body[self._answered :]
        for answer in self.answers:
            if answer.question.search(asked):
                self._answered = len(body)
                return answer.reply
        return None
