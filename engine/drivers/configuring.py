"""How a config step's lines reach a device, as a sequence of lines: no I/O of its own.

The platform's record (engine.platforms) decides the sequence:

    config mode (IOS, NX-OS, EOS)   configure terminal, the lines, end
    candidate (Junos, IOS-XR)       configure private, the lines, top, show | compare,
                                    commit, exit configuration-mode
    EOS config session              configure session netplay-1a2b3c4d, the lines,
                                    show session-config diffs, commit

Lines stop at the first one the device refuses. A candidate (or session) with a refused
line, or whose commit the device refuses, is dropped (`rollback 0`, `abort`): nothing of
the step is applied, and the error says so. Before a commit, the candidate's difference
(`show | compare`) says whether there is anything to commit at all. A driver supplies
`SendLine`, which types one line and returns what the device answered (echo included),
read until what `Wait` names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from engine.drivers import Reply, find_error
from engine.drivers.transcript import strip_echo
from engine.platforms import Commit, Platform

# line: a config prompt, or text mode; text: the echo of a banner's line; prompt: any prompt
Wait = Literal["line", "text", "prompt"]
SendLine = Callable[[str, Wait], str]
# A banner (and a few other commands) switch to text mode: no prompt until the delimiter.
TEXT_MODE = re.compile(r"End with the character '(.)'")


@dataclass(frozen=True)
class Mode:
    """How one config step enters, ends and (on a candidate) commits."""

    enter: str
    leave: str
    commit: Commit | None = None


def mode_for(platform: Platform, session: str | None = None) -> Mode:
    """The platform's config mode; with `session` (a name), its config session."""
    if session is not None and platform.session is not None and platform.session_enter:
        enter = platform.session_enter.format(name=session)
        return Mode(enter, platform.config_exit, platform.session)
    return Mode(platform.config_enter, platform.config_exit, platform.candidate)


@dataclass(frozen=True)
class Sent:
    """What the lines got: the device's answers, and its error with the refused line."""

    output: str
    error: str | None = None
    refused: str | None = None


def send_lines(lines: Sequence[str], send: SendLine, errors: re.Pattern[str]) -> Sent:
    """Type each line in config mode until the device refuses one."""
    output, delimiter = "", None
    for line in lines:
        if delimiter is not None and delimiter not in line:
            output += send(line, "text")  # banner text: no prompt until the delimiter
            continue
        answer = send(line, "line")
        output += answer
        text_mode = TEXT_MODE.search(strip_echo(answer))
        delimiter = text_mode.group(1) if text_mode else None
        error = find_error(strip_echo(answer), errors)  # not the line itself
        if error is not None:
            return Sent(output, error, line)
    return Sent(output)


def apply(mode: Mode, lines: Sequence[str], send: SendLine, errors: re.Pattern[str]) -> Reply:
    """Enter config mode, send the lines, commit or drop a candidate, leave config mode.

    A candidate the lines left equal to the running config is dropped, not committed: no
    empty commit, and `applied` says nothing changed."""
    output = send(mode.enter, "prompt")
    refused = find_error(strip_echo(output), errors)
    if refused is not None:  # still in exec mode: nothing to leave or drop
        return Reply(output, f"'{mode.enter}': {refused}; nothing was sent", applied=False)
    sent = send_lines(lines, send, errors)
    output += sent.output
    commit = mode.commit
    if commit is None:
        return Reply(output + send(mode.leave, "prompt"), sent.error)
    if sent.error is not None:
        error = f"'{sent.refused}': {sent.error}; nothing was committed"
        return _drop(mode, commit, send, output, error)
    if commit.compare is not None and commit.changes is not None:
        output += send(commit.top, "prompt") if commit.top else ""
        shown = send(commit.compare, "prompt")
        output += shown
        if not _changes(shown, commit.changes):
            return _drop(mode, commit, send, output, None)
    answer = send(commit.commit, "prompt")
    output += answer
    failed = find_error(strip_echo(answer), errors)
    if failed is not None:
        error = f"commit refused: {failed}; nothing was committed"
        return _drop(mode, commit, send, output, error)
    return Reply(output + _leave(mode, commit.commit_leaves, send), applied=True)


def _drop(mode: Mode, commit: Commit, send: SendLine, output: str, error: str | None) -> Reply:
    """Drop the candidate (`rollback 0`, `abort`) and leave: nothing is applied."""
    output += send(commit.abort, "prompt")
    return Reply(output + _leave(mode, commit.abort_leaves, send), error, applied=False)


def _changes(shown: str, pattern: str) -> bool:
    """Whether the compare command's answer (echo and prompt aside) shows a change."""
    body = strip_echo(shown).rstrip().rpartition("\n")[0]
    return re.search(pattern, body, re.MULTILINE) is not None


def _leave(mode: Mode, left: bool, send: SendLine) -> str:
    """Leave config mode, unless the commit or abort already did."""
    return "" if left else send(mode.leave, "prompt")
