"""Global configuration mode (`R1(config)#`): the commands, in the order IOS renders them.

Each group is one stretch of `show running-config`; a `!` separates groups. Commands that
open a sub-mode (interface, vlan, router, line, access lists) sit where their blocks render.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from engine.lab import acl, config_sections, interface_config
from engine.lab.commands import Failure
from engine.lab.grammar import Edit, Form, Outcome, Spec, Store, Table, custom, opens, shown
from engine.lab.modes import Mode, Question
from engine.lab.state import shown_secret, verifier_for
from engine.lab.store import Line

_HOSTNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_BANNERS = ("exec", "incoming", "login", "motd")


def _hostname(edit: Edit) -> Outcome | None:
    if not _HOSTNAME_RE.fullmatch(edit.args[0]):
        return "% Hostname contains one or more illegal characters.\n"
    return None


def _username(edit: Edit) -> Outcome | None:
    root, name = edit.block, edit.args[0]
    if edit.form is not Form.PLAIN:
        root.drop("username", name)
        return None
    privilege = edit.args[1] if "privilege" in edit.words else "1"
    kind = next((word for word in ("secret", "password") if word in edit.words), "")
    if kind:
        verifier = verifier_for(edit.args[-1], name)
    else:  # only the privilege changes; a new user without a secret cannot log in
        current = root.get("username", name)
        kind, verifier = (current.args[3], current.args[2]) if current else ("", "")
    level = f" privilege {privilege}" if privilege != "1" else ""
    shown = f" {shown_secret(kind, verifier)}" if kind else ""
    text = f"username {name}{level}{shown}"
    root.put(Line(("username", name), text, edit.rank, (name, privilege, verifier, kind)))
    return None


def _enable(edit: Edit) -> Outcome | None:
    kind = edit.words[1]
    if edit.form is not Form.PLAIN:
        edit.block.drop("enable", kind)
        return None
    verifier = verifier_for(edit.args[0], "enable")
    text = f"enable {shown_secret(kind, verifier)}"
    edit.block.put(Line(("enable", kind), text, edit.rank, (verifier,)))
    return None


def _aaa_needed(edit: Edit) -> Outcome | None:
    line = edit.block.get("aaa", "new-model")
    if line is None or line.text != "aaa new-model":
        return Failure("invalid", edit.column(1))
    return None


def _aaa_new_model(edit: Edit) -> Outcome | None:
    if edit.form is Form.PLAIN:
        edit.run(Mode.CONFIG, "", "aaa session-id common")
    return None


def _timezone(edit: Edit) -> Outcome | None:
    offset = edit.args[1]
    if not re.fullmatch(r"-?\d{1,2}", offset) or not -23 <= int(offset) <= 23:
        return Failure("invalid", edit.column(3))
    return None


def _name_servers(edit: Edit) -> Outcome | None:
    if edit.form is not Form.PLAIN and not edit.args:
        edit.block.drop_prefix(("ip", "name-server"))
    for address in edit.args:
        if edit.form is Form.PLAIN:
            edit.block.put(
                Line(
                    ("ip", "name-server", address),
                    f"ip name-server {address}",
                    edit.rank,
                    (address,),
                )
            )
        else:
            edit.block.drop("ip", "name-server", address)
    return None


def _route_check(edit: Edit) -> Outcome | None:
    try:
        ipaddress.IPv4Network(f"{edit.args[0]}/{edit.args[1]}")
    except ValueError:
        return "%Inconsistent address and mask\n"
    return None


def _route_order(words: tuple[str, ...]) -> tuple[object, ...]:
    address = int(ipaddress.IPv4Address(words[2])) if len(words) > 2 else 0
    mask = int(ipaddress.IPv4Address(words[3])) if len(words) > 3 else 0
    return (address, mask, " ".join(words[4:]))


def _community(words: tuple[str, ...]) -> tuple[str, ...]:
    """IOS always shows the access: `snmp-server community public` is read-only."""
    if "RO" in words or "RW" in words or len(words) < 3:
        return words
    at = 5 if len(words) > 4 and words[3] == "view" else 3
    return (*words[:at], "RO", *words[at:])


def _banner(edit: Edit) -> Outcome | None:
    kind = edit.words[1]
    if edit.form is not Form.PLAIN:
        edit.block.drop("banner", kind)
        return None
    raw = edit.args[0] if edit.args else ""
    delimiter = "^C" if raw.startswith("^C") else raw[:1]
    rest = raw[len(delimiter) :]

    def store(text: str) -> str:
        line = Line(
            ("banner", kind),
            f"banner {kind} ^C{text}^C",
            edit.rank,
            (text,),
            (_BANNERS.index(kind),),
        )
        edit.block.put(line)
        return ""

    if delimiter in rest:
        return store(rest.split(delimiter, 1)[0])
    return Question(
        f"Enter TEXT message.  End with the character '{delimiter[0]}'.\n",
        _collect(delimiter, rest, store),
    )


def _collect(
    delimiter: str, text: str, done: Callable[[str], str]
) -> Callable[[str], str | Question]:
    """The answer function of banner text mode: take lines until one holds the delimiter."""

    def answer(line: str) -> str | Question:
        if delimiter in line:
            return done(text + "\n" + line.split(delimiter, 1)[0])
        return Question("", _collect(delimiter, text + "\n" + line, done))

    return answer


def _crypto_key(edit: Edit) -> Outcome | None:
    if edit.form is not Form.PLAIN:
        return None
    domain = edit.block.value("ip", "domain-name")
    if not domain:
        return "% Please define a domain-name first.\n"
    name = f"The name for the keys will be: {edit.device.state.hostname}.{domain}\n"
    if edit.args:
        return name + f"% The key modulus size is {edit.args[0]} bits\n" + _generated(edit.args[0])
    return Question(
        name + "Choose the size of the key modulus in the range of 360 to 4096 for your\n"
        "  General Purpose Keys. Choosing a key modulus greater than 512 may take\n"
        "  a few minutes.\n\nHow many bits in the modulus [512]: ",
        _modulus,
    )


def _modulus(answer: str) -> str:
    bits = answer.strip() or "512"
    if not bits.isdigit() or not 360 <= int(bits) <= 4096:
        return "% Key modulus size must be between 360 and 4096 inclusive.\n"
    return _generated(bits)


def _generated(bits: str) -> str:
    return (
        f"% Generating {bits} bit RSA keys, keys will be non-exportable...\n"
        "[OK] (elapsed time was 1 seconds)\n\n"
    )


_TIMESTAMPS = (
    "service timestamps {debug|log} {datetime [msec] [localtime] [show-timezone] [year]|uptime}"
)
_USERNAME = "username WORD {privilege <0-15> [secret LINE|password LINE]|secret LINE|password LINE}"
_ROUTE = "ip route A.B.C.D A.B.C.D {A.B.C.D|INTERFACE [A.B.C.D]} [<1-255>] [name WORD] [permanent]"
_LOGGING_HOST = "logging {host A.B.C.D [transport {udp|tcp} [port <1-65535>]]|A.B.C.D}"
_NTP_SERVER = "ntp server A.B.C.D [key <1-4294967295>] [source INTERFACE] [prefer]"
_CRYPTO_KEY = "crypto key generate rsa [general-keys] [modulus <360-4096>]"


def _host_first(words: tuple[str, ...]) -> tuple[str, ...]:
    """`logging 10.0.0.5` is stored as `logging host 10.0.0.5`."""
    return words if words[1:2] == ("host",) else ("logging", "host", *words[1:])


def _with_minutes(words: tuple[str, ...]) -> tuple[str, ...]:
    """`clock timezone CET 1` is stored with its minutes: `clock timezone CET 1 0`."""
    return words if len(words) > 4 else (*words, "0")


TABLE = Table(
    Mode.CONFIG,
    (
        (
            Spec("version WORD", key=1),
            Spec(_TIMESTAMPS, key=3, no=3),
            shown("service password-encryption", on=False),
            Spec("service compress-config"),
            Spec("service sequence-numbers"),
        ),
        (Spec("hostname WORD", key=1, check=_hostname),),
        (Spec("boot-start-marker"), Spec("boot-end-marker")),
        (
            Spec("logging buffered [<4096-2147483647>] [$LEVEL]", key=2),
            Spec("logging console [$LEVEL]", key=2, store=Store.ON),
        ),
        (
            custom("enable secret LINE", _enable, key=2),
            custom("enable password LINE", _enable, key=2),
        ),
        (custom(_USERNAME, _username, key=2),),
        (
            shown("aaa new-model", on=False, hook=_aaa_new_model),
            Spec("aaa authentication login {default|WORD} LINE", key=4, check=_aaa_needed),
            Spec("aaa authorization exec {default|WORD} LINE", key=4, check=_aaa_needed),
            Spec("aaa session-id common", key=2),
        ),
        (Spec("clock timezone WORD WORD [<0-59>]", key=2, check=_timezone, canon=_with_minutes),),
        (
            Spec("ip domain-lookup", store=Store.ON),
            Spec("ip domain lookup", store=Store.ON, canon=lambda w: ("ip", "domain-lookup")),
            Spec("ip domain-name WORD", key=2),
            Spec("ip domain name WORD", key=2, canon=lambda w: ("ip", "domain-name", *w[3:])),
            custom("ip name-server A.B.C.D [A.B.C.D [A.B.C.D]]", _name_servers, key=3, no=2),
            Spec("ip routing", store=Store.ON),
            shown("ip cef", on=True),
            shown("ipv6 cef", on=False),
        ),
        (opens("archive", config_sections.enter(Mode.ARCHIVE)),),
        (Spec("cdp run", store=Store.ON), Spec("lldp run")),
        (Spec("vtp domain WORD", key=2), Spec("vtp mode {server|client|transparent|off}", key=2)),
        (
            Spec("spanning-tree mode {pvst|rapid-pvst|mst}", key=2),
            Spec("spanning-tree portfast default", key=2),
            shown("spanning-tree extend system-id", on=True),
            Spec("spanning-tree vlan VLANS priority <0-61440>", key=3),
        ),
        (Spec("vlan internal allocation policy {ascending|descending}", key=4),),
        (config_sections.VLAN_SPEC,),
        interface_config.GLOBAL_SPECS,
        config_sections.ROUTER_SPECS,
        (
            shown("ip forward-protocol nd", on=True),
            shown("ip http server", on=False),
            shown("ip http secure-server", on=False),
        ),
        (
            Spec("ip default-gateway A.B.C.D", key=2),
            Spec(_ROUTE, key=5, no=4, check=_route_check, order=_route_order),
        ),
        (
            Spec("ip ssh version {1|2}", key=3),
            Spec("ip ssh time-out <1-120>", key=3),
            Spec("ip ssh authentication-retries <0-5>", key=3),
        ),
        (acl.NAMED_SPEC,),
        (
            Spec("logging trap $LEVEL", key=2, hidden="logging trap informational"),
            Spec("logging source-interface INTERFACE", key=2),
            Spec(_LOGGING_HOST, key=3, canon=_host_first),
        ),
        acl.NUMBERED_SPECS,
        (
            Spec("snmp-server community WORD [view WORD] [RO|RW] [WORD]", key=3, canon=_community),
            Spec("snmp-server location LINE", key=2),
            Spec("snmp-server contact LINE", key=2),
            Spec("snmp-server host A.B.C.D [version {1|2c}] WORD", key=3),
        ),
        (opens("control-plane", config_sections.enter(Mode.CONTROL_PLANE, removable=False)),),
        (custom("banner {exec|incoming|login|motd} LINE", _banner, key=2),),
        (config_sections.LINE_SPEC,),
        (Spec("ntp source INTERFACE", key=2), Spec(_NTP_SERVER, key=3)),
        (custom(_CRYPTO_KEY, _crypto_key),),
    ),
    names=(
        "access-session", "alias", "arp", "boot", "bridge", "call-home", "class-map",
        "config-register", "crypto", "default-value", "dot1x", "errdisable", "event",
        "exception", "file", "flow", "ipv6", "kron", "key", "license", "login", "mac",
        "monitor", "multilink", "netconf", "object-group", "parser", "policy-map",
        "port-channel", "privilege", "radius", "radius-server", "redundancy", "route-map",
        "scheduler", "snmp", "system", "tacacs", "tacacs-server", "track", "udld", "vrf",
    ),
)  # fmt: skip
