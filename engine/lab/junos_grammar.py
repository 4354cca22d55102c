"""Junos's words as data: its configuration hierarchy, its operational and configuration
commands, and how it answers a line it cannot take."""

from __future__ import annotations

import re

from engine.lab.candidate import VALUE_KINDS, Statement, block, flag, leaf, multi, named
from engine.lab.commands import Arg, arg, kw, tree

VALUE_KINDS["junos-interface"] = lambda text: (
    text if re.fullmatch(r"(?:ge|xe|et|ae|lo|fxp|em|irb|vlan)-?[0-9/]*", text) else None
)
VALUE_KINDS["family"] = lambda text: (
    text if text in ("inet", "inet6", "ethernet-switching") else None
)
VALUE_KINDS["area"] = lambda text: (
    f"0.0.0.{text}" if text.isdigit() and int(text) < 256 else VALUE_KINDS["ipv4"](text)
)

_UNIT = block("unit", "number", children=(
    leaf("description", "text"), leaf("vlan-id", "number"), flag("disable"),
    block("family", "family", children=(multi("address", "prefix"),))))  # fmt: skip
VOCABULARY: tuple[Statement, ...] = (
    leaf("version"),
    block("system", children=(
        leaf("host-name"), leaf("domain-name"), leaf("time-zone"), multi("name-server", "ipv4"),
        block("login", children=(block("user", "word", children=(
            leaf("uid", "number"), leaf("class"),
            block("authentication", children=(leaf("encrypted-password", "text"),)))),)),
        block("services", children=(block("ssh"), block("netconf", children=(block("ssh"),)))),
        block("ntp", children=(multi("server", "ipv4"),)),
        block("syslog", children=(block("host", "word", children=(multi("any", "word"),)),)))),
    block("interfaces", children=(named("junos-interface", leaf("description", "text"),
                                        flag("disable"), leaf("mtu", "number"), _UNIT),)),
    block("routing-options", children=(
        leaf("router-id", "ipv4"), leaf("autonomous-system", "number"),
        block("static", children=(block("route", "prefix", children=(
            multi("next-hop", "ipv4"), flag("discard"))),)))),
    block("protocols", children=(
        block("lldp", children=(multi("interface", "word"),)),
        block("ospf", children=(block("area", "area", children=(
            block("interface", "word", children=(flag("passive"),)),)),)))),
)  # fmt: skip

EXEC = tree(
    kw("show",
       kw("version", action="show_version"),
       kw("interfaces", kw("terse", action="show_terse"), action="show_interfaces"),
       kw("configuration", arg(Arg.LINE, action="show_configuration"),
          action="show_configuration"),
       kw("system", kw("uptime", action="show_uptime")),
       kw("lldp", kw("neighbors", action="show_lldp")),
       kw("route", action="show_route")),
    kw("set", kw("cli",
       kw("screen-length", arg(Arg.NUMBER, action="screen_length")),
       kw("screen-width", arg(Arg.NUMBER, action="screen_width")),
       kw("complete-on-space", arg(Arg.WORD, action="complete_on_space")))),
    kw("configure", kw("private", action="configure_private"),
       kw("exclusive", action="configure_exclusive"), action="configure"),
    kw("exit", action="exit"),
    kw("quit", action="exit"),
)  # fmt: skip

CONFIG = tree(
    kw("set", arg(Arg.LINE, action="set")),
    kw("delete", arg(Arg.LINE, action="delete")),
    kw("edit", arg(Arg.LINE, action="edit")),
    kw("top", action="top"),
    kw("up", action="up"),
    kw("exit", kw("configuration-mode", action="exit_all"), action="exit"),
    kw("quit", kw("configuration-mode", action="exit_all"), action="exit"),
    kw("show", arg(Arg.LINE, action="show"), action="show"),
    kw("commit",
       kw("check", action="check"),
       kw("and-quit", action="commit"),
       kw("comment", arg(Arg.LINE, action="commit")),
       kw("confirmed", arg(Arg.NUMBER, action="commit", low=1, high=65535), action="commit"),
       action="commit"),
    kw("rollback", arg(Arg.NUMBER, action="rollback", high=49), action="rollback"),
    kw("run", arg(Arg.LINE, action="run")),
)  # fmt: skip

MESSAGES = {
    "unknown": "{caret}unknown command.\n",
    "invalid": "{caret}syntax error, expecting <command>.\n",
    "ambiguous": "{caret}syntax error.\n",
    "incomplete": "{caret}syntax error, expecting <command>.\n",
}
