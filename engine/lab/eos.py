"""Arista EOS as the lab answers it (vEOS-lab 4.31): tables for `switch_session`.

Outputs keep the shapes ntc-templates' `arista_eos_*` templates parse; configuration is
written the way EOS writes it (three-space indent, `!` between sections, addresses as
`A.B.C.D/len`). A login starts in user mode (`switch>`); `enable` asks for the secret
only when the inventory gives one.
"""

from __future__ import annotations

import time

from engine.lab.device import Device
from engine.lab.switch_config import Layout, hashed_secret, render
from engine.lab.switch_editor import LEAVING, Platform, register
from engine.lab.switch_grammar import Parsed, Rule
from engine.lab.switch_session import SwitchSession
from engine.lab.switch_view import HardwarePort, SwitchView, vlan_table
from engine.lab.topology import DOWNLINK, MANAGEMENT, UPLINK

VERSION = "4.31.2F"
_MODEL = "vEOS-lab"

EXEC = (
    Rule("enable", "enable"),
    Rule("disable", "disable"),
    Rule("exit", "exit"),
    Rule("logout", "exit"),
    Rule("terminal length <count>", "terminal"),
    Rule("terminal width <count>", "terminal"),
    Rule("configure", "configure", privileged=True),
    Rule("configure terminal", "configure", privileged=True),
    Rule("configure session <word>", "session", privileged=True),
    Rule("copy running-config startup-config", "save", privileged=True),
    Rule("write", "save", privileged=True),
    Rule("write memory", "save", privileged=True),
    Rule("show version", "show:version"),
    Rule("show clock", "show:clock"),
    Rule("show hostname", "show:hostname"),
    Rule("show ip interface brief", "show:ip_brief"),
    Rule("show interfaces status", "show:status"),
    Rule("show lldp neighbors", "show:lldp"),
    Rule("show vlan", "show:vlan"),
    Rule("show running-config", "show:running", privileged=True),
    Rule("show startup-config", "show:startup", privileged=True),
    Rule("show session-config diffs", "diffs", privileged=True),
)
_SESSION = (Rule("commit", "commit"), Rule("abort", "abort"), *LEAVING)
GLOBAL = (
    Rule("hostname <word>", "set"),
    Rule("interface <iface>", "section", key=None, enters="interface"),
    Rule("vlan <vlans>", "section", key=None, enters="vlan"),
    Rule("username <word> <line>", "set:username", key=2),
    Rule("ntp server <host>", "add", key=None),
    Rule("logging host <host>", "add", key=None),
    Rule("logging buffered <int>", "set", key=2),
    Rule("ip routing", "set", key=2),
    Rule("ip domain-name <word>", "set", key=2),
    Rule("ip name-server <ip>", "add", key=None),
    Rule("ip route <network> <ip>", "add", key=None),
    Rule("spanning-tree mode mstp|rstp|rapid-pvst|none", "set", key=2),
    *_SESSION,
)
INTERFACE = (
    Rule("description <line>", "set"),
    Rule("shutdown", "set"),
    Rule("ip address <address>", "set", key=2),
    Rule("switchport", "set", negative=True),
    Rule("switchport mode access|trunk", "set", key=2),
    Rule("switchport access vlan <vlan>", "set", key=3),
    Rule("switchport trunk allowed vlan <vlans>", "set", key=4),
    Rule("mtu <int>", "set"),
    *_SESSION,
)
VLAN = (Rule("name <word>", "set"), *_SESSION)

PORTS = (
    HardwarePort("Ethernet1", UPLINK),
    HardwarePort("Ethernet2", DOWNLINK),
    HardwarePort("Ethernet3", host=True),
    HardwarePort("Ethernet4", host=True),
    HardwarePort("Ethernet5", host=True),
    HardwarePort("Ethernet6"),
    HardwarePort("Ethernet7"),
    HardwarePort("Ethernet8"),
    HardwarePort("Management1", MANAGEMENT, host=True),
)
_RING_PORTS = {p.cable: p.name for p in PORTS if p.cable}  # the lab's port -> this switch's

LAYOUT = Layout(
    indent="   ",
    separator="!",
    order=("username", "hostname", "ip domain-name", "ip name-server", "ntp", "logging",
           "spanning-tree", "vlan", "interface", "ip routing", "ip route"),
    child_order=("description", "shutdown", "mtu", "switchport", "no switchport", "ip address"),
)  # fmt: skip


def _username(parsed: Parsed) -> str:
    """`username NAME [privilege N] [role R] secret [0] PW | nopassword`, as EOS keeps it."""
    name, words = parsed.args[0], parsed.args[1].split()
    options = dict(zip(words[::2], words[1::2], strict=False))
    line = f"username {name} privilege {options.get('privilege', '1')}"
    if "role" in options:
        line += f" role {options['role']}"
    if "secret" not in words:
        return line + " nopassword"
    given = words[words.index("secret") + 1 :]
    if given[:1] == ["sha512"] and len(given) == 2:
        return line + f" secret sha512 {given[1]}"  # already hashed: a saved config pasted back
    return line + " secret sha512 " + hashed_secret("$6$", name, words[-1])


def boot(device: Device) -> list[str]:
    """The configuration a switch boots with: the same ring, VLANs and addresses as an
    IOS device of the lab, in EOS's words."""
    identity, spec, wiring = device.identity, device.spec, device.wiring
    lines = [
        f"hostname {identity.hostname}",
        f"username {spec.username} privilege 15 role network-admin secret {spec.password}",
        "spanning-tree mode mstp",
        *("vlan 10", "name USERS", "vlan 20", "name VOICE"),
    ]
    for port, text, address in wiring.ring():
        lines += [f"interface {_RING_PORTS[port]}", f"description {text}", "no switchport"]
        if address is not None:
            lines.append(f"ip address {address.with_prefixlen}")
    lines += [
        *("interface Ethernet3", "switchport access vlan 10"),
        *("interface Ethernet4", "switchport access vlan 10"),
        *("interface Ethernet5", "switchport access vlan 20"),
        *("interface Loopback0", f"ip address {wiring.loopback}/32"),
        *("interface Management1", "description OOB management"),
        f"ip address {identity.management.with_prefixlen}",
        "ip routing",
        f"ip route 0.0.0.0/0 {identity.gateway}",
    ]
    return lines


def _uptime(seconds: int) -> str:
    days, hours, minutes = seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60
    return f"{days} days, {hours} hours and {minutes} minutes"


def show_version(view: SwitchView) -> str:
    identity = view.device.identity
    mac = identity.mac(0)
    return (
        f"Arista {_MODEL}\nHardware version:\nSerial number: {identity.serial}\n"
        f"Hardware MAC address: {mac}\nSystem MAC address: {mac}\n\n"
        f"Software image version: {VERSION}\nArchitecture: x86_64\n"
        f"Internal build version: {VERSION}-35442176.4312F\n"
        f"Internal build ID: {identity.serial.lower()}-4312f\n"
        "Image format version: 1.0\nImage optimization: None\n\n"
        "Kernel version: 5.10.165\n\n"
        f"Uptime: {_uptime(view.device.uptime())}\n"
        "Total memory: 3982080 kB\nFree memory: 2556420 kB\n\n"
    )


def show_clock(view: SwitchView) -> str:
    now = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime())
    return f"{now}\nTimezone: UTC\nClock source: local\n"


def show_hostname(view: SwitchView) -> str:
    return f"Hostname: {view.hostname}\nFQDN:     {view.hostname}\n"


def show_ip_brief(view: SwitchView) -> str:
    rows = ["Interface              IP Address         Status     Protocol         MTU"]
    for port in view.ports():
        if not port.routed:
            continue
        address = port.address.with_prefixlen if port.address else "unassigned"
        status = "adminDown" if port.shutdown else ("up" if port.up else "down")
        protocol = "up" if port.up else ("lowerlayerdown" if port.shutdown else "down")
        mtu = 65535 if port.name.startswith("Loopback") else 1500
        rows.append(f"{port.name:<23}{address:<19}{status:<11}{protocol:<15}{mtu:>5}")
    return "\n".join(rows) + "\n"


def show_status(view: SwitchView) -> str:
    rows = ["Port       Name                   Status       Vlan        Duplex  Speed Type"]
    for port in view.ports():
        if not port.physical:
            continue
        status = "disabled" if port.shutdown else ("connected" if port.up else "notconnect")
        vlan = "routed" if port.routed else ("trunk" if port.trunk else str(port.vlan))
        management = port.name.startswith("Management")
        duplex, speed = ("a-full", "a-1G") if management else ("full", "1G")
        kind = "10/100/1000" if management else "EbraTestPhyPort"
        name = port.description[:22]
        rows.append(f"{port.short:<11}{name:<23}{status:<13}{vlan:<12}{duplex:<8}{speed:<6}{kind}")
    return "\n".join(rows) + "\n"


def show_lldp(view: SwitchView) -> str:
    found = view.neighbors()
    rows = [
        "Last table change time   : 0:00:42 ago",
        f"Number of table inserts  : {len(found)}",
        "Number of table deletes  : 0",
        "Number of table drops    : 0",
        "Number of table age-outs : 0",
        "",
        "Port          Neighbor Device ID       Neighbor Port ID    TTL",
        "------------- ------------------------ ------------------- ---",
    ]
    for neighbor in found:
        local = view.short(neighbor.local)
        rows.append(f"{local:<14}{neighbor.device_id:<24} {neighbor.port:<19} 120")
    return "\n".join(rows) + "\n"


def show_vlan(view: SwitchView) -> str:
    rows = [
        "VLAN  Name                             Status    Ports",
        "----- -------------------------------- --------- -------------------------------",
        *vlan_table(view, 5),
    ]
    return "\n".join(rows) + "\n"


def _config(view: SwitchView, which: str, config_lines: list[str]) -> str:
    head = [
        f"! Command: show {which}",
        f"! device: {view.hostname} ({_MODEL}, EOS-{VERSION})",
        "!",
        "! boot system flash:/vEOS-lab.swi",
        "!",
    ]
    return "\n".join([*head, *config_lines, "!", "end"]) + "\n"


def show_running(view: SwitchView) -> str:
    return _config(view, "running-config", render(view.config, LAYOUT))


def show_startup(view: SwitchView) -> str:
    return _config(view, "startup-config", render(view.startup, LAYOUT))


EOS = register(
    Platform(
        name="arista_eos",
        prompts={
            "user": "{host}>",
            "exec": "{host}#",
            "config": "{host}(config{session})#",
            "interface": "{host}(config{session}-if-{short})#",
            "vlan": "{host}(config{session}-vlan-{target})#",
        },
        exec_rules=EXEC,
        config_rules={"config": GLOBAL, "interface": INTERFACE, "vlan": VLAN},
        interface_types=(
            ("Ethernet", r"\d+(/\d+)?"),
            ("Management", r"\d+"),
            ("Loopback", r"\d+"),
            ("Vlan", r"\d+"),
            ("Port-Channel", r"\d+"),
        ),
        virtual=("Loopback", "Vlan", "Port-Channel"),
        short_names={
            "Ethernet": "Et",
            "Management": "Ma",
            "Loopback": "Lo",
            "Port-Channel": "Po",
            "Vlan": "Vl",
        },
        ports=PORTS,
        layout=LAYOUT,
        errors={
            "invalid": "% Invalid input (at token {index}: '{word}')\n",
            "incomplete": "% Incomplete command\n",
            "ambiguous": "% Ambiguous command\n",
            "privileged": "% Invalid input (privileged mode required)\n",
            "secret": "% Access denied\n",
            "no session": "% Not in a configuration session\n",
        },
        caret=False,
        messages={
            "terminal length 0": "Pagination disabled.\n",
            "terminal length": "Pagination set to {n} lines.\n",
            "terminal width": "Width set to {n} columns.\n",
            "save": "Copy completed successfully.\n",
        },
        shows={
            "version": show_version,
            "clock": show_clock,
            "hostname": show_hostname,
            "ip_brief": show_ip_brief,
            "status": show_status,
            "lldp": show_lldp,
            "vlan": show_vlan,
            "running": show_running,
            "startup": show_startup,
        },
        canonical={"username": _username},
        boot=boot,
        start_privileged=False,
    )
)


def session(device: Device, username: str | None) -> SwitchSession:
    """A login on a simulated EOS switch."""
    return SwitchSession(EOS, device, username)
