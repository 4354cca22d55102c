"""The device side of a terminal: IOS's line editor and `--More--` pager (pure logic, no I/O).

IOS reads a vty one keystroke at a time: it echoes every printable key as it arrives,
erases with backspace/DEL, Ctrl-U and Ctrl-W, and acts at once on Enter, `?`, Tab,
Ctrl-C and Ctrl-Z. `LineEditor.feed` takes whatever the client sent, returns the echo for
it and stops at the first key the session has to act on (an `Event`); the rest of the
input waits, as IOS keeps type-ahead while a command runs.

    >>> editor = LineEditor()
    >>> editor.feed("sh\\x7fho ver\\r")
    (10, 'sh\\x08 \\x08ho ver\\r\\n', Event(kind='line', text='sho ver'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["line", "interrupt", "suspend", "help", "complete"]

_PLAIN = re.compile(r"[^\x00-\x1f\x7f?]+")  # keys echoed as they are
_ESCAPE = re.compile(r"\x1b(?:\[[0-9;]*[@-~]|O.|.)?", re.DOTALL)  # arrows, function keys
_ACTIONS: dict[str, EventKind] = {"\x03": "interrupt", "\x1a": "suspend"}
MORE = " --More-- "
# IOS takes back `--More--` in place: back over it, blank it, back again.
ERASE_MORE = "\b" * len(MORE) + " " * len(MORE) + "\b" * len(MORE)
DEFAULT_LENGTH = 24  # lines of a vty, as on IOS
DEFAULT_WIDTH = 80


@dataclass(frozen=True)
class Event:
    """A key the session acts on, with the text typed on the line so far."""

    kind: EventKind
    text: str


class LineEditor:
    """One line of input being typed, and how to echo it.

    `echo` is off while a secret is typed (the enable password): keys are taken but not
    shown, and Enter prints nothing (the session's answer starts on a new line itself).
    `assist` is off while the device asks a question (a file name, a confirmation): then
    `?` is an ordinary character and Tab does nothing.
    """

    def __init__(self) -> None:
        self.text = ""
        self.echo = True
        self.assist = True
        self.room = 0  # columns after the prompt (terminal width); 0: no limit
        self._start = 0  # first character on screen; `$` stands in for it when > 0
        self._after_cr = False

    def feed(self, data: str, start: int = 0) -> tuple[int, str, Event | None]:
        """Take keys from `data[start:]` up to the first event: (next index, echo, event)."""
        shown: list[str] = []
        index = start
        while index < len(data):
            plain = _PLAIN.match(data, index)
            if plain is not None:
                self._after_cr = False
                self._insert(plain.group(), shown)
                index = plain.end()
                continue
            key = data[index]
            index += 1
            if key == "\x1b":
                escape = _ESCAPE.match(data, index - 1)
                index = escape.end() if escape is not None else index
                continue
            event = self._control(key, shown)
            if event is not None:
                return index, "".join(shown), event
        return index, "".join(shown), None

    def _insert(self, text: str, shown: list[str]) -> None:
        before = len(self.text) - self._start
        self.text += text
        if not self.echo:
            return
        if self.room and len(self.text) - self._start > self.room:
            fits = max(self.room - before, 0)  # typed one key at a time, these came first
            shown.append(text[:fits] + self._scroll(before + fits))
        else:
            shown.append(text)

    @property
    def visible(self) -> str:
        """The line as the screen shows it: IOS scrolls a line longer than the terminal
        is wide to the left, with `$` where the hidden start was."""
        return self.text if not self._start else "$" + self.text[self._start + 1 :]

    def _scroll(self, before: int) -> str:
        """Redraw the line after the prompt, its end in view (10 columns to spare)."""
        keep = max(self.room - 10, 1)
        wide = self.room and len(self.text) > self.room
        self._start = max(len(self.text) - keep, 0) if wide else 0
        after = self.visible
        blank = max(before - len(after), 0)
        return "\b" * before + after + " " * blank + "\b" * blank

    def _control(self, key: str, shown: list[str]) -> Event | None:
        after_cr, self._after_cr = self._after_cr, key == "\r"
        if key in "\r\n":
            if key == "\n" and after_cr:
                return None  # CRLF is one line end
            return self._take("line", "\r\n" if self.echo else "", shown)
        if key == "?":
            if self.assist:
                return Event("help", self.text)
            self._insert(key, shown)
        elif key == "\t":
            if self.assist:
                return Event("complete", self.text)
        elif key in _ACTIONS:
            return self._take(_ACTIONS[key], "", shown)
        elif key in "\b\x7f":
            self._erase(1, shown)
        elif key == "\x15":  # Ctrl-U: the whole line
            self._erase(len(self.text), shown)
        elif key == "\x17":  # Ctrl-W: the word before the cursor
            word = re.search(r"\S*\s*$", self.text)
            self._erase(len(word.group()) if word else 0, shown)
        return None  # NUL and other control keys are line noise to IOS

    def _take(self, kind: EventKind, echo: str, shown: list[str]) -> Event:
        """End the line: its text goes with the event, the editor starts a new one."""
        shown.append(echo)
        text, self.text, self._start = self.text, "", 0
        return Event(kind, text)

    def _erase(self, count: int, shown: list[str]) -> None:
        count = min(count, len(self.text))
        if not count:
            return
        before = len(self.text) - self._start
        self.text = self.text[:-count]
        if not self.echo:
            return
        if self._start:
            shown.append(self._scroll(before))
        else:
            shown.append("\b" * count + " " * count + "\b" * count)

    def replace(self, text: str) -> str:
        """Put `text` on the line instead (Tab completion); returns the echo that does it."""
        old, before = self.text, len(self.text) - self._start
        self.text = text
        if not self.echo:
            return ""
        if text.startswith(old) and not self._start and not (self.room and len(text) > self.room):
            return text[len(old) :]
        return self._scroll(before)

    def after_key(self, key: str) -> None:
        """A key was taken by someone else (the pager): a LF after its CR is no new key."""
        self._after_cr = key == "\r"

    def skips(self, key: str) -> bool:
        """Whether `key` is the LF of a CRLF whose CR was already taken."""
        skip = key == "\n" and self._after_cr
        self._after_cr = False
        return skip


@dataclass
class TerminalSettings:
    """`terminal length` and `terminal width` of one session (0 length: no paging)."""

    length: int = DEFAULT_LENGTH
    width: int = DEFAULT_WIDTH

    def set(self, words: tuple[str, ...], args: tuple[str, ...]) -> None:
        """Record `terminal length N` / `terminal width N`; other terminal commands pass."""
        if len(words) >= 2 and args and args[0].isdigit():
            if words[1] == "length":
                self.length = int(args[0])
            elif words[1] == "width":
                self.width = int(args[0])


class Pager:
    """Output shown a screen at a time: `length - 1` lines, then ` --More-- `.

    At `--More--`, space shows the next screen, Enter the next line, any other key ends
    the output. The `--More--` is erased before whatever comes next. With a `width`, a
    line wider than the terminal counts as the rows it wraps onto.
    """

    def __init__(self, text: str, length: int, width: int = 0) -> None:
        self._lines = text.splitlines(keepends=True)
        self._page = max(length - 1, 1)
        self._width = width
        self._shown = 0
        self.paging = length > 0

    @property
    def done(self) -> bool:
        return not self.paging or self._shown >= len(self._lines)

    def first(self) -> str:
        """What to send before the first key: all of it, or a screen and `--More--`."""
        if not self.paging or sum(map(self._rows, self._lines)) <= self._page:
            self._shown = len(self._lines)
            return "".join(self._lines)
        return self._next(self._page)

    def _rows(self, line: str) -> int:
        """Screen rows a line takes: a line wider than the terminal wraps."""
        columns = len(line.rstrip("\r\n"))
        return max(-(-columns // self._width), 1) if self._width else 1

    def press(self, key: str) -> str:
        """What to send after a key at `--More--`."""
        if key == " ":
            return ERASE_MORE + self._next(self._page)
        if key in "\r\n":
            return ERASE_MORE + self._next(1)
        self._shown = len(self._lines)
        return ERASE_MORE

    def _next(self, rows: int) -> str:
        """The next lines that fit in `rows` screen rows (at least one line)."""
        end, used = self._shown, 0
        while end < len(self._lines):
            used += self._rows(self._lines[end])
            if used > rows and end > self._shown:
                break
            end += 1
        chunk, self._shown = self._lines[self._shown : end], end
        return "".join(chunk) + ("" if self.done else MORE)
