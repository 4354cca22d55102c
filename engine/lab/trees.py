"""The exec-mode command tree of the simulated device, as data.

`privileged` words are hidden at the `>` prompt. Besides the commands the lab carries
out, the tree holds the rest of IOS's exec vocabulary by name, so that abbreviations are
as ambiguous as on a real device (`s`, `t`, `p`, `di`, `w`). Configuration modes build
their trees from their command tables (see `config`).
"""

from __future__ import annotations

from engine.lab.commands import Arg, Node, arg, kw, tree
from engine.lab.syntax import compile_syntax

_LINE = Arg.LINE
_IP = Arg.IPV4
_IF = Arg.INTERFACE


def _show() -> Node:
    interfaces_tail = (
        kw("description", action="show_interfaces_description"),
        kw("status", action="show_interfaces_status"),
        kw("trunk", action="show_interfaces_trunk"),
    )
    return kw(
        "show",
        kw("version", action="show_version"),
        kw("clock", action="show_clock"),
        kw("privilege", action="show_privilege"),
        kw("inventory", action="show_inventory"),
        kw("arp", action="show_arp"),
        *_show_more(),
        kw(
            "ip",
            kw(
                "interface",
                kw("brief", action="show_ip_interface_brief"),
                arg(_IF, action="show_ip_interface"),
                action="show_ip_interface",
            ),
            kw("route", action="show_ip_route"),
            kw("arp", action="show_arp"),
            kw("ospf", kw("neighbor", action="show_ip_ospf_neighbor")),
            kw("bgp", kw("summary", action="show_ip_bgp_summary")),
            kw(
                "access-lists",
                arg(Arg.WORD, action="show_access_lists"),
                action="show_access_lists",
            ),
        ),
        kw(
            "interfaces",
            *interfaces_tail,
            arg(_IF, *interfaces_tail, action="show_interfaces"),
            action="show_interfaces",
        ),
        kw(
            "cdp",
            kw(
                "neighbors",
                kw("detail", action="show_cdp_neighbors_detail"),
                action="show_cdp_neighbors",
            ),
        ),
        kw("vlan", kw("brief", action="show_vlan_brief"), action="show_vlan"),
        kw(
            "running-config",
            kw("interface", arg(_IF, action="show_running_interface")),
            action="show_running_config",
            privileged=True,
        ),
        kw("startup-config", action="show_startup_config", privileged=True),
        kw("tech-support", action="show_tech_support", privileged=True),
        kw("flash:", action="dir", privileged=True),
    )


def _terminal() -> Node:
    return kw(
        "terminal",
        kw("length", arg(Arg.NUMBER, action="terminal", high=512)),
        kw("width", arg(Arg.NUMBER, action="terminal", high=512)),
        kw(
            "exec",
            kw("prompt", kw("no-timestamp", action="terminal"), kw("timestamp", action="terminal")),
        ),
        kw("monitor", action="terminal"),
        kw("no", kw("monitor", action="terminal")),
    )


def _show_more() -> tuple[Node, ...]:
    """Show commands of switching, routing protocols, logging and processes."""
    return (
        *compile_syntax("logging", "show_logging"),
        *compile_syntax("spanning-tree [vlan <1-4094>]", "show_spanning_tree"),
        *compile_syntax("mac address-table [dynamic]", "show_mac_address_table"),
        *compile_syntax("mac-address-table [dynamic]", "show_mac_address_table"),
        *compile_syntax("access-lists [WORD]", "show_access_lists"),
        *compile_syntax("lldp neighbors", "show_lldp_neighbors"),
        *compile_syntax("processes [cpu [sorted]]", "show_processes_cpu"),
        *(kw(name) for name in _SHOW_NAMES),
    )


# Show words IOS has that the lab does not answer: they make abbreviations ambiguous
# (`sh lo` is logging or login) exactly where IOS's are.
_SHOW_NAMES = (
    "aaa", "aliases", "archive", "buffers", "controllers", "debugging", "dhcp", "environment",
    "errdisable", "etherchannel", "file", "history", "hosts", "license", "line", "login",
    "memory", "ntp", "platform", "policy-map", "protocols", "sessions", "snmp", "ssh",
    "standby", "terminal", "users", "vtp",
)  # fmt: skip
# Exec commands IOS has that the lab knows by name only, with whether `>` shows them.
_EXEC_NAMES = (
    ("access-enable", False), ("archive", True), ("cd", True), ("clock", True),
    ("connect", False), ("debug", True), ("dir", True), ("disconnect", False), ("event", True),
    ("format", True), ("fsck", True), ("help", False), ("lock", False), ("login", False),
    ("mkdir", True), ("monitor", True), ("more", True), ("mtrace", False),
    ("name-connection", False), ("pwd", True), ("rename", True), ("resume", False),
    ("rmdir", True), ("send", True), ("set", False), ("setup", True), ("ssh", False),
    ("systat", False), ("tclsh", True), ("telnet", False), ("test", True), ("traceroute", False),
    ("undebug", True), ("upgrade", True), ("verify", True), ("where", False),
    ("which-route", False),
)  # fmt: skip


_PING = (
    "ping WORD [repeat <1-2147483647>] [size <36-18024>] [source {A.B.C.D|INTERFACE}]"
    " [timeout <0-3600>]"
)


def _exec_more() -> tuple[Node, ...]:
    """Exec commands that ask questions or change the device, and the names-only rest."""
    privileged = (
        ("reload", "reload"),
        ("clear counters [INTERFACE]", "clear_counters"),
        ("clear arp-cache", "clear_arp"),
        ("clear logging", "clear_logging"),
        ("erase {startup-config|nvram:}", "erase_startup"),
        ("write erase", "erase_startup"),
        ("copy startup-config running-config", "copy_startup_running"),
        ("configure", "configure_ask"),
        ("configure memory", "configure_memory"),
        ("ping", "ping_extended"),
    )
    return (
        *(
            n
            for syntax, action in privileged
            for n in compile_syntax(syntax, action, privileged=True)
        ),
        *compile_syntax(_PING, "ping"),
        *(kw(name, privileged=hidden) for name, hidden in _EXEC_NAMES),
    )


def _file_system() -> tuple[Node, ...]:
    """`dir`, `verify /md5`, `delete`, `more` on the device's file systems (see `files`)."""
    path = Arg.WORD  # `flash:`, `flash:/NAME`, `nvram:startup-config`
    return (
        kw("dir", arg(path, action="dir"), action="dir", privileged=True),
        kw("verify", kw("/md5", arg(path, action="verify_md5")), privileged=True),
        kw("delete", arg(path, action="delete"), privileged=True),
        kw("more", arg(path, action="more"), privileged=True),
    )


EXEC = tree(
    *_exec_more(),
    _show(),
    _terminal(),
    kw("enable", action="enable"),
    kw("disable", action="disable"),
    kw("exit", action="exit"),
    kw("logout", action="exit"),
    kw("quit", action="exit"),
    kw("ping", arg(Arg.WORD, action="ping")),
    kw(
        "configure",
        kw("terminal", action="configure"),
        kw(
            "replace",
            arg(Arg.WORD, kw("force", action="configure_replace"), action="configure_replace"),
        ),
        privileged=True,
    ),
    kw(
        "write",
        kw("memory", action="write_memory"),
        kw("terminal", action="show_running_config"),
        action="write_memory",
        privileged=True,
    ),
    kw(
        "copy",
        kw(
            "running-config",
            kw("startup-config", action="copy_running_startup"),
            arg(Arg.WORD, action="copy_running_file"),  # flash:NAME (engine.lab.config_replace)
        ),
        privileged=True,
    ),
    *_file_system(),
)
