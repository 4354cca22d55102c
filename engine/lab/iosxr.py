"""The IOS-XR personality: `RP/0/RP0/CPU0:R1#`, a target configuration per session, commit.

As on IOS-XR, every session that enters configuration mode gets its own target
configuration (a copy of what is committed); `commit` validates it and applies it whole,
or applies nothing and keeps it for `show configuration failed`; `abort` drops it; `end`
or `exit` with changes asks whether to commit them. What is committed is the device's,
seen by every later session.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections.abc import Callable, Mapping
from typing import cast

from engine.lab import iosxr_show as show
from engine.lab.candidate import (
    Path,
    Tree,
    Unknown,
    Walked,
    children_at,
    statement_at,
    tokens,
    walk,
    within,
)
from engine.lab.candidate_render import indented, xr_changes
from engine.lab.candidate_session import CandidateSession, Handler
from engine.lab.candidate_store import rejected
from engine.lab.cli import Reply
from engine.lab.commands import Failure, Match, parse
from engine.lab.device import Device
from engine.lab.filters import apply_filter, parse_filter
from engine.lab.iosxr_grammar import CONFIG, EXEC, MESSAGES, VOCABULARY
from engine.lab.platform_ports import PORT_NAMES

_COMMIT_FAILED = (
    "\n% Failed to commit one or more configuration items during a pseudo-atomic operation. "
    "All changes made have been reverted. Please issue 'show configuration failed "
    "[inheritance]' from this session to view the errors\n"
)
_ASK_COMMIT = "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
_REJECTED = "!!% Permission denied: the device refuses this configuration"


def boot(device: Device) -> Tree:
    """Hostname, a user, management and the ring's two cables, a loopback, a default route."""
    identity, wiring = device.identity, device.wiring
    secret = "$6$" + hashlib.sha256(identity.serial.encode()).hexdigest()[:40]
    lines = [f"hostname {identity.hostname}", f"username {device.spec.username}",
             "group root-lr", "group cisco-support", f"secret 10 {secret}",
             f"interface {PORT_NAMES['cisco_xr'](0)}", "description OOB management",
             f"ipv4 address {identity.management.ip} {identity.management.netmask}",
             "interface Loopback0", f"ipv4 address {wiring.loopback} 255.255.255.255"]  # fmt: skip
    for port, text, address in wiring.ring():
        lines += [f"interface {PORT_NAMES['cisco_xr'](int(port[-1]))}", f"description {text}"]
        if address is not None:
            lines.append(f"ipv4 address {address.ip} {address.netmask}")
    for spare in range(3, 8):
        lines += [f"interface {PORT_NAMES['cisco_xr'](spare)}", "shutdown"]
    lines += ["router static", "address-family ipv4 unicast", f"0.0.0.0/0 {identity.gateway}",
              "lldp", "ssh server v2"]  # fmt: skip
    candidate, edit = Tree(), cast(Path, ())
    for line in lines:
        found = _statement(edit, line)
        assert isinstance(found, Walked), line
        candidate.set(found)
        edit = found.path if found.kind == "block" else found.path[:-1]
    return candidate


def _statement(edit: Path, line: str, negate: bool = False) -> Walked | Unknown:
    """A statement typed at `edit`: in the current mode, else in the modes around it, as
    IOS-XR leaves a sub-mode for a statement it does not take. The path returned is whole."""
    words = tokens(line)
    first: Unknown | None = None
    for depth in range(len(edit), -1, -1):
        found = walk(children_at(VOCABULARY, edit[:depth]), words, partial=negate)
        if isinstance(found, Walked):
            return Walked(edit[:depth] + found.path, found.kind, found.node)
        first = first or found
    assert first is not None
    return first


def _validate(device: Device, candidate: Tree, base: Tree) -> tuple[Path, str] | None:
    """What IOS-XR refuses at commit: a statement the `reject` knob names, or an address
    whose subnet overlaps another interface's."""
    refused = rejected(device, candidate.added(base))
    if refused is not None:
        return refused, _REJECTED
    seen: dict[str, ipaddress.IPv4Interface] = {}
    for path in candidate.entries:
        if len(path) < 2 or path[0][0] != "interface" or path[1][0] != "ipv4 address":
            continue
        try:
            address = ipaddress.IPv4Interface(f"{path[1][1]}/{path[1][2]}")
        except ValueError:
            return path, "!!% Invalid argument: the mask is not a valid IPv4 netmask"
        for other, known in seen.items():
            if known.network.overlaps(address.network) and path in candidate.added(base):
                return path, f"!!% IP address conflicts with the address on {other}"
        seen[path[0][1]] = address
    return None


class IosXrSession(CandidateSession):
    """One login on an IOS-XR device (see the module docstring for its candidate)."""

    PLATFORM = "cisco_xr"
    EXEC = EXEC
    CONFIG = CONFIG
    VOCABULARY = VOCABULARY
    MESSAGES = MESSAGES

    def __init__(self, device: Device, username: str | None = None) -> None:
        super().__init__(device, username)
        self.failed: tuple[Path, str] | None = None

    @classmethod
    def boot(cls, device: Device) -> Tree:
        return boot(device)

    def prompt_text(self) -> str:
        name = show.hostname(self.store.tree)
        if self.candidate is None:
            return f"RP/0/RP0/CPU0:{name}#"
        node = statement_at(VOCABULARY, self.edit)
        return f"RP/0/RP0/CPU0:{name}({node.mode if node else 'config'})#"

    def greeting(self) -> str:
        return f"\n\n{self.prompt}"

    def statement_text(self, head: str) -> str | None:
        words = head.split()
        return " ".join(words[1:]) if words[:1] == ["no"] else head

    def answer(self, line: str) -> Reply:
        if self.candidate is None:
            return self.run_exec(line)
        found = parse(line, CONFIG)
        if isinstance(found, Match):
            return self.maybe_hang(found.words, _CONFIG_ACTIONS[found.action](self, found))
        first = tokens(line)[0]
        if found.column >= first.column + len(first.text):  # a session command, misspelt
            return Reply(self.failure(found, line))
        return self._set(line, negate=False)

    def pipe(self, output: str, text: str, column: int) -> str | Reply:
        found = parse_filter(text)
        if isinstance(found, Failure):
            return Reply(self.failure(found, text, column))
        return apply_filter(output, found)

    # -- configuration mode ------------------------------------------------------------------

    def _set(self, line: str, negate: bool) -> Reply:
        assert self.candidate is not None
        found = _statement(self.edit, line, negate)
        if isinstance(found, Unknown):
            if found.missing:
                return Reply(MESSAGES["incomplete"])
            column = (
                tokens(line)[found.index].column if found.index < len(tokens(line)) else len(line)
            )
            offset = len(self.prompt_text()) + column + (3 if negate else 0)
            return Reply(" " * offset + "^\n" + MESSAGES["invalid"].format(caret=""))
        if negate:
            self.candidate.delete(found.path)
            return Reply()
        self.candidate.set(found)
        self.edit = found.path if found.kind == "block" else found.path[:-1]
        return Reply()

    def commit(self, match: Match) -> Reply:
        assert self.candidate is not None
        if not self.changed and self.store.confirm_by is not None:
            self.store.confirm()  # a plain commit confirms a `commit confirmed`
            return Reply()
        if not self.changed:
            return Reply("\n% No configuration changes to commit.\n")
        problem = _validate(self.device, self.candidate, self.store.tree)
        if problem is not None:
            self.failed = problem
            return Reply(_COMMIT_FAILED)
        words = dict(zip(match.words, match.words[1:], strict=False))
        within = float(words["confirmed"]) if "confirmed" in words else None  # seconds
        comment, label = words.get("comment", ""), words.get("label", "")
        self.store.commit(self.candidate, self.username, comment, label, within)
        self.candidate, self.failed = self.store.tree.copy(), None
        return Reply()

    def leave(self, match: Match) -> Reply:
        if not self.changed:
            return self._to_exec()

        def answer(text: str) -> Reply:
            choice = text.strip().lower()
            if choice in ("yes", "y"):
                reply = self.commit(match)
                return reply if self.changed else self._to_exec(reply.output)
            if choice in ("no", "n"):
                return self._to_exec()
            return Reply()

        return self.ask(_ASK_COMMIT, answer)

    def _to_exec(self, output: str = "") -> Reply:
        self.candidate, self.edit = None, ()
        return Reply(output)

    def show_running(self, match: Match, tree: Tree | None = None) -> str:
        source = self.store.tree if tree is None else tree
        paths = list(source.entries)
        if match.args:
            found = _statement((), match.args[0], negate=True)
            if isinstance(found, Unknown):
                return "% No such configuration item(s)\n\n"
            paths = [p for p in paths if within(p, found.path)]
        head = "Building configuration...\n!! IOS XR Configuration " + show.VERSION + "\n"
        if not match.args:
            last = self.store.history[0]
            head += f"!! Last configuration change at {_when(last.when)} by {last.user}\n!\n"
        body = indented(source, VOCABULARY, paths)
        return show.stamp() + head + "".join(line + "\n" for line in body) + "end\n\n"

    def show_changes(self, match: Match) -> str:
        assert self.candidate is not None
        body = xr_changes(self.candidate, self.store.tree, VOCABULARY)
        head = "Building configuration...\n!! IOS XR Configuration " + show.VERSION + "\n"
        return show.stamp() + head + "".join(line + "\n" for line in body) + "end\n\n"

    def show_failed(self, match: Match) -> str:
        if self.failed is None:
            return show.stamp()
        path, message = self.failed
        lines = indented(Tree({path: False}), VOCABULARY)
        leaf_at = max(n for n, text in enumerate(lines) if text.strip() != "!")
        lines.insert(leaf_at + 1, message)
        return (
            f"{show.stamp()}!! SEMANTIC ERRORS: This configuration was rejected by \n"
            "!! the system due to semantic errors. The individual \n"
            "!! errors with each failed configuration command can be \n"
            "!! found below.\n\n\n" + "".join(line + "\n" for line in lines) + "end\n\n"
        )


def _when(moment: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(moment))


def _shown(render: Callable[[Device, Tree], str]) -> Handler:
    return lambda session, match: render(session.device, session.store.tree)


def _configure(session: CandidateSession, match: Match) -> Reply:
    session.candidate, session.edit = session.store.tree.copy(), ()
    return Reply()


def _terminal(session: CandidateSession, match: Match) -> Reply:
    words = tuple(match.args[0].split()) if match.args else ()
    session.terminal.set(("terminal", *words[:1]), words[1:])
    return Reply(counted=False)


def _xr(method: Callable[[IosXrSession, Match], Reply | str]) -> Handler:
    """A handler that needs the IOS-XR session itself."""

    def call(session: CandidateSession, match: Match) -> Reply | str:
        assert isinstance(session, IosXrSession)
        return method(session, match)

    return call


IosXrSession.ACTIONS = {
    "show_version": _shown(show.show_version),
    "show_ipv4_brief": _shown(show.show_ipv4_brief),
    "show_interfaces": _shown(show.show_interfaces),
    "show_interfaces_brief": _shown(show.show_interfaces_brief),
    "show_clock": _shown(show.show_clock),
    "show_lldp": _shown(show.show_lldp),
    "show_running": _xr(IosXrSession.show_running),
    "show_commit_list": lambda session, match: show.show_commit_list(session.store.history),
    "terminal": _terminal,
    "configure": _configure,
    "exit": lambda session, match: session.close(),
}


def _exit(session: IosXrSession, match: Match) -> Reply:
    """`exit` climbs out of a sub-mode; at the top it leaves configuration mode like `end`."""
    if session.edit:
        session.edit = session.edit[:-1]  # every IOS-XR block is a sub-mode of its parent
        return Reply()
    return session.leave(match)


def _do(session: IosXrSession, match: Match) -> Reply:
    return session.run_exec(match.args[0], len(match.words[0]) + 1)


def _root(session: IosXrSession, match: Match) -> Reply:
    session.edit = ()
    return Reply()


def _abort(session: IosXrSession, match: Match) -> Reply:
    return session._to_exec()


_CONFIG_ACTIONS: Mapping[str, Callable[[IosXrSession, Match], Reply]] = {
    "commit": IosXrSession.commit,
    "abort": _abort,
    "end": IosXrSession.leave,
    "exit": _exit,
    "root": _root,
    "show_changes": lambda s, m: Reply(s.show_changes(m)),
    "show_merge": lambda s, m: Reply(s.show_running(m, s.candidate)),
    "show_failed": lambda s, m: Reply(s.show_failed(m)),
    "show_running": lambda s, m: Reply(s.show_running(m)),
    "do": _do,
    "no": lambda s, m: s._set(m.args[0], negate=True),
}
