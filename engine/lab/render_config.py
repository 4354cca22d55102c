"""`show running-config` and `show startup-config` rendered from the device state.

Passwords never appear: users and the enable secret are shown as type-9 hashes derived
from the device and user names, not from the password itself.
"""

from __future__ import annotations

import hashlib

from engine.lab.state import DeviceState, Interface

_HASH_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
NVRAM_SIZE = 262144

_HEADER = [
    "version 15.2",
    "service timestamps debug datetime msec",
    "service timestamps log datetime msec",
    "no service password-encryption",
    "service compress-config",
    "!",
]
_SWITCHING = [
    "ip cef",
    "no ipv6 cef",
    "!",
    "spanning-tree mode pvst",
    "spanning-tree extend system-id",
    "!",
    "vlan internal allocation policy ascending",
    "!",
]


def running_config(state: DeviceState) -> str:
    """The full `show running-config` output."""
    body = "\n".join(config_lines(state)) + "\n"
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"


def startup_config(state: DeviceState) -> str:
    """`show startup-config`: what was last saved (the boot config until then)."""
    body = state.startup if state.startup is not None else ""
    return f"Using {len(body)} out of {NVRAM_SIZE} bytes\n{body}"


def interface_config(state: DeviceState, name: str) -> str:
    """`show running-config interface NAME`."""
    lines = ["!", *interface_block(state.interfaces[name]), "end"]
    body = "\n".join(lines) + "\n"
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"


def config_lines(state: DeviceState) -> list[str]:
    """Every line of the running configuration, in IOS order."""
    lines = [
        "!",
        *_HEADER,
        f"hostname {state.hostname}",
        "!",
        "boot-start-marker",
        "boot-end-marker",
        "!",
    ]
    lines += _credentials(state)
    lines += ["no aaa new-model", "!", *_SWITCHING]
    lines += [*state.extra, "!"] if state.extra else []
    for interface in state.ordered():
        lines += [*interface_block(interface), "!"]
    lines += _sections(state, "router ")
    lines += ["ip forward-protocol nd", "!", "no ip http server", "no ip http secure-server", "!"]
    lines += [route.line for route in state.routes]
    lines += ["ip ssh version 2", "!"]
    lines += [f"logging host {host}" for host in state.logging_hosts]
    lines += ["!", "control-plane", "!"]
    lines += _sections(state, "line ")
    lines += [f"ntp server {server}" for server in state.ntp_servers]
    lines += ["!", "end"]
    return lines


def interface_block(interface: Interface) -> list[str]:
    """`interface NAME` and its indented lines."""
    lines = [f"interface {interface.name}"]
    if interface.description:
        lines.append(f" description {interface.description}")
    lines += _layer2(interface)
    if interface.address is not None:
        lines.append(f" ip address {interface.address.ip} {interface.address.netmask}")
    elif not interface.switchport:
        lines.append(" no ip address")
    lines += [f" {line}" for line in interface.extra]
    if interface.shutdown:
        lines.append(" shutdown")
    if interface.kind == "GigabitEthernet":
        lines.append(" negotiation auto")
    return lines


def _layer2(interface: Interface) -> list[str]:
    if interface.kind != "GigabitEthernet":
        return []
    if not interface.switchport:
        return [" no switchport"]
    vlan = (
        [f" switchport access vlan {interface.access_vlan}"] if interface.access_vlan != 1 else []
    )
    mode = " switchport mode trunk" if interface.trunk else " switchport mode access"
    return [*vlan, mode]


def _credentials(state: DeviceState) -> list[str]:
    lines = []
    if state.enable_secret is not None:
        lines += [f"enable secret 9 {fake_hash(state.hostname, 'enable')}", "!"]
    for user in state.users.values():
        secret = fake_hash(state.hostname, user.name)
        privilege = f" privilege {user.privilege}" if user.privilege != 1 else ""
        lines.append(f"username {user.name}{privilege} secret 9 {secret}")
    return lines


def _sections(state: DeviceState, prefix: str) -> list[str]:
    lines: list[str] = []
    for head, body in state.sections.items():
        if head.startswith(prefix):
            lines += [head, *(f" {line}" for line in body)]
    return [*lines, "!"] if lines else []


def fake_hash(*parts: str) -> str:
    """A stable, password-free stand-in for an IOS type-9 (scrypt) hash."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    text = "".join(_HASH_ALPHABET[b % 64] for b in digest)
    return f"$9${text[:14]}${text[14:57]}"
