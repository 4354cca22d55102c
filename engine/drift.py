"""Drift between two runs: per host and step, what changed in outputs and parsed data.

Two results files (two runs of the same playbook, a week apart, say) are compared step by
step and host by host: the status, the commands sent, each command's output line by line,
and the parsed records. Text that changes on its own — uptime, the clock, counters, timers —
is left out of the comparison by default (`VOLATILE`, extended with `--ignore`), so what
remains is drift: configuration or state that someone or something changed.

A volatile pattern is an RE2 regular expression searched in each line; what it matches (or,
when it has groups, what its groups match) is blanked before lines are compared. Parsed
fields whose name matches a field pattern are dropped before records are compared. The
lines shown are the devices' own, unblanked.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import UsageError
from engine.regex import PatternError, check, compile_linear

DIFFERS = 1  # the exit code when the runs differ, as diff(1) says it
_BLANK = "\x00"
_MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_COUNTED = (
    "broadcasts|runts|giants|throttles|input errors|CRC|frame|overrun|ignored|watchdog"
    "|multicast|pause input|pause output|underruns|output errors|collisions|interface resets"
    "|unknown protocol drops|babbles|late collision|deferred|lost carrier|no carrier"
    "|output buffer failures|output buffers swapped out|no buffer|IP multicasts"
    "|messages? logged|messages dropped|messages rate-limited|message lines logged|flushes|overruns"
)


@dataclass(frozen=True)
class Volatile:
    """Text that changes on its own: a line pattern and a parsed-field pattern (RE2)."""

    name: str
    line: str
    field: str | None


VOLATILE: tuple[Volatile, ...] = (
    # R1 uptime is 3 weeks, 2 days, 5 minutes
    Volatile("uptime", r"uptime is .*", r"uptime"),
    # *10:15:00.123 (show clock; `*`, `.`: whether NTP set it), log stamps, OSPF dead times
    Volatile("clock", r"[*.]?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?", r"time"),
    # Mon Dec 1 2026, Dec  1
    Volatile(
        "date",
        rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?{_MONTH} +\d{{1,2}}(?: \d{{4}})?\b",
        r"^(?:day|dayofweek|month|year)$",
    ),
    # Current configuration : 1914 bytes
    Volatile(
        "config stamps",
        r"^Current configuration : \d+ bytes|^! (?:Last configuration change|NVRAM config"
        r" last updated) at .*",
        None,
    ),
    # 16589760 packets input, 2405515200 bytes; 5 minute input rate 9280 bits/sec; ...
    Volatile(
        "counters",
        r"(\d+) packets (?:input|output), (\d+) bytes|(\d+) (?:bits|packets)/sec"
        r"|(?:reliability|txload|rxload) (\d+)/255|Input queue: (\S+)"
        r"|Total output drops: (\d+)|Last input (\S+), output (\S+)"
        rf"|(\d+) (?:{_COUNTED})\b",
        r"rate|packets|bytes|errors|drops|^crc$|runts|giants|collisions|resets|broadcasts"
        r"|underruns|overrun|^last_|load$|reliability",
    ),
    # CPU utilization for five seconds: 1%/0%; one minute: 1%; five minutes: 2%
    Volatile("cpu", r"CPU utilization for .*", r"^cpu_"),
    # ARP ages; CDP and LLDP hold times, in their tables and in `detail`
    Volatile(
        "ages",
        r"^Internet +\S+( +\d+) |^\S+ +(?:Gig|Ten|Fas|Eth|Gi|Te|Fa|Et|Po)\S* ?[\d/]+( +\d+ +)"
        r"|Holdtime ?: (\d+)",
        r"^age$|hold",
    ),
)


@dataclass(frozen=True)
class Ignore:
    """What the comparison leaves out: volatile line patterns and parsed-field patterns,
    and their names for the summary line."""

    lines: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, lines: Sequence[str] = (), fields: Sequence[str] = (), *, exact: bool) -> Ignore:
        """The user's own patterns (`--ignore`, `--ignore-field`), after VOLATILE's unless
        `exact`."""
        defaults = () if exact else VOLATILE
        for option, pattern in [
            *(("--ignore", p) for p in lines),
            *(("--ignore-field", p) for p in fields),
        ]:
            try:
                check(pattern)
            except PatternError as exc:
                raise UsageError(f"{option}: {exc}") from None
        mine = ("your patterns",) if lines or fields else ()
        return cls(
            tuple(v.line for v in defaults) + tuple(lines),
            tuple(v.field for v in defaults if v.field) + tuple(fields),
            tuple(v.name for v in defaults) + mine,
        )

    def line(self, text: str) -> str:
        """`text` with every volatile part blanked."""
        text = text.rstrip()
        for pattern in self.lines:
            text = _blank(compile_linear(pattern, multiline=False), text)
        return text

    def record(self, data: Any) -> Any:
        """Parsed data without its volatile fields, at any depth."""
        if isinstance(data, Mapping):
            return {k: self.record(v) for k, v in data.items() if not self._volatile_field(k)}
        if isinstance(data, list):
            return [self.record(item) for item in data]
        return data

    def _volatile_field(self, name: Any) -> bool:
        patterns = (compile_linear(f"(?i){f}", multiline=False) for f in self.fields)
        return any(pattern.search(str(name)) for pattern in patterns)


def _blank(pattern: Any, text: str) -> str:
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        groups = [match.span(g) for g in range(1, pattern.groups + 1) if match.start(g) >= 0]
        spans += groups or [match.span()]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + _BLANK + text[end:]
    return text


# -- comparing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference in a host's step: what differs, and the lines (`- `, `+ `, `  `)."""

    what: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostDrift:
    """What differs for one host in one step (`step` None: the host is in one run only)."""

    host: str
    step: str | None
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Drift:
    """Everything that differs between two runs, hosts in inventory order."""

    hosts: tuple[str, ...]
    steps: int
    found: tuple[HostDrift, ...]

    @property
    def drifted(self) -> tuple[str, ...]:
        names = {d.host for d in self.found}
        return tuple(h for h in self.hosts if h in names)


StepKey = tuple[str, str, int]  # play, step, which occurrence of that name


def compare(before: Mapping[str, Any], after: Mapping[str, Any], ignore: Ignore) -> Drift:
    """Every difference between two results files' data, host by host, step by step."""
    old, new = _by_step(before), _by_step(after)
    hosts = tuple(dict.fromkeys([*after.get("hosts", ()), *before.get("hosts", ())]))
    only = {h: "B" for h in set(hosts) - set(before.get("hosts", ()))}
    only.update({h: "A" for h in set(hosts) - set(after.get("hosts", ()))})
    keys = list(dict.fromkeys([*new, *old]))
    found = [HostDrift(h, None, (Change(f"only in {only[h]}"),)) for h in hosts if h in only]
    for host in (h for h in hosts if h not in only):
        for key in keys:
            changes = _changes(old.get(key, {}).get(host), new.get(key, {}).get(host), ignore)
            if changes:
                found.append(HostDrift(host, key[1], changes))
    order = {h: i for i, h in enumerate(hosts)}
    return Drift(hosts, len(keys), tuple(sorted(found, key=lambda d: order[d.host])))


def _by_step(data: Mapping[str, Any]) -> dict[StepKey, dict[str, Mapping[str, Any]]]:
    steps: dict[StepKey, dict[str, Mapping[str, Any]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for record in data.get("steps", ()):
        name = (str(record.get("play", "")), str(record.get("step", "")))
        seen[name] = seen.get(name, 0) + 1
        results = record.get("results", ())
        steps[(*name, seen[name])] = {str(r.get("host")): r for r in results}
    return steps


def _changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, ignore: Ignore
) -> tuple[Change, ...]:
    if old is None or new is None:
        return () if old is new else (Change("ran only in " + ("A" if new is None else "B")),)
    found = []
    if _status(old) != _status(new):
        found.append(Change("status", (f"- {_status(old)}", f"+ {_status(new)}")))
    commands = lines_changed(list(old.get("commands", [])), list(new.get("commands", [])))
    if commands:
        found.append(Change("commands", commands))
    found += _output_changes(old, new, ignore)
    parsed = lines_changed(_records(old, ignore), _records(new, ignore))
    if parsed:
        found.append(Change("parsed", parsed))
    return tuple(found)


def _status(result: Mapping[str, Any]) -> str:
    status = str(result.get("status"))
    if result.get("error"):
        return f"{status} ({result.get('kind')}): {result.get('error')}"
    return status


def _output_changes(old: Mapping[str, Any], new: Mapping[str, Any], ignore: Ignore) -> list[Change]:
    before, after = list(old.get("outputs", [])), list(new.get("outputs", []))
    labels = list(new.get("commands", [])) or list(old.get("commands", []))
    found = []
    for index in range(max(len(before), len(after))):
        lines = lines_changed(_lines(before, index), _lines(after, index), normalise=ignore.line)
        if lines:
            what = labels[index] if index < len(labels) else f"output {index + 1}"
            found.append(Change(str(what), lines))
    return found


def _lines(outputs: Sequence[Any], index: int) -> list[str]:
    return str(outputs[index]).splitlines() if index < len(outputs) else []


def _records(result: Mapping[str, Any], ignore: Ignore) -> list[str]:
    parsed = result.get("parsed") or []
    return [json.dumps(ignore.record(r), sort_keys=True, ensure_ascii=False) for r in parsed]


def lines_changed(
    old: Sequence[str], new: Sequence[str], *, normalise: Any = str.rstrip
) -> tuple[str, ...]:
    """The lines that differ (`- ` removed, `+ ` added), each run of them after its parent
    line (`  interface Gi0/1`) when it is indented, as IOS configuration is."""
    a, b = [normalise(line) for line in old], [normalise(line) for line in new]
    shown: list[str] = []
    parent: str | None = None
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        context = _parent(new, j1) if j1 < j2 else _parent(old, i1)
        if context is not None and context != parent:
            shown.append(f"  {context}")
        parent = context
        shown += [f"- {line.rstrip()}" for line in old[i1:i2]]
        shown += [f"+ {line.rstrip()}" for line in new[j1:j2]]
    return tuple(shown)


def _parent(lines: Sequence[str], index: int) -> str | None:
    """The nearest line above `index` that is less indented, if `lines[index]` is indented."""
    depth = _indent(lines[index])
    if depth == 0:
        return None
    for line in reversed(lines[:index]):
        if line.strip() and _indent(line) < depth:
            return line.rstrip()
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# -- showing --------------------------------------------------------------------------------


def render(drift: Drift, before: str, after: str, ignore: Ignore) -> str:
    """The drift as text: a header per run (A and B), each change under `HOST  STEP
    [WHAT]`, and a last line that says how many hosts drifted."""
    lines = [f"--- A {before}", f"+++ B {after}"]
    for found in drift.found:
        for change in found.changes:
            where = f"{found.host}  {found.step}" if found.step is not None else found.host
            lines.append("")
            lines.append(f"{where}  [{change.what}]")
            lines += [f"  {line}" for line in change.lines]
    lines += ["", summary(drift, ignore)]
    return "\n".join(lines) + "\n"


def summary(drift: Drift, ignore: Ignore) -> str:
    """`drift on 1 of 3 hosts: R2` or `no drift: 3 hosts, 2 steps`, and what was ignored."""
    left_out = f"left out: {', '.join(ignore.names)}" if ignore.names else "compared exactly"
    count = len(drift.hosts)
    hosts = f"{count} host{'s' * (count != 1)}"
    if not drift.found:
        return f"no drift: {hosts}, {drift.steps} step{'s' * (drift.steps != 1)} ({left_out})"
    drifted = drift.drifted
    return f"drift on {len(drifted)} of {hosts}: {', '.join(drifted)} ({left_out})"
