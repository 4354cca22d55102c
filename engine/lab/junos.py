"""The Junos personality: `user@R1>`, `[edit]`, `set` / `delete`, `show | compare`, commit.

As on Junos, plain `configure` edits the device's one shared candidate: uncommitted changes
stay in it after `exit` and the next `configure` says so. `configure exclusive` edits the
shared candidate too but drops its uncommitted changes on exit; `configure private` edits a
copy of its own, refused while the shared one holds uncommitted changes. `commit` checks
the candidate and applies it whole or not at all; `rollback N` loads an earlier commit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping

from engine.lab import junos_show as show
from engine.lab.candidate import (
    Path,
    Statement,
    Tree,
    Unknown,
    Walked,
    children_at,
    tokens,
    walk,
    within,
)
from engine.lab.candidate_render import braces, compare, junos_word, segment_text
from engine.lab.candidate_session import CandidateSession, Handler
from engine.lab.candidate_store import rejected
from engine.lab.cli import Reply
from engine.lab.commands import Failure, Match, parse
from engine.lab.device import Device
from engine.lab.junos_grammar import CONFIG, EXEC, MESSAGES, VOCABULARY
from engine.lab.platform_ports import PORT_NAMES

_KERNEL = "JNPR-12.1-20220814.3c4a2f8_buil"
_CHANGED = "The configuration has been changed but not committed\n"
_ASK_EXIT = _CHANGED + "Exit with uncommitted changes? [yes,no] (yes) "
_CONFIRMED = (
    "commit confirmed will be automatically rolled back in {} minutes unless confirmed\n"
    "commit complete\n"
)
_CHECK_FAILED = "error: configuration check-out failed\n"
# Junos pipes that only filter text: name -> (lines, argument) -> lines kept.
_FILTERS: dict[str, Callable[[list[str], str], list[str]]] = {
    "match": lambda lines, text: [ln for ln in lines if re.search(text, ln)],
    "except": lambda lines, text: [ln for ln in lines if not re.search(text, ln)],
    "count": lambda lines, text: [f"Count: {len(lines)} lines"],
    "no-more": lambda lines, text: lines,
    "display": lambda lines, text: _display_set(lines) if text == "set" else lines,
}


def _display_set(lines: list[str]) -> list[str]:
    """Braces as `set` lines: the open blocks, then each statement."""
    stack: list[str] = []
    found = []
    for line in lines:
        text = line.strip()
        if text.endswith("{"):
            stack.append(text[:-1].strip())
        elif text == "}":
            stack.pop() if stack else None
        elif text.endswith(";") and not text.startswith("#"):
            found.append(" ".join(["set", *stack, text[:-1]]))
    return found


def boot(device: Device) -> Tree:
    """A user, management and the ring's two cables, a loopback, a default route, LLDP."""
    identity, wiring, user = device.identity, device.wiring, device.spec.username
    secret = "$6$" + hashlib.sha256(identity.serial.encode()).hexdigest()[:40]
    ports = PORT_NAMES["juniper_junos"]
    lines = [f"version {show.VERSION}", f"system host-name {identity.hostname}",
             f"system login user {user} uid 2000", f"system login user {user} class super-user",
             f'system login user {user} authentication encrypted-password "{secret}"',
             "system services ssh", "system services netconf ssh",
             f"interfaces {ports(0)} unit 0 family inet address {identity.management}",
             f"interfaces lo0 unit 0 family inet address {wiring.loopback}/32"]  # fmt: skip
    for port, text, address in wiring.ring():
        lines.append(f"interfaces {ports(int(port[-1]))} description {text}")
        if address is not None:
            lines.append(f"interfaces {ports(int(port[-1]))} unit 0 family inet address {address}")
    lines += [f"routing-options static route 0.0.0.0/0 next-hop {identity.gateway}",
              "protocols lldp interface all"]  # fmt: skip
    config = Tree()
    for line in lines:
        found = walk(VOCABULARY, tokens(line))
        assert isinstance(found, Walked), line
        config.set(found)
    return config


class JunosSession(CandidateSession):
    """One login on a Junos device (see the module docstring for its candidates)."""

    PLATFORM = "juniper_junos"
    EXEC = EXEC
    CONFIG = CONFIG
    VOCABULARY = VOCABULARY
    MESSAGES = MESSAGES

    def __init__(self, device: Device, username: str | None = None) -> None:
        super().__init__(device, username)
        self.kind = ""  # "", "private" or "exclusive" while configuring

    @classmethod
    def boot(cls, device: Device) -> Tree:
        return boot(device)

    def prompt_text(self) -> str:
        me = f"{self.username}@{show.hostname(self.store.tree)}"
        if self.candidate is None:
            return f"{me}> "
        where = " ".join(segment_text(s, junos_word) for s in self.edit)
        return f"\n[edit{' ' + where if where else ''}]\n{me}# "

    def greeting(self) -> str:
        return f"--- JUNOS {show.VERSION} Kernel 64-bit  {_KERNEL}\n{self.prompt}"

    def statement_text(self, head: str) -> str | None:
        verb, _space, rest = head.lstrip().partition(" ")
        return rest if verb in ("set", "delete", "edit") and _space else None

    def answer(self, line: str) -> Reply:
        if self.candidate is None:
            return self.run_exec(line)
        command, _bar, pipe = line.partition("|")
        found = parse(command, CONFIG)
        if isinstance(found, Failure):
            return Reply(self.failure(found, line))
        return self.maybe_hang(
            found.words, _CONFIG_ACTIONS[found.action](self, found, pipe.strip())
        )

    def pipe(self, output: str, text: str, column: int) -> str | Reply:
        lines = output.splitlines()
        for stage in (s.strip() for s in text.split("|")):
            name, _space, argument = stage.partition(" ")
            matches = [key for key in _FILTERS if key.startswith(name)] if name else []
            if len(matches) != 1:
                return Reply(" " * (len(self.prompt_text()) + column + 1) + "^\nsyntax error.\n")
            try:
                lines = _FILTERS[matches[0]](lines, argument.strip().strip('"'))
            except re.error:
                lines = []
        return "".join(line + "\n" for line in lines)

    # -- configuration mode ------------------------------------------------------------------

    def statement(self, text: str, column: int, partial: bool) -> Walked | Reply:
        """A statement relative to where the session edits, or the error Junos prints."""
        words = tokens(text)
        found = walk(_children(self.edit), words, partial=partial)
        if isinstance(found, Walked):
            return Walked(self.edit + found.path, found.kind, found.node)
        at = words[found.index].column if found.index < len(words) else len(text) + 1
        message = "missing argument." if found.missing else "syntax error."
        return Reply(
            " " * (len(self.prompt_text().rsplit("\n", 1)[-1]) + column + at) + f"^\n{message}\n"
        )

    def check(self) -> str | None:
        """Why the candidate cannot be committed (Junos's words), or None."""
        assert self.candidate is not None
        refused = rejected(self.device, self.candidate.added(self.store.tree), prefix="set")
        if refused is None:
            return None
        head = " ".join(segment_text(s, junos_word) for s in refused[:-1])
        return (f"[edit {head}]\n  '{segment_text(refused[-1], junos_word)}'\n"
                f"    error: statement refused by the device\n{_CHECK_FAILED}")  # fmt: skip

    def commit(self, match: Match) -> Reply:
        problem = self.check()
        if problem is not None:
            return Reply(problem)
        assert self.candidate is not None
        if "confirmed" in match.words:
            minutes = int(match.args[0]) if match.args else 10
            self.store.commit(self.candidate, self.username, within=60.0 * minutes)
            return Reply(_CONFIRMED.format(minutes))
        comment = match.args[0].removesuffix("and-quit").strip().strip('"') if match.args else ""
        self.store.commit(self.candidate, self.username, comment)
        if "and-quit" in match.words or (match.args and match.args[0].endswith("and-quit")):
            return self._to_exec("commit complete\nExiting configuration mode\n")
        return Reply("commit complete\n")

    def leave(self) -> Reply:
        if not self.changed:
            return self._to_exec("Exiting configuration mode\n")

        def answer(text: str) -> Reply:
            if text.strip().lower() in ("", "yes", "y"):
                return self._to_exec("Exiting configuration mode\n")
            return Reply()

        return self.ask(_ASK_EXIT, answer)

    def _to_exec(self, output: str) -> Reply:
        if self.candidate is not None and self.kind == "exclusive":
            self.candidate.entries = dict(self.store.tree.entries)  # its changes are dropped
        self.candidate, self.edit, self.kind = None, (), ""
        return Reply(output)

    def configure(self, kind: str) -> Reply:
        shared = self.store.shared
        if shared is None:
            shared = self.store.shared = self.store.tree.copy()
        dirty = shared.entries != self.store.tree.entries
        if kind == "private" and dirty:
            return Reply("error: shared configuration database modified\n")
        self.candidate = self.store.tree.copy() if kind == "private" else shared
        self.kind = kind
        return Reply("Entering configuration mode\n" + (_CHANGED if dirty else ""))

    def show(self, match: Match, pipe: str) -> Reply:
        assert self.candidate is not None
        if pipe.startswith("compare"):
            lines = compare(self.candidate, self.store.tree, VOCABULARY)
            return Reply("".join(line + "\n" for line in lines))
        output = self.render(self.candidate, match.args[0] if match.args else "", relative=True)
        if isinstance(output, Reply) or not pipe:
            return output if isinstance(output, Reply) else Reply(output)
        return _as_reply(self.pipe(output, pipe, len(match.words[0]) + 1))

    def render(self, config: Tree, where: str, relative: bool = False) -> str | Reply:
        """Braces for `config` at the session's level (or from the top), under `where`."""
        base = self.edit if relative else ()
        if where:
            found = walk(_children(base), tokens(where), partial=True)
            if isinstance(found, Unknown):
                return Reply("syntax error.\n")
            base = base + found.path
        paths = [p for p in config.entries if within(p, base)]
        cut = len(base) - (1 if paths and len(paths[0]) == len(base) else 0)
        return "".join(line + "\n" for line in braces(config, VOCABULARY, paths=paths, cut=cut))


def _as_reply(output: str | Reply) -> Reply:
    return output if isinstance(output, Reply) else Reply(output)


def _children(path: Path) -> tuple[Statement, ...]:
    return children_at(VOCABULARY, path)


def _junos(method: Callable[[JunosSession, Match], Reply | str]) -> Handler:
    def call(session: CandidateSession, match: Match) -> Reply | str:
        assert isinstance(session, JunosSession)
        return method(session, match)

    return call


def _shown(render: Callable[[Device, Tree], str]) -> Handler:
    return lambda session, match: render(session.device, session.store.tree)


def _show_configuration(session: JunosSession, match: Match) -> Reply | str:
    last = session.store.history[0]
    head = f"## Last commit: {show._stamp(last.when)} by {last.user}\n"
    body = session.render(session.store.tree, match.args[0] if match.args else "")
    return body if isinstance(body, Reply) else (head if not match.args else "") + body


def _screen(setting: str, message: str) -> Handler:
    def call(session: CandidateSession, match: Match) -> Reply:
        if setting:
            session.terminal.set(("terminal", setting), match.args)
        return Reply(message.format(*match.args), counted=False)

    return call


JunosSession.ACTIONS = {
    "show_version": _shown(show.show_version),
    "show_interfaces": _shown(show.show_interfaces),
    "show_terse": _shown(show.show_terse),
    "show_lldp": _shown(show.show_lldp),
    "show_route": _shown(show.show_route),
    "show_uptime": lambda s, m: show.show_uptime(
        s.device, s.store.tree, (s.store.history[0].when, s.store.history[0].user)
    ),
    "show_configuration": _junos(_show_configuration),
    "screen_length": _screen("length", "Screen length set to {0}\n"),
    "screen_width": _screen("width", "Screen width set to {0}\n"),
    "complete_on_space": _screen("", "Disabling complete-on-space\n"),
    "configure": _junos(lambda s, m: s.configure("")),
    "configure_private": _junos(lambda s, m: s.configure("private")),
    "configure_exclusive": _junos(lambda s, m: s.configure("exclusive")),
    "exit": lambda session, match: session.close(),
}


def _set(session: JunosSession, match: Match, pipe: str) -> Reply:
    found = session.statement(match.args[0], len(match.words[0]) + 1, partial=False)
    if isinstance(found, Reply):
        return found
    assert session.candidate is not None
    session.candidate.set(found)
    return Reply()


def _delete(session: JunosSession, match: Match, pipe: str) -> Reply:
    found = session.statement(match.args[0], len(match.words[0]) + 1, partial=True)
    if isinstance(found, Reply):
        return found
    assert session.candidate is not None
    if not session.candidate.delete(found.path):
        return Reply("warning: statement not found\n")
    return Reply()


def _edit(session: JunosSession, match: Match, pipe: str) -> Reply:
    found = session.statement(match.args[0], len(match.words[0]) + 1, partial=False)
    if isinstance(found, Reply):
        return found
    if found.kind != "block":
        return Reply(f"error: '{match.args[0]}': not a hierarchy level\n")
    session.edit = found.path
    return Reply()


def _top(session: JunosSession, match: Match, pipe: str) -> Reply:
    session.edit = ()
    return Reply()


def _up(session: JunosSession, match: Match, pipe: str) -> Reply:
    session.edit = session.edit[:-1]
    return Reply()


def _exit(session: JunosSession, match: Match, pipe: str) -> Reply:
    return _up(session, match, pipe) if session.edit else session.leave()


def _rollback(session: JunosSession, match: Match, pipe: str) -> Reply:
    number = int(match.args[0]) if match.args else 0
    if number >= len(session.store.history):
        return Reply(f"error: rollback {number}: no such configuration\n")
    assert session.candidate is not None
    session.candidate.entries = dict(session.store.history[number].tree.entries)
    return Reply("load complete\n")


def _check(session: JunosSession, match: Match, pipe: str) -> Reply:
    return Reply(session.check() or "configuration check succeeds\n")


def _run(session: JunosSession, match: Match, pipe: str) -> Reply:
    return session.run_exec(match.args[0] + (f" | {pipe}" if pipe else ""), len(match.words[0]) + 1)


_CONFIG_ACTIONS: Mapping[str, Callable[[JunosSession, Match, str], Reply]] = {
    "set": _set,
    "delete": _delete,
    "edit": _edit,
    "top": _top,
    "up": _up,
    "exit": _exit,
    "exit_all": lambda s, m, p: s.leave(),
    "show": JunosSession.show,
    "commit": lambda s, m, p: s.commit(m),
    "check": _check,
    "rollback": _rollback,
    "run": _run,
}
