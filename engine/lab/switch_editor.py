"""A switch platform as tables, and configuration mode over a `SwitchConfig`.

Everything that differs between EOS and NX-OS is data in a `Platform` (engine.lab.eos,
engine.lab.nxos). `ConfigEditor` applies configuration lines the way both do: a line is
looked up in the current sub-mode's vocabulary, then in global configuration (which leaves
the sub-mode, as on the devices); `no` removes what it names, and a line that fits
nothing changes nothing. A boot applies the boot configuration the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from engine.lab.device import Device
from engine.lab.switch_config import Layout, SwitchConfig, SwitchState, state_of
from engine.lab.switch_grammar import (
    ARGS,
    ArgReader,
    Failure,
    Parsed,
    Rule,
    interface_reader,
    parse,
)
from engine.lab.switch_view import PEERS, HardwarePort, SwitchView

Renderer = Callable[[SwitchView], str]
_STAYED = Rule("exit", "stay")  # `exit` from a sub-mode: still configuring
EXEC = Rule("exec", "exec")  # an exec command typed in configuration mode


@dataclass(frozen=True)
class Platform:
    """One switch operating system, as tables."""

    name: str  # the netmiko device type
    prompts: Mapping[str, str]  # mode -> format ({host}, {session}, {short}, {target})
    exec_rules: tuple[Rule, ...]
    config_rules: Mapping[str, tuple[Rule, ...]]  # "config", "interface", "vlan"
    interface_types: tuple[tuple[str, str], ...]  # full type name, pattern of its numbers
    virtual: tuple[str, ...]  # interface types that configuration creates
    short_names: Mapping[str, str]  # full type name -> its short form in tables
    ports: tuple[HardwarePort, ...]
    layout: Layout
    errors: Mapping[str, str]  # failure kind (and "privileged", "secret") -> text
    caret: bool  # errors point at the word with `^` under it (NX-OS)
    messages: Mapping[str, str]  # fixed answers: configure, save, terminal ...
    shows: Mapping[str, Renderer]
    canonical: Mapping[str, Callable[[Parsed], str]]  # how a `set:NAME` line is written
    boot: Callable[[Device], list[str]]
    start_privileged: bool

    @property
    def args(self) -> dict[str, ArgReader]:
        return {**ARGS, "iface": interface_reader(self.interface_types)}

    @property
    def exec_in_config(self) -> tuple[Rule, ...]:
        """The exec commands configuration modes take as they are: show, copy, diffs."""
        return tuple(
            rule for rule in self.exec_rules if rule.action.startswith(("show", "save", "diffs"))
        )

    def short(self, name: str) -> str:
        for full, short in self.short_names.items():
            if name.startswith(full):
                return short + name[len(full) :]
        return name


PLATFORMS: dict[str, Platform] = {}
# What every configuration mode understands.
LEAVING = (Rule("end", "end"), Rule("exit", "exit"), Rule("do <line>", "do"))


def register(platform: Platform) -> Platform:
    """Make a platform known, so neighbours of other platforms can read its state."""
    PLATFORMS[platform.name] = platform
    PEERS[platform.name] = lambda device: (
        switch_state(device, platform).running,
        platform.ports,
    )
    return platform


def switch_state(device: Device, platform: Platform) -> SwitchState:
    return state_of(device, lambda d: load(platform, platform.boot(d)))


def load(platform: Platform, lines: list[str]) -> SwitchConfig:
    """A configuration built by applying `lines` in configuration mode, as a boot does."""
    editor = ConfigEditor(platform, SwitchConfig())
    for line in lines:
        editor.apply(line)
    return editor.config


class ConfigEditor:
    """Configuration mode on one configuration: which sub-mode, which section."""

    def __init__(self, platform: Platform, config: SwitchConfig) -> None:
        self.platform = platform
        self.config = config
        self.mode = "config"
        self.scope: str | None = None

    def apply(self, line: str) -> Parsed | Failure:
        """Apply one configuration line; session-level actions (end, exit from global
        configuration, commit, exec commands) come back parsed for the caller to run."""
        words = line.split()
        negate = bool(words) and words[0].lower() == "no"
        text = words[1:] if negate else words
        found = self._find(text, negate)
        if isinstance(found, Failure):
            return (
                replace(found, index=found.index + negate) if found.kind != "ambiguous" else found
            )
        parsed, mode = found
        if mode != self.mode:
            self.mode, self.scope = "config", None  # a global command leaves the sub-mode
        return self._run(parsed, negate)

    def _find(self, words: list[str], negate: bool) -> tuple[Parsed, str] | Failure:
        modes = [self.mode] if self.mode == "config" else [self.mode, "config"]
        first: Failure | None = None
        for mode in modes:
            rules = self.platform.config_rules[mode]
            if not negate:  # show and copy work in configuration mode too
                rules += self.platform.exec_in_config
            parsed = parse(words, rules, self.platform.args, partial=negate)
            if isinstance(parsed, Parsed):
                return parsed, mode
            first = first or parsed
        assert first is not None
        return first

    def _run(self, parsed: Parsed, negate: bool) -> Parsed | Failure:
        rule = parsed.rule
        kind, _, style = rule.action.partition(":")
        if rule in self.platform.exec_in_config:
            return Parsed(EXEC, parsed.words, parsed.args)
        if kind == "exit" and self.mode != "config":
            self.mode, self.scope = "config", None
            return Parsed(_STAYED, parsed.words, ())
        if kind == "section":
            return self._section(parsed, negate)
        if kind not in ("set", "add"):
            return parsed
        line = self.platform.canonical[style](parsed) if style else " ".join(parsed.words)
        if rule.negative:
            self._negative(line, negate)
        elif negate:
            self.config.remove(self.scope, _removed(parsed))
        else:
            self.config.store(self.scope, line, rule.key if kind == "set" else None)
        return parsed

    def _negative(self, line: str, negate: bool) -> None:
        """`no switchport` is itself configuration; `switchport` takes it away."""
        self.config.remove(self.scope, ["no", *line.split()])
        if negate:
            self.config.store(self.scope, f"no {line}", None)

    def _section(self, parsed: Parsed, negate: bool) -> Parsed | Failure:
        if not parsed.complete:
            return Failure("incomplete", len(parsed.words))
        header = " ".join(parsed.words)
        if header.startswith("interface ") and not self._exists(parsed.args[0]):
            return Failure("invalid", len(parsed.words) - 1)
        if negate:
            if header.startswith("interface ") and not self._virtual(parsed.args[0]):
                self.config.section(header).children.clear()  # hardware stays, reset
            else:
                self.config.remove(None, header.split())
            return parsed
        self.config.section(header)
        self.mode, self.scope = parsed.rule.enters, header
        return parsed

    def _virtual(self, name: str) -> bool:
        return name.startswith(self.platform.virtual)

    def _exists(self, name: str) -> bool:
        return self._virtual(name) or any(port.name == name for port in self.platform.ports)


def _removed(parsed: Parsed) -> list[str]:
    """The words that pick what `no ...` removes: the command's key when typed in full."""
    key = parsed.rule.key
    words = list(parsed.words)
    return words[:key] if parsed.complete and key is not None else words
