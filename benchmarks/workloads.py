"""The three workloads, defined once so that every tool sends exactly the same commands.

W1, the classic: `show ip interface brief` after enable. W2, a runbook: show, five config
lines, show the result. W3, cross-host: a show, then a config line on every host that quotes
the management address read from ANOTHER host's step-1 output (its successor in inventory
order), so no host can start step 2 before that other host finished step 1.

Every outcome is verified against what the lab must have answered, so a tool cannot pass by
returning empty or foreign output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SHOW = "show ip interface brief"
W2_VERIFY = "show running-config interface Loopback100"
WORKLOADS = ("W1", "W2", "W3")
# Step 1 output -> the host's management address (the `GigabitEthernet0/0` row).
MGMT_RE = re.compile(r"^GigabitEthernet0/0\s+(\d+\.\d+\.\d+\.\d+)\s+YES", re.MULTILINE)
# The same extraction for the Jinja-based tools (netplay, Ansible): no regex filter needed.
MGMT_JINJA = (
    "{{ (OUT.splitlines() | select('search', '^GigabitEthernet0/0 ') | first).split()[1] }}"
)


@dataclass(frozen=True)
class Target:
    """One benchmark host: its inventory name, where it listens, what it must report."""

    name: str
    address: str  # where the lab listens for it (127.0.0.0/8)
    port: int
    mgmt: str  # the management address its `show ip interface brief` must show
    index: int  # position in inventory order (0-based)


@dataclass(frozen=True)
class Outcome:
    """What a tool reported for one host: per step, the output (or the config it sent)."""

    ok: bool
    outputs: tuple[str, ...] = ()
    error: str | None = None


def steps(workload: str) -> int:
    """How many steps (tool-level tasks) a workload has."""
    return {"W1": 1, "W2": 3, "W3": 2}[workload]


def w2_config(k: int, tag: str) -> list[str]:
    """Five valid, repeatable IOS config lines for host `k`; `tag` marks the run."""
    return [
        "interface Loopback100",
        f"description bench {tag}",
        f"ip address 10.{100 + k // 250}.{k % 250}.1 255.255.255.255",
        f"logging host 127.0.0.{k % 250 + 2}",
        "ntp server 127.0.0.1",
    ]


def peer_of(target: Target, targets: Sequence[Target]) -> Target:
    """The host whose step-1 output `target` quotes in W3: the next one, wrapping around."""
    return targets[(target.index + 1) % len(targets)]


def w3_config(peer_name: str, peer_mgmt: str) -> list[str]:
    """The W3 step-2 lines of a host, built from its peer's management address."""
    return ["interface Loopback101", f"description peer {peer_name} at {peer_mgmt}"]


def mgmt_address(show_output: str) -> str | None:
    """The management address in a `show ip interface brief` output, if any."""
    match = MGMT_RE.search(show_output)
    return match.group(1) if match else None


def verify(
    workload: str, targets: Sequence[Target], outcomes: Mapping[str, Outcome], tag: str
) -> dict[str, str]:
    """Hosts whose outcome is wrong, with why; an empty dict means every host really worked."""
    problems: dict[str, str] = {}
    for target in targets:
        outcome = outcomes.get(target.name)
        problem = _problem(workload, target, targets, outcome, tag)
        if problem is not None:
            problems[target.name] = problem
    return problems


def _problem(
    workload: str, target: Target, targets: Sequence[Target], outcome: Outcome | None, tag: str
) -> str | None:
    if outcome is None:
        return "no result"
    if not outcome.ok:
        return outcome.error or "reported as failed"
    if len(outcome.outputs) != steps(workload):
        return f"{len(outcome.outputs)} step outputs, expected {steps(workload)}"
    if mgmt_address(outcome.outputs[0]) != target.mgmt:
        return "step 1 output is not this host's interface table"
    if workload == "W2":
        return _w2_problem(target, outcome, tag)
    if workload == "W3":
        peer = peer_of(target, targets)
        return _missing(outcome.outputs[1], w3_config(peer.name, peer.mgmt), "step 2")
    return None


def _w2_problem(target: Target, outcome: Outcome, tag: str) -> str | None:
    lines = w2_config(target.index, tag)
    missing = _missing(outcome.outputs[1], lines, "step 2")
    if missing is not None:
        return missing
    return _missing(outcome.outputs[2], lines[:3], "step 3 (running-config)")


def _missing(text: str, lines: Sequence[str], where: str) -> str | None:
    """Which expected line does not appear in `text` (whitespace-insensitive per line)."""
    seen = {" ".join(line.split()) for line in text.splitlines()}
    for line in lines:
        if " ".join(line.split()) not in seen and not any(line in s for s in seen):
            return f"{where} lacks {line!r}"
    return None
