"""The IOS command trees of the simulated device, as data.

One tree per mode. `privileged` words are hidden at the `>` prompt; `verbatim` marks the
places where real IOS has many more commands than the lab models, so config lines that
fail there are kept as text instead of being refused.
"""

from __future__ import annotations

from engine.lab.commands import Arg, Node, arg, kw, tree

_LINE = Arg.LINE
_IP = Arg.IPV4
_IF = Arg.INTERFACE


def _show() -> Node:
    interfaces_tail = (
        kw("description", action="show_interfaces_description"),
        kw("status", action="show_interfaces_status"),
    )
    return kw(
        "show",
        kw("version", action="show_version"),
        kw("clock", action="show_clock"),
        kw("privilege", action="show_privilege"),
        kw("inventory", action="show_inventory"),
        kw("arp", action="show_arp"),
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

_EXEC_ONLY = ("show", "ping", "write", "copy", "configure", "terminal")


def _common() -> tuple[Node, ...]:
    """Words every config mode knows."""
    return (
        kw("end", action="end"),
        kw("exit", action="exit_mode"),
        kw("do", arg(_LINE, action="do")),
    )


def _no_global() -> Node:
    return kw(
        "no",
        kw("interface", arg(_IF, action="no_interface")),
        kw(
            "ip",
            kw(
                "route",
                arg(
                    _IP,
                    arg(
                        _IP,
                        arg(_IP, action="no_ip_route"),
                        arg(_IF, action="no_ip_route"),
                        action="no_ip_route",
                    ),
                ),
            ),
            verbatim=True,
        ),
        kw("username", arg(Arg.WORD, action="no_username")),
        kw(
            "logging",
            kw("host", arg(_IP, action="no_logging_host")),
            arg(_IP, action="no_logging_host"),
            verbatim=True,
        ),
        kw("ntp", kw("server", arg(_IP, action="no_ntp_server")), verbatim=True),
        kw("vlan", arg(Arg.NUMBER, action="no_vlan", low=1, high=4094)),
        kw(
            "enable",
            kw("secret", action="no_enable_secret"),
            kw("password", action="no_enable_secret"),
        ),
        verbatim=True,
    )


def _ip_route() -> Node:
    rest = arg(_LINE, action="ip_route")
    next_hop = (arg(_IP, rest, action="ip_route"), arg(_IF, rest, action="ip_route"))
    return kw("route", arg(_IP, arg(_IP, *next_hop)))


def _username() -> Node:
    password = (
        kw("secret", arg(_LINE, action="username")),
        kw("password", arg(_LINE, action="username")),
    )
    privilege = kw("privilege", arg(Arg.NUMBER, *password, action="username", high=15))
    return kw("username", arg(Arg.WORD, privilege, *password))


def _line() -> Node:
    first = arg(Arg.NUMBER, arg(Arg.NUMBER, action="line"), action="line")
    return kw("line", kw("console", first), kw("vty", first), kw("aux", first))


GLOBAL = tree(
    kw("hostname", arg(Arg.WORD, action="hostname")),
    kw("interface", arg(_IF, action="interface")),
    kw("ip", _ip_route(), verbatim=True),
    _username(),
    kw(
        "logging",
        kw("host", arg(_IP, action="logging_host", verbatim=True)),
        arg(_IP, action="logging_host", verbatim=True),
        verbatim=True,
    ),
    kw("ntp", kw("server", arg(_IP, action="ntp_server", verbatim=True)), verbatim=True),
    kw(
        "enable",
        kw("secret", arg(_LINE, action="enable_secret")),
        kw("password", arg(_LINE, action="enable_secret")),
    ),
    kw("vlan", arg(Arg.NUMBER, action="vlan", low=1, high=4094)),
    _line(),
    kw("router", arg(_LINE, action="router")),
    _no_global(),
    *(kw(word, arg(_LINE, action="exec_only"), action="exec_only") for word in _EXEC_ONLY),
    *_common(),
    verbatim=True,
)

INTERFACE = tree(
    kw("description", arg(_LINE, action="description")),
    kw(
        "ip",
        kw(
            "address",
            arg(_IP, arg(_IP, kw("secondary", action="ip_address_secondary"), action="ip_address")),
        ),
        verbatim=True,
    ),
    kw("shutdown", action="shutdown"),
    kw(
        "switchport",
        kw(
            "access", kw("vlan", arg(Arg.NUMBER, action="switchport_access_vlan", low=1, high=4094))
        ),
        kw("mode", kw("access", action="switchport_mode"), kw("trunk", action="switchport_mode")),
        action="switchport",
        verbatim=True,
    ),
    kw("negotiation", kw("auto", action="noop")),
    kw(
        "no",
        kw("shutdown", action="no_shutdown"),
        kw("description", arg(_LINE, action="no_description"), action="no_description"),
        kw(
            "ip",
            kw("address", arg(_LINE, action="no_ip_address"), action="no_ip_address"),
            verbatim=True,
        ),
        kw(
            "switchport",
            kw(
                "access",
                kw(
                    "vlan",
                    arg(_LINE, action="no_switchport_access_vlan"),
                    action="no_switchport_access_vlan",
                ),
            ),
            action="no_switchport",
            verbatim=True,
        ),
        verbatim=True,
    ),
    *_common(),
    verbatim=True,
)

VLAN = tree(
    kw("name", arg(Arg.WORD, action="vlan_name")),
    kw("no", kw("name", action="no_vlan_name")),
    *_common(),
)

SECTION = tree(*_common(), verbatim=True)
