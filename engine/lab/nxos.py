"""Cisco NX-OS as the lab answers it (Nexus 9000v, 10.3): tables for `switch_session`.

Outputs keep the shapes ntc-templates' `cisco_nxos_*` templates parse; configuration is
written the way NX-OS writes it (two-space indent, blank lines between sections,
addresses as `A.B.C.D/len`). A login lands in `switch# `; an unknown word is marked with
a `^` under it.
"""

from __future__ import annotations

import time

from engine.lab.device import Device
from engine.lab.switch_config import Layout, hashed_secret, render
from engine.lab.switch_editor import LEAVING, Platform, register
from engine.lab.switch_grammar import Parsed, Rule
from engine.lab.switch_session import SwitchSession
from engine.lab.switch_view import HardwarePort, PortView, SwitchView, vlan_table
from engine.lab.topology import DOWNLINK, MANAGEMENT, UPLINK

VERSION = "10.3(4a)"
_DASHES = "-" * 80

EXEC = (
    Rule("exit", "exit"),
    Rule("terminal length <count>", "terminal"),
    Rule("terminal width <count>", "terminal"),
    Rule("configure", "configure"),
    Rule("configure terminal", "configure"),
    Rule("copy running-config startup-config", "save"),
    Rule("show version", "show:version"),
    Rule("show clock", "show:clock"),
    Rule("show hostname", "show:hostname"),
    Rule("show ip interface brief", "show:ip_brief"),
    Rule("show interface brief", "show:brief"),
    Rule("show interface status", "show:status"),
    Rule("show lldp neighbors", "show:lldp"),
    Rule("show vlan", "show:vlan"),
    Rule("show vlan brief", "show:vlan"),
    Rule("show running-config", "show:running"),
    Rule("show startup-config", "show:startup"),
)
GLOBAL = (
    Rule("hostname <word>", "set"),
    Rule("feature <word>", "add", key=None),
    Rule("interface <iface>", "section", key=None, enters="interface"),
    Rule("vlan <vlans>", "section", key=None, enters="vlan"),
    Rule("username <word> <line>", "set:username", key=2),
    Rule("ntp server <host>", "add", key=None),
    Rule("ntp server <host> use-vrf <word>", "add", key=3),
    Rule("logging server <host>", "add", key=None),
    Rule("ip domain-name <word>", "set", key=2),
    Rule("ip route <network> <ip>", "add", key=None),
    *LEAVING,
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
    *LEAVING,
)
VLAN = (Rule("name <word>", "set"), *LEAVING)

PORTS = (
    HardwarePort("mgmt0", MANAGEMENT, host=True),
    HardwarePort("Ethernet1/1", UPLINK),
    HardwarePort("Ethernet1/2", DOWNLINK),
    HardwarePort("Ethernet1/3", host=True),
    HardwarePort("Ethernet1/4", host=True),
    HardwarePort("Ethernet1/5", host=True),
    HardwarePort("Ethernet1/6"),
    HardwarePort("Ethernet1/7"),
    HardwarePort("Ethernet1/8"),
)
_RING_PORTS = {p.cable: p.name for p in PORTS if p.cable}  # the lab's port -> this switch's

LAYOUT = Layout(
    indent="  ",
    separator="",
    order=("hostname", "feature", "username", "ip domain-name", "ntp", "logging", "ip route",
           "vlan", "interface"),
    child_order=("description", "switchport", "no switchport", "mtu", "ip address", "shutdown"),
)  # fmt: skip
_BANNER = (
    "Cisco NX-OS Software\n"
    "Copyright (c) 2002-2023, Cisco Systems, Inc. All rights reserved.\n"
    'Nexus 9000v software ("Nexus 9000v Software") and related documentation,\n'
    'files or other reference materials ("Documentation") are\n'
    "the proprietary property and confidential information of Cisco\n"
    'Systems, Inc. ("Cisco") and are protected, without limitation,\n'
    "pursuant to United States and International copyright and trademark\n"
    "laws in the applicable jurisdiction which provides civil and criminal\n"
    "penalties for copying or distribution without Cisco's authorization.\n"
)


def _username(parsed: Parsed) -> str:
    """`username NAME password [0] PW [role R]`, as NX-OS keeps it (the password hashed)."""
    name, words = parsed.args[0], parsed.args[1].split()
    role = words[words.index("role") + 1] if "role" in words[:-1] else "network-operator"
    if "password" not in words:
        return f"username {name} role {role}"
    given = [w for w in words[words.index("password") + 1 :] if w != "0"]
    secret = (
        given[1] if given[:1] == ["5"] and len(given) > 1 else hashed_secret("$5$", name, given[0])
    )
    return f"username {name} password 5 {secret} role {role}"


def boot(device: Device) -> list[str]:
    """The configuration a switch boots with: the lab's ring, VLANs and addresses in
    NX-OS's words."""
    identity, spec, wiring = device.identity, device.spec, device.wiring
    lines = [
        f"hostname {identity.hostname}",
        *("feature interface-vlan", "feature lldp"),
        f"username {spec.username} password {spec.password} role network-admin",
        *("vlan 10", "name USERS", "vlan 20", "name VOICE"),
    ]
    for port, text, address in wiring.ring():
        lines += [f"interface {_RING_PORTS[port]}", f"description {text}", "no switchport"]
        if address is not None:
            lines.append(f"ip address {address.with_prefixlen}")
    lines += [
        *("interface Ethernet1/3", "switchport access vlan 10"),
        *("interface Ethernet1/4", "switchport access vlan 10"),
        *("interface Ethernet1/5", "switchport access vlan 20"),
        *("interface loopback0", f"ip address {wiring.loopback}/32"),
        *("interface mgmt0", "description OOB management"),
        f"ip address {identity.management.with_prefixlen}",
        f"ip route 0.0.0.0/0 {identity.gateway}",
    ]
    return lines


def show_version(view: SwitchView) -> str:
    identity, seconds = view.device.identity, view.device.uptime()
    days, hours, minutes = seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60
    return (
        "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\n"
        "Copyright (C) 2002-2023, Cisco and/or its affiliates.\nAll rights reserved.\n\n"
        "Nexus 9000v is a demo version of the Nexus Operating System\n\n"
        f"Software\n  BIOS: version \n  NXOS: version {VERSION} [Maintenance Release]\n"
        "  BIOS compile time:  \n  NXOS image file is: bootflash:///nxos64-cs.10.3.4a.M.bin\n"
        "  NXOS compile time:  10/12/2023 12:00:00 [10/13/2023 05:21:03]\n\n"
        "Hardware\n  cisco Nexus9000 C9300v Chassis\n"
        "  Intel(R) Xeon(R) CPU E5-2630 v4 @ 2.20GHz with 16400136 kB of memory.\n"
        f"  Processor Board ID {identity.serial}\n\n  Device name: {view.hostname}\n"
        "  bootflash:    4287040 kB\n\n"
        f"Kernel uptime is {days} day(s), {hours} hour(s), {minutes} minute(s), "
        f"{seconds % 60} second(s)\n\n"
        "Last reset \n  Reason: Unknown\n  System version: \n  Service: \n\n"
        "plugin\n  Core Plugin, Ethernet Plugin\n\nActive Package(s):\n\n"
    )


def show_clock(view: SwitchView) -> str:
    now = time.time()
    stamp = time.strftime("%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}"
    return f"{stamp} UTC {time.strftime('%a %b %d %Y', time.gmtime(now))}\nTime source is NTP\n"


def show_hostname(view: SwitchView) -> str:
    return f"{view.hostname}\n"


def _state(port: PortView) -> str:
    protocol = "up" if port.up else "down"
    link = "down" if port.shutdown or not port.up else "up"
    admin = "down" if port.shutdown else "up"
    return f"protocol-{protocol}/link-{link}/admin-{admin}"


def show_ip_brief(view: SwitchView) -> str:
    rows = ['IP Interface Status for VRF "default"(1)', _IP_HEADER]
    ports = [p for p in view.ports() if p.address is not None]
    for vrf, members in (("default", [p for p in ports if p.name != "mgmt0"]),
                         ("management", [p for p in ports if p.name == "mgmt0"])):  # fmt: skip
        if vrf == "management":
            rows += ["", 'IP Interface Status for VRF "management"(2)', _IP_HEADER]
        for port in members:
            address = str(port.address.ip) if port.address else ""
            rows.append(f"{port.short:<21}{address:<16}{_state(port)}")
    return "\n".join(rows) + "\n"


_IP_HEADER = "Interface            IP Address      Interface Status"


def _reason(port: PortView) -> str:
    if port.shutdown:
        return "Administratively down"
    return "none" if port.up else "Link not connected"


_MGMT_HEADER = "Port   VRF          Status IP Address" + " " * 30 + "Speed    MTU"
_ETHERNET_HEADER = (
    "Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port",
    "Interface" + " " * 68 + "Ch #",
)


def show_brief(view: SwitchView) -> str:
    ports = view.ports()
    management = next(p for p in ports if p.name == "mgmt0")
    address = str(management.address.ip) if management.address else "--"
    state = "up" if management.up else "down"
    rows = [
        "",
        _DASHES,
        _MGMT_HEADER,
        _DASHES,
        f"mgmt0  --           {state:<7}{address:<40}1000     1500",
    ]
    rows += ["", _DASHES, *_ETHERNET_HEADER, _DASHES]
    for port in ports:
        if not port.name.startswith("Ethernet"):
            continue
        mode = "routed" if port.routed else ("trunk" if port.trunk else "access")
        vlan = "--" if port.routed else str(port.vlan)
        status = "up" if port.up else "down"
        speed = "1000(D)" if port.up else "auto(D)"
        rows.append(
            f"{port.short:<14}{vlan:<8}eth  {mode:<7}{status:<8}{_reason(port):<25}{speed:>9} --"
        )
    loopbacks = [p for p in ports if p.name.startswith("loopback")]
    if loopbacks:
        rows += ["", _DASHES, "Interface     Status     Description", _DASHES]
        for port in loopbacks:
            rows.append(
                f"{port.short:<14}{'up' if port.up else 'down':<11}{port.description or '--'}"
            )
    return "\n".join(rows) + "\n\n"


def show_status(view: SwitchView) -> str:
    rows = [
        _DASHES,
        "Port          Name               Status    Vlan      Duplex  Speed   Type",
        _DASHES,
    ]
    for port in view.ports():
        status = "disabled" if port.shutdown else ("connected" if port.up else "notconnec")
        vlan = "routed" if port.routed else ("trunk" if port.trunk else str(port.vlan))
        kind = "10Gbase-SR" if port.name.startswith("Ethernet") else "--"
        name = port.description[:18] or "--"
        rows.append(f"{port.short:<14}{name:<19}{status:<10}{vlan:<10}full    1000    {kind}")
    return "\n".join(rows) + "\n\n"


def show_lldp(view: SwitchView) -> str:
    rows = [
        "Capability codes:",
        "  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device",
        "  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other",
        "Device ID            Local Intf      Hold-time  Capability  Port ID",
    ]
    found = view.neighbors()
    for neighbor in found:
        name, local = neighbor.device_id, view.short(neighbor.local)
        if len(name) > 20:  # a long name takes its own line, the rest goes under it
            rows.append(name)
            name = ""
        rows.append(f"{name:<21}{local:<16}{120:<11}{'BR':<12}{neighbor.port}")
    rows.append(f"Total entries displayed: {len(found)}")
    return "\n".join(rows) + "\n\n"


def show_vlan(view: SwitchView) -> str:
    numbers = list(view.vlans())
    rows = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
        *vlan_table(view, 4),
        "",
        "VLAN Type         Vlan-mode",
        "---- -----        ----------",
        *(f"{number:<4} enet         CE" for number in numbers),
        "",
        "Remote SPAN VLANs",
        "-" * 79,
        "",
        "Primary  Secondary  Type             Ports",
        "-------  ---------  ---------------  -------------------------------------------",
    ]
    return "\n".join(rows) + "\n\n"


def _config(which: str, config_lines: list[str]) -> str:
    now = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime())
    head = ["", f"!Command: show {which}", f"!Running configuration last done at: {now}",
            f"!Time: {now}", "", f"version {VERSION} Bios:version"]  # fmt: skip
    return "\n".join([*head, *config_lines]) + "\n\n"


def show_running(view: SwitchView) -> str:
    return _config("running-config", render(view.config, LAYOUT))


def show_startup(view: SwitchView) -> str:
    return _config("startup-config", render(view.startup, LAYOUT))


NXOS = register(
    Platform(
        name="cisco_nxos",
        prompts={
            "user": "{host}> ",
            "exec": "{host}# ",
            "config": "{host}(config)# ",
            "interface": "{host}(config-if)# ",
            "vlan": "{host}(config-vlan)# ",
        },
        exec_rules=EXEC,
        config_rules={"config": GLOBAL, "interface": INTERFACE, "vlan": VLAN},
        interface_types=(
            ("Ethernet", r"\d+/\d+"),
            ("mgmt", r"0"),
            ("loopback", r"\d+"),
            ("Vlan", r"\d+"),
            ("port-channel", r"\d+"),
        ),
        virtual=("loopback", "Vlan", "port-channel"),
        short_names={"Ethernet": "Eth", "loopback": "Lo", "port-channel": "Po"},
        ports=PORTS,
        layout=LAYOUT,
        errors={
            "invalid": "% Invalid command at '^' marker.\n",
            "incomplete": "% Incomplete command at '^' marker.\n",
            "ambiguous": "% Ambiguous command at '^' marker.\n",
            "privileged": "% Permission denied for the role\n",
            "secret": "% Bad secret\n",
            "no session": "% Invalid command at '^' marker.\n",
        },
        caret=True,
        messages={
            "banner": _BANNER,
            "configure": "Enter configuration commands, one per line. End with CNTL/Z.\n",
            "save": "[########################################] 100%\n"
            "Copy complete, now saving to disk (please wait)...\nCopy complete.\n",
        },
        shows={
            "version": show_version,
            "clock": show_clock,
            "hostname": show_hostname,
            "ip_brief": show_ip_brief,
            "brief": show_brief,
            "status": show_status,
            "lldp": show_lldp,
            "vlan": show_vlan,
            "running": show_running,
            "startup": show_startup,
        },
        canonical={"username": _username},
        boot=boot,
        start_privileged=True,
    )
)


def session(device: Device, username: str | None) -> SwitchSession:
    """A login on a simulated NX-OS switch."""
    return SwitchSession(NXOS, device, username)
