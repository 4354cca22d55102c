"""What the IOS-XR and Junos sessions share: exec commands matched against a command tree,
the behaviour knobs, questions, and a candidate configuration edited apart and committed.

A subclass brings its platform as data: the exec command tree (`EXEC`) with one handler
per action (`ACTIONS`), the configuration vocabulary (`VOCABULARY`), its messages
(`MESSAGES`) and its boot configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import ClassVar

from engine.lab.candidate import (
    Path,
    Statement,
    Tree,
    Walked,
    children_at,
    tokens,
    walk,
)
from engine.lab.candidate_store import Committed, committed, rejected
from engine.lab.cli import DropAfter, Reply
from engine.lab.commands import Failure, Match, Node, choices, parse
from engine.lab.device import Device
from engine.lab.terminal import TerminalSettings

Handler = Callable[["CandidateSession", Match], Reply | str]


def _keywords(children: tuple[Statement, ...], partial: str) -> list[str]:
    found = [c.keyword.split()[0] if c.keyword else f"<{c.values[0]}>" for c in children]
    return sorted({word for word in found if word.startswith(partial.lower())})


class CandidateSession:
    """One login on a device whose configuration is edited in a candidate and committed."""

    PLATFORM: ClassVar[str]
    EXEC: ClassVar[Node]
    CONFIG: ClassVar[Node]  # configuration mode's own commands (commit, exit, ...)
    ACTIONS: ClassVar[Mapping[str, Handler]]
    VOCABULARY: ClassVar[tuple[Statement, ...]]
    # Message templates: "invalid", "ambiguous", "incomplete" (exec), as the device prints them.
    MESSAGES: ClassVar[Mapping[str, str]]

    def __init__(self, device: Device, username: str | None = None) -> None:
        self.device = device
        self.username = username or ""
        self.terminal = TerminalSettings()
        self.store: Committed = committed(device, self.boot)
        self.candidate: Tree | None = None  # None outside configuration mode
        self.edit: Path = ()  # where in the hierarchy the session edits
        self._pending: Callable[[str], Reply] | None = None
        self._drop = DropAfter(device.knobs.drop_after)
        self.closed = False
        hang_on = device.knobs.hang_on
        self._hang_on = tuple(hang_on.lower().split()) if hang_on else None

    @classmethod
    def boot(cls, device: Device) -> Tree:
        """The configuration the device boots with."""
        raise NotImplementedError

    # -- the LabSession surface ------------------------------------------------------------

    @property
    def prompt(self) -> str:
        if self._pending is not None or self.closed:
            return ""
        return self.prompt_text()

    def prompt_text(self) -> str:
        raise NotImplementedError

    @property
    def configuring(self) -> bool:
        return self.candidate is not None

    @property
    def asking(self) -> bool:
        return self._pending is not None

    def greeting(self) -> str:
        return "\n" + self.prompt

    def handle(self, line: str) -> Reply:
        """Answer one line; the `drop_after` knob counts what is answered."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return replace(pending(line), counted=False)
        if not line.strip():
            return Reply(counted=False)
        return self._drop.count(self.answer(line))

    def answer(self, line: str) -> Reply:
        raise NotImplementedError

    def interrupt(self) -> None:
        """Ctrl-C or Ctrl-Z: forget a pending question (the candidate stays)."""
        self._pending = None

    def help(self, text: str) -> str:
        """The words that may come next: statements of the vocabulary where one is being
        typed, else the mode's commands."""
        names = self._next_words(text)
        return "".join(f"  {name}\n" for name in sorted(names))

    def complete(self, text: str) -> str | None:
        """`text` with its last word completed when exactly one keyword fits."""
        partial = "" if not text or text[-1].isspace() else text.split()[-1]
        fits = [name for name in self._next_words(text) if not name.startswith("<")]
        if not partial or len(fits) != 1:
            return None
        return text[: len(text) - len(partial)] + fits[0] + " "

    def _next_words(self, text: str) -> list[str]:
        partial = "" if not text or text[-1].isspace() else text.split()[-1]
        head = text[: len(text) - len(partial)]
        statement = self.statement_text(head) if self.candidate is not None else None
        here = children_at(self.VOCABULARY, self.edit)
        if statement is not None and statement.strip():
            found = walk(here, tokens(statement))
            if isinstance(found, Walked) and found.kind == "block":
                return _keywords(found.node.children, partial)
            return []
        tree = self.CONFIG if self.candidate is not None else self.EXEC
        listed = choices(text, tree)
        words = [] if isinstance(listed, Failure) else listed.nodes
        statements = _keywords(here, partial) if statement is not None else []
        return statements + [n.keyword or (n.arg.value if n.arg else "") for n in words]

    def statement_text(self, head: str) -> str | None:
        """The part of a configuration line that names a statement, if it is one."""
        return None

    # -- exec commands ----------------------------------------------------------------------

    def run_exec(self, line: str, offset: int = 0) -> Reply:
        """An exec command, with its pipe; `offset` is where it starts on the typed line."""
        command, bar, pipe = line.partition("|")
        found = parse(command, self.EXEC)
        if isinstance(found, Failure):
            return Reply(self.failure(found, line, offset))
        output = self.ACTIONS[found.action](self, found)
        if isinstance(output, Reply):
            return output
        if bar:
            filtered = self.pipe(output, pipe.strip(), offset + len(command) + 1)
            if isinstance(filtered, Reply):
                return filtered
            output = filtered
        return self.maybe_hang(found.words, Reply(output))

    def pipe(self, output: str, text: str, column: int) -> str | Reply:
        raise NotImplementedError

    def failure(self, failure: Failure, line: str, offset: int = 0) -> str:
        """The device's answer to a line that is not a command, caret placed as it places it."""
        last_line = self.prompt_text().rsplit("\n", 1)[-1]
        caret = " " * (len(last_line) + offset + failure.column) + "^\n"
        template = self.MESSAGES[failure.kind]
        if failure.kind == "invalid" and failure.column == 0 and "unknown" in self.MESSAGES:
            template = self.MESSAGES["unknown"]
        return template.format(caret=caret, line=line.strip())

    def maybe_hang(self, words: tuple[str, ...], reply: Reply) -> Reply:
        """The `hang_on` knob: print the first line of the output, then never finish."""
        hang_on = self._hang_on
        typed = tuple(" ".join(words).lower().split())  # a statement is one word after `set`
        if hang_on is None or typed[: len(hang_on)] != hang_on:
            return reply
        first, newline, _rest = reply.output.partition("\n")
        return replace(reply, output=first + newline, hang=True)

    def ask(self, question: str, answer: Callable[[str], Reply]) -> Reply:
        """Print `question`; the next line answers it."""
        self._pending = answer
        return Reply(question)

    def close(self) -> Reply:
        self.closed = True
        return Reply(close=True)

    # -- the candidate ------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        """Whether the candidate differs from what is committed."""
        return self.candidate is not None and self.candidate.entries != self.store.tree.entries

    def refused(self, candidate: Tree, prefix: str = "") -> Path | None:
        """The first added statement the `reject` knob refuses at commit."""
        return rejected(self.device, candidate.added(self.store.tree), prefix)
