"""IOS-XR's words as data: its configuration vocabulary, its exec and configuration-mode
commands, and how it answers a line it cannot take."""

from __future__ import annotations

import re

from engine.lab.candidate import VALUE_KINDS, Statement, block, flag, leaf, multi
from engine.lab.commands import Arg, arg, kw, tree

_TYPES = {"gigabitethernet": "GigabitEthernet", "loopback": "Loopback", "mgmteth": "MgmtEth",
          "tengige": "TenGigE", "bundle-ether": "Bundle-Ether"}  # fmt: skip
_NAME_RE = re.compile(r"([A-Za-z-]+?)(\d[\w/]*)")


def _interface(text: str) -> str | None:
    """An interface name in full (`gi0/0/0/1` -> `GigabitEthernet0/0/0/1`)."""
    found = _NAME_RE.fullmatch(text)
    if found is None:
        return None
    kinds = [full for short, full in _TYPES.items() if short.startswith(found.group(1).lower())]
    return kinds[0] + found.group(2) if len(kinds) == 1 else None


VALUE_KINDS["xr-interface"] = _interface

VOCABULARY: tuple[Statement, ...] = (
    leaf("hostname"),
    leaf("domain name"),
    block("username", "word", mode="config-un",
          children=(multi("group"), leaf("secret", "text"))),
    block("ntp", mode="config-ntp", children=(multi("server", "ipv4"),)),
    multi("logging", "ipv4"),
    block("interface", "xr-interface", mode="config-if", children=(
        leaf("description", "text"), leaf("ipv4 address", "ipv4", "ipv4"), flag("shutdown"),
        leaf("mtu", "number"), leaf("load-interval", "number"))),
    block("router static", mode="config-static", children=(
        block("address-family ipv4 unicast", mode="config-static-afi",
              children=(Statement("", ("prefix", "ipv4"), "multi"),)),)),
    block("lldp", mode="config-lldp"),
    flag("ssh server v2"),
)  # fmt: skip

EXEC = tree(
    kw("show",
       kw("version", action="show_version"),
       kw("ipv4", kw("interface", kw("brief", action="show_ipv4_brief"))),
       kw("ip", kw("interface", kw("brief", action="show_ipv4_brief"))),
       kw("interfaces", kw("brief", action="show_interfaces_brief"), action="show_interfaces"),
       kw("running-config", arg(Arg.LINE, action="show_running"), action="show_running"),
       kw("clock", action="show_clock"),
       kw("configuration", kw("commit", kw("list", action="show_commit_list"))),
       kw("lldp", kw("neighbors", action="show_lldp"))),
    kw("terminal", arg(Arg.LINE, action="terminal")),
    kw("configure", kw("terminal", action="configure"), kw("exclusive", action="configure"),
       action="configure"),
    kw("exit", action="exit"),
    kw("logout", action="exit"),
)  # fmt: skip

_CONFIRMED = kw("confirmed", arg(Arg.NUMBER, action="commit", low=30, high=65535))  # seconds
# What configuration mode takes besides statements of the vocabulary.
CONFIG = tree(
    kw("commit",
       kw("label", arg(Arg.WORD, kw("comment", arg(Arg.LINE, action="commit")), _CONFIRMED,
                       action="commit")),
       kw("comment", arg(Arg.LINE, action="commit")),
       _CONFIRMED,
       kw("best-effort", action="commit"),
       action="commit"),
    kw("abort", action="abort"),
    kw("end", action="end"),
    kw("exit", action="exit"),
    kw("root", action="root"),
    kw("show",
       kw("configuration", kw("failed", action="show_failed"), kw("merge", action="show_merge"),
          action="show_changes"),
       kw("running-config", arg(Arg.LINE, action="show_running"), action="show_running")),
    kw("do", arg(Arg.LINE, action="do")),
    kw("no", arg(Arg.LINE, action="no")),
)  # fmt: skip

MESSAGES = {
    "invalid": "{caret}% Invalid input detected at '^' marker.\n",
    "ambiguous": '% Ambiguous command:  "{line}"\n',
    "incomplete": "% Incomplete command.\n",
}
